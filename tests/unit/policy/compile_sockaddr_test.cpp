// matchArgs network operators on sockaddr arguments: the kernel plan they compile to (filter
// op, values, InMap and LPM members) and every refusal, at the file:line:col of the node.
#include <octagon/policy/compiler.h>
#include <octagon/policy/net_values.h>
#include <octagon/policy/parser.h>

#include <arpa/inet.h>

#include <cstring>

#include "test_helpers.h"

namespace octagon::policy {
namespace {

class Kernel : public KernelFacts {
 public:
  Result<std::vector<FormatField>> tracepoint_fields(const std::string& sub, const std::string& ev) override {
    std::vector<FormatField> f = {{"common_type", "unsigned short", 0, 2, false},
                                  {"common_flags", "unsigned char", 2, 1, false},
                                  {"common_preempt_count", "unsigned char", 3, 1, false},
                                  {"common_pid", "int", 4, 4, true},
                                  {"__syscall_nr", "int", 8, 4, true}};
    if (sub != "syscalls") return make_error(ENOENT, "no tracepoint");
    if (ev == "sys_enter_connect" || ev == "sys_enter_bind") {
      f.push_back({"fd", "int", 16, 8, false});
      f.push_back({ev == "sys_enter_bind" ? "umyaddr" : "uservaddr", "struct sockaddr *", 24, 8, false});
      f.push_back({"addrlen", "int", 32, 8, false});
    } else if (ev.rfind("sys_exit_", 0) == 0) {
      f.push_back({"ret", "long", 16, 8, true});
    } else {
      return make_error(ENOENT, "no tracepoint " + ev);
    }
    return f;
  }
  std::string syscall_prefix() const override { return "__x64_"; }
  std::optional<int> syscall_number(const std::string&) const override { return std::nullopt; }
  std::optional<uint32_t> host_namespace(NamespaceType) const override { return std::nullopt; }
};

// A sys_connect kprobe whose address (function index 1) has type `type`, with one selector
// holding one matchArgs entry in block style: operator at line 11 column 19, values[i] at line
// 13 + i column 11.
std::string connect_policy(const std::string& op, const std::vector<std::string>& values,
                           const std::string& type = "sockaddr") {
  std::string y =
      "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: p}\nspec:\n"
      "  kprobes:\n  - call: sys_connect\n"
      "    args: [{index: 0, type: int}, {index: 1, type: " + type + "}]\n"
      "    selectors:\n    - matchArgs:\n      - index: 1\n        operator: " + op + "\n";
  if (!values.empty()) {
    y += "        values:\n";
    for (const std::string& v : values) y += "        - \"" + v + "\"\n";
  }
  return y;
}

Result<CompiledPolicy> compile(const std::string& yaml) {
  OCTAGON_ASSIGN_OR_RETURN(TracingPolicy p, parse_policy(yaml, "test.yaml"));
  Kernel k;
  return compile_policy(p, k);
}

const oct_gen_filter& filter0(const CompiledPolicy& c) { return c.hooks[0].enter.config.selectors[0].filters[0]; }

std::vector<uint8_t> bytes(const oct_gen_lpm_key& k, size_t from, size_t n) {
  return std::vector<uint8_t>(k.data + from, k.data + from + n);
}

constexpr const char* kValue0 = "^test\\.yaml:13:11: spec\\.kprobes\\[0\\]\\.selectors\\[0\\]\\.matchArgs\\[0\\]\\.values\\[0\\]: ";
constexpr const char* kValue1 = "^test\\.yaml:14:11: spec\\.kprobes\\[0\\]\\.selectors\\[0\\]\\.matchArgs\\[0\\]\\.values\\[1\\]: ";
constexpr const char* kOperator = "^test\\.yaml:11:19: spec\\.kprobes\\[0\\]\\.selectors\\[0\\]\\.matchArgs\\[0\\]\\.operator: ";

TEST(CompileSockaddr, SAddrPutsEachCidrInTheHooksTrie) {
  auto c = compile(connect_policy("SAddr", {"10.0.0.0/8", "127.0.0.1", "fd00::/8", "::1", "192.168.1.77/24"}));
  ASSERT_OK(c);
  const oct_gen_filter& f = filter0(*c);
  EXPECT_EQ(f.op, OCT_OP_SADDR);
  EXPECT_EQ(f.arg, 1);
  EXPECT_EQ(f.set, 0u);
  const auto& keys = c->hooks[0].enter.binaries;
  ASSERT_EQ(keys.size(), 5u);
  for (const auto& k : keys) EXPECT_EQ(k.data[0], OCT_GEN_LPM_ADDR_BASE);
  EXPECT_EQ(keys[0].data[1], 4);
  EXPECT_EQ(keys[0].prefixlen, 16u + 8);
  EXPECT_EQ(bytes(keys[0], 2, 4), (std::vector<uint8_t>{10, 0, 0, 0}));
  EXPECT_EQ(keys[1].prefixlen, 16u + 32);  // a bare address is a /32
  EXPECT_EQ(bytes(keys[1], 2, 4), (std::vector<uint8_t>{127, 0, 0, 1}));
  EXPECT_EQ(keys[2].data[1], 6);
  EXPECT_EQ(keys[2].prefixlen, 16u + 8);
  EXPECT_EQ(keys[2].data[2], 0xfd);
  EXPECT_EQ(keys[3].prefixlen, 16u + 128);  // and a bare IPv6 one a /128
  EXPECT_EQ(keys[3].data[17], 1);
  EXPECT_EQ(bytes(keys[4], 2, 4), (std::vector<uint8_t>{192, 168, 1, 0}));  // host bits cleared
  // The exit half of the pair (deferred reads) gets the same members.
  ASSERT_TRUE(c->hooks[0].exit.has_value());
  EXPECT_EQ(c->hooks[0].exit->binaries.size(), 5u);
}

TEST(CompileSockaddr, IPv4MappedValuesAreIPv4Cidrs) {
  auto c = compile(connect_policy("NotSAddr", {"::ffff:10.1.0.0/112", "::ffff:0:0/96"}));
  ASSERT_OK(c);
  EXPECT_EQ(filter0(*c).op, OCT_OP_NOTSADDR);
  const auto& keys = c->hooks[0].enter.binaries;
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].data[1], 4);
  EXPECT_EQ(keys[0].prefixlen, 16u + 16);
  EXPECT_EQ(bytes(keys[0], 2, 4), (std::vector<uint8_t>{10, 1, 0, 0}));
  EXPECT_EQ(keys[1].data[1], 4);
  EXPECT_EQ(keys[1].prefixlen, 16u);  // every IPv4 address
}

TEST(CompileSockaddr, EachFilterHasItsOwnSet) {
  auto c = compile(connect_policy("SAddr", {"10.0.0.0/8"}) +
                   "      - {index: 1, operator: NotSAddr, values: [\"10.1.0.0/16\"]}\n"
                   "    - matchArgs: [{index: 1, operator: SAddr, values: [\"::1\"]}]\n");
  ASSERT_OK(c);
  const auto& keys = c->hooks[0].enter.binaries;
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0].data[0], OCT_GEN_LPM_ADDR_BASE + 0);
  EXPECT_EQ(keys[1].data[0], OCT_GEN_LPM_ADDR_BASE + 1);
  EXPECT_EQ(keys[2].data[0], OCT_GEN_LPM_ADDR_BASE + OCT_GEN_MAX_FILTERS);  // selector 1, filter 0
  EXPECT_EQ(c->hooks[0].enter.config.selectors[1].filters[0].set, uint32_t(OCT_GEN_MAX_FILTERS));
}

TEST(CompileSockaddr, FewPortsAreRangesInTheFilter) {
  auto c = compile(connect_policy("SPort", {"80", "0x1bb", "8000:8080", "010"}));
  ASSERT_OK(c);
  const oct_gen_filter& f = filter0(*c);
  EXPECT_EQ(f.op, OCT_OP_SPORT);
  ASSERT_EQ(f.nvals, 4);
  EXPECT_EQ(f.ivals[0], 80);
  EXPECT_EQ(f.ivals[1], 80);
  EXPECT_EQ(f.ivals[2], 443);  // hex, host order as written
  EXPECT_EQ(f.ivals[4], 8000);
  EXPECT_EQ(f.ivals[5], 8080);
  EXPECT_EQ(f.ivals[6], 8);  // 0-prefixed octal, as Tetragon reads numbers
  EXPECT_TRUE(c->hooks[0].enter.inmap.empty());
}

TEST(CompileSockaddr, ManyPortsGoToTheFiltersSet) {
  auto c = compile(connect_policy("NotSPort", {"22", "53", "1000:2000", "443", "8080", "9000:9100"}));
  ASSERT_OK(c);
  const oct_gen_filter& f = filter0(*c);
  EXPECT_EQ(f.op, OCT_OP_NOTSPORT);
  ASSERT_EQ(f.nvals, 2);  // the ranges
  EXPECT_EQ(f.ivals[0], 1000);
  EXPECT_EQ(f.ivals[3], 9100);
  const auto& set = c->hooks[0].enter.inmap;
  ASSERT_EQ(set.size(), 4u);
  EXPECT_EQ(set[0].set, f.set);
  EXPECT_EQ(set[0].value, 22u);
  EXPECT_EQ(set[3].value, 8080u);
}

TEST(CompileSockaddr, PrivilegedPortsTakeNoValues) {
  auto c = compile(connect_policy("SPortPriv", {}) + "      - {index: 1, operator: NotSPortPriv}\n");
  ASSERT_OK(c);
  EXPECT_EQ(filter0(*c).op, OCT_OP_SPORTPRIV);
  EXPECT_EQ(filter0(*c).nvals, 0);
  EXPECT_EQ(c->hooks[0].enter.config.selectors[0].filters[1].op, OCT_OP_NOTSPORTPRIV);
  EXPECT_ERR(compile(connect_policy("NotSPortPriv", {"22"})), EINVAL,
             "^test\\.yaml:13:9: spec\\.kprobes\\[0\\]\\.selectors\\[0\\]\\.matchArgs\\[0\\]\\.values: "
             "NotSPortPriv takes no values \\(ports 0-1023\\); hint: remove the values");
}

TEST(CompileSockaddr, FamiliesByNameOrNumber) {
  auto c = compile(connect_policy("Family", {"AF_INET", "AF_INET6", "1", "AF_NETLINK"}));
  ASSERT_OK(c);
  const oct_gen_filter& f = filter0(*c);
  EXPECT_EQ(f.op, OCT_OP_FAMILY);
  ASSERT_EQ(f.nvals, 4);
  EXPECT_EQ(f.ivals[0], AF_INET);
  EXPECT_EQ(f.ivals[2], AF_INET6);
  EXPECT_EQ(f.ivals[4], AF_UNIX);
  EXPECT_EQ(f.ivals[6], AF_NETLINK);
  auto un = compile(connect_policy("Family", {"AF_UNIX"}, "sockaddr_un"));
  ASSERT_OK(un);
  EXPECT_EQ(filter0(*un).op, OCT_OP_FAMILY);
  EXPECT_EQ(filter0(*un).ivals[0], AF_UNIX);
}

TEST(CompileSockaddr, BadValuesAreRefusedWhereTheyAre) {
  struct Case {
    std::string op, value, problem;
  };
  const Case cases[] = {
      {"SAddr", "10.0.0.0/33", "'/33' is not a prefix length of an IPv4 address; hint: prefix lengths go from 0 to 32"},
      {"SAddr", "10.0.0.300", "'10\\.0\\.0\\.300' is not an IPv4 or IPv6 address; hint: e\\.g\\. '10\\.0\\.0\\.0/8'"},
      {"NotSAddr", "fd00::/129", "'/129' is not a prefix length of an IPv6 address; hint: .* 0 to 128"},
      {"SAddr", "10.0.0.0/", "'/' is not a prefix length"},
      {"SPort", "65536", "port 65536 is above 65535; hint: ports go from 0 to 65535"},
      {"NotSPort", "2000:1000", "range 2000:1000 starts above its end; hint: write 'min:max' with min <= max"},
      {"SPort", "http", "'http' is not a port number; hint: write a decimal or 0x hex port"},
      {"SPort", "1:70000", "port 70000 is above 65535"},
      {"Family", "AF_BOGUS", "unknown address family 'AF_BOGUS'; hint: AF_INET, AF_INET6, AF_UNIX"},
      {"Family", "70000", "address family 70000 is above 65535"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.op + " " + k.value);
    EXPECT_ERR(compile(connect_policy(k.op, {k.value})), EINVAL, kValue0 + k.problem);
    // The second value is reported at its own line.
    const std::string good = k.op == "Family" ? "AF_INET" : k.op.find("Addr") != std::string::npos ? "10.0.0.1" : "1";
    EXPECT_ERR(compile(connect_policy(k.op, {good, k.value})), EINVAL,
               kValue1 + k.problem);
  }
}

TEST(CompileSockaddr, DestinationOperatorsPointToTheSourceOnes) {
  const std::pair<const char*, const char*> swaps[] = {
      {"DAddr", "SAddr"}, {"NotDAddr", "NotSAddr"}, {"DPort", "SPort"},
      {"NotDPort", "NotSPort"}, {"DPortPriv", "SPortPriv"}, {"NotDPortPriv", "NotSPortPriv"}};
  for (const auto& [dest, source] : swaps) {
    SCOPED_TRACE(dest);
    const bool priv = std::string(dest).find("Priv") != std::string::npos;
    EXPECT_ERR(compile(connect_policy(dest, priv ? std::vector<std::string>{} : std::vector<std::string>{"1"})),
               EINVAL,
               std::string(kOperator) + "operator " + dest + " does not apply to sockaddr arguments; hint: " + dest +
                   " needs a sock, socket or skb argument; a sockaddr has only the one address: use " + source + "$");
  }
}

TEST(CompileSockaddr, ProtocolAndStateNeedASocket) {
  EXPECT_ERR(compile(connect_policy("Protocol", {"IPPROTO_TCP"})), EINVAL,
             std::string(kOperator) + "operator Protocol does not apply to sockaddr arguments; hint: Protocol needs "
                                      "a sock, socket or skb argument.*use Family");
  EXPECT_ERR(compile(connect_policy("State", {"TCP_ESTABLISHED"})), EINVAL,
             std::string(kOperator) + "operator State does not apply to sockaddr arguments; hint: State needs a "
                                      "sock or socket argument.*no connection state");
  EXPECT_ERR(compile(connect_policy("Protocol", {"6"}, "sockaddr_un")), EINVAL,
             std::string(kOperator) + "operator Protocol does not apply to sockaddr_un arguments");
}

TEST(CompileSockaddr, UnixAddressesHaveNoIpOrPort) {
  for (const char* op : {"SAddr", "NotSAddr", "SPort", "NotSPort", "SPortPriv", "DAddr"}) {
    SCOPED_TRACE(op);
    const bool priv = std::string(op).find("Priv") != std::string::npos;
    const bool addr = std::string(op).find("Addr") != std::string::npos;
    std::vector<std::string> values;
    if (!priv) values.push_back(addr ? "10.0.0.1" : "80");
    EXPECT_ERR(compile(connect_policy(op, values, "sockaddr_un")), EINVAL,
               std::string(kOperator) + "operator " + op + " does not apply to sockaddr_un arguments; hint: a "
                                        "sockaddr_un is a unix socket path, with no IP address or port: use Family");
  }
}

TEST(CompileSockaddr, OtherOperatorsOnASockaddrNameTheOnesThatApply) {
  EXPECT_ERR(compile(connect_policy("Equal", {"1"})), EINVAL,
             std::string(kOperator) + "operator Equal does not apply to sockaddr arguments; hint: sockaddr "
                                      "arguments take SAddr, NotSAddr, SPort, NotSPort, SPortPriv, NotSPortPriv "
                                      "and Family");
  EXPECT_ERR(compile(connect_policy("SAddr", {"10.0.0.1"}, "int")), EINVAL,
             std::string(kOperator) + "operator SAddr does not apply to int arguments");
}

TEST(CompileSockaddr, UnixPathStringOperatorsAreRefusedNotMiscompiled) {
  // Equal on the path must not become an integer compare of the pointer.
  for (const char* v : {"/run/x.sock", "1"})
    EXPECT_ERR(compile(connect_policy("Equal", {v}, "sockaddr_un")), EINVAL,
               std::string(kOperator) + "operator Equal on a sockaddr_un argument is not supported by Octagon yet; "
                                        "hint: filter on Family here");
}

TEST(CompileSockaddr, TooManyPortRanges) {
  EXPECT_ERR(compile(connect_policy("SPort", {"1:2", "3:4", "5:6", "7:8", "9:10"})), EINVAL,
             "values\\[4\\]: more than 4 port ranges in one filter; hint: merge ranges");
  EXPECT_ERR(compile(connect_policy("Family", {"1", "2", "3", "4", "5"})), EINVAL,
             "\\.values: at most 4 values of Family in one filter");
}

TEST(CompileSockaddr, ATracepointSockaddrArgument) {
  auto c = compile(
      "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: p}\nspec:\n"
      "  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_bind\n"
      "    args: [{index: 6, type: sockaddr}]\n"
      "    selectors:\n    - matchArgs: [{index: 0, operator: SPort, values: [\"5000:5010\"]}]\n");
  ASSERT_OK(c);
  EXPECT_EQ(filter0(*c).op, OCT_OP_SPORT);
  EXPECT_EQ(filter0(*c).arg, 0);
  EXPECT_EQ(filter0(*c).ivals[1], 5010);
}

}  // namespace
}  // namespace octagon::policy

namespace octagon::policy {
namespace {

TEST(NetValues, SyntaxesTetragonUsersWrite) {
  NetValueError err;
  auto r = parse_port("0x10:0x20", err);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->min, 16);
  EXPECT_EQ(r->max, 32);
  EXPECT_EQ(parse_port("65535", err)->max, 65535);
  EXPECT_FALSE(parse_port("-1", err));
  EXPECT_FALSE(parse_port("", err));
  EXPECT_EQ(parse_family("af_inet6", err), AF_INET6);  // names in any case
  EXPECT_EQ(parse_family("AF_LOCAL", err), AF_UNIX);
  EXPECT_EQ(parse_family("0x2", err), AF_INET);
  auto c = parse_cidr("2001:db8::ff/32", err);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->bytes, 16);
  EXPECT_EQ(c->prefix, 32);
  EXPECT_EQ(c->addr[15], 0);  // host bits cleared
  auto m = parse_cidr("::ffff:192.168.0.1", err);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->bytes, 4);
  EXPECT_EQ(m->prefix, 32);
  EXPECT_EQ(m->addr[0], 192);
  auto low = parse_cidr("::ffff:0:0/80", err);  // wider than the mapped range: stays IPv6
  ASSERT_TRUE(low);
  EXPECT_EQ(low->bytes, 16);
  EXPECT_FALSE(parse_cidr("10.0.0.0/8/8", err));
  EXPECT_FALSE(parse_cidr("10.0.0.0/+8", err));
}

}  // namespace
}  // namespace octagon::policy
