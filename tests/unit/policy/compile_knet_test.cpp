// Network operators (SAddr, DAddr, SPort, DPort, *PortPriv, Protocol, Family, State and the
// Not* forms) on sock, socket and skb arguments of kernel-function hooks, against a fake kernel
// BTF: the kernel filter each compiles to, and the refusals of operators and values that do not
// apply, at the line and column of what is wrong.
#include <arpa/inet.h>

#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include "test_helpers.h"
#include "unit/policy/kobj_kernel.h"

namespace octagon::policy {
namespace {

using namespace kobj_test;

// Positions in the policies of select(): the operator on line 12, values[i] on line 14 + i.
constexpr const char* kAt = "^test\\.yaml:";
constexpr const char* kOperatorPos = "12:19: spec\\.kprobes\\[0\\]\\.selectors\\[0\\]\\.matchArgs\\[0\\]\\.operator: ";

std::string select(const std::string& op, const std::vector<std::string>& values, int index = 0) {
  std::string s = "    selectors:\n    - matchArgs:\n      - index: " + std::to_string(index) +
                  "\n        operator: " + op + "\n";
  if (values.empty()) return s;
  s += "        values:\n";
  for (const std::string& v : values) s += "        - \"" + v + "\"\n";
  return s;
}

std::string value_pos(size_t i) {
  return std::string(kAt) + std::to_string(14 + i) + ":11: spec\\.kprobes\\[0\\]\\.selectors\\[0\\]\\.matchArgs\\[0\\]" +
         "\\.values\\[" + std::to_string(i) + "\\]: ";
}

Result<CompiledPolicy> on_sock(const std::string& op, const std::vector<std::string>& values) {
  return compile("tcp_connect", "[{index: 0, type: sock}]", KobjKernel{}, select(op, values));
}

const oct_gen_filter& filter0(const CompiledPolicy& c) { return c.hooks[0].enter.config.selectors[0].filters[0]; }

TEST(CompileKnet, SockOperatorsCompileToTheKernelFilter) {
  struct Case {
    std::string op;
    std::vector<std::string> values;
    uint8_t kernel_op;
    std::vector<int64_t> ivals;  // expected ivals[0..]
  };
  const Case cases[] = {
      {"Family", {"AF_INET", "10"}, OCT_OP_FAMILY, {2, 0, 10}},
      {"Protocol", {"IPPROTO_TCP", "17"}, OCT_OP_PROTOCOL, {6, 0, 17}},
      {"State", {"TCP_SYN_SENT", "tcp_established", "7"}, OCT_OP_STATE, {2, 0, 1, 0, 7}},
      {"DPort", {"80", "1000:2000"}, OCT_OP_DPORT, {80, 80, 1000, 2000}},
      {"NotDPort", {"443"}, OCT_OP_NOTDPORT, {443, 443}},
      {"SPort", {"0x50"}, OCT_OP_SPORT, {80, 80}},
      {"NotSPort", {"1:1023"}, OCT_OP_NOTSPORT, {1, 1023}},
      {"DPortPriv", {}, OCT_OP_DPORTPRIV, {}},
      {"NotDPortPriv", {}, OCT_OP_NOTDPORTPRIV, {}},
      {"SPortPriv", {}, OCT_OP_SPORTPRIV, {}},
      {"NotSPortPriv", {}, OCT_OP_NOTSPORTPRIV, {}},
      {"DAddr", {"10.0.0.0/8"}, OCT_OP_DADDR, {}},
      {"NotDAddr", {"10.0.0.0/8"}, OCT_OP_NOTDADDR, {}},
      {"SAddr", {"10.0.0.0/8"}, OCT_OP_SADDR, {}},
      {"NotSAddr", {"10.0.0.0/8"}, OCT_OP_NOTSADDR, {}},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.op);
    auto c = on_sock(k.op, k.values);
    ASSERT_OK(c);
    const oct_gen_filter& f = filter0(*c);
    EXPECT_EQ(c->hooks[0].enter.config.selectors[0].nfilters, 1);
    EXPECT_EQ(f.op, k.kernel_op);
    EXPECT_EQ(f.is_string, OCT_GEN_NET_SOCK);
    EXPECT_EQ(f.arg, 0);
    for (size_t i = 0; i < k.ivals.size(); i++) EXPECT_EQ(f.ivals[i], k.ivals[i]) << "ivals[" << i << "]";
  }
}

TEST(CompileKnet, AddressesGoToTheHooksCidrSet) {
  auto c = on_sock("NotDAddr", {"10.0.0.0/8", "172.16.0.0/12", "127.0.0.1", "fd00::/8"});
  ASSERT_OK(c);
  const auto& lpm = c->hooks[0].enter.binaries;
  ASSERT_EQ(lpm.size(), 4u);
  const uint32_t set = filter0(*c).set;
  EXPECT_EQ(lpm[0].data[0], OCT_GEN_LPM_ADDR_BASE + set);
  EXPECT_EQ(lpm[0].data[1], 4);
  EXPECT_EQ(lpm[0].data[2], 10);
  EXPECT_EQ(lpm[0].prefixlen, 16u + 8);
  EXPECT_EQ(lpm[1].prefixlen, 16u + 12);
  EXPECT_EQ(lpm[2].prefixlen, 16u + 32);
  EXPECT_EQ(lpm[3].data[1], 6);
  EXPECT_EQ(lpm[3].data[2], 0xfd);
  EXPECT_EQ(lpm[3].prefixlen, 16u + 8);
}

TEST(CompileKnet, SocketAndSkbArguments) {
  // socket: its sock is captured, so the filter reads a sock capture.
  auto c = compile("security_socket_sendmsg", "[{index: 0, type: socket}]", KobjKernel{},
                   select("State", {"TCP_ESTABLISHED"}));
  ASSERT_OK(c);
  EXPECT_EQ(filter0(*c).op, OCT_OP_STATE);
  EXPECT_EQ(filter0(*c).is_string, OCT_GEN_NET_SOCK);
  EXPECT_EQ(filter0(*c).ivals[0], 1);
  c = compile("dev_hard_start_xmit", "[{index: 0, type: skb}]", KobjKernel{}, select("DAddr", {"192.168.0.0/16"}));
  ASSERT_OK(c);
  EXPECT_EQ(filter0(*c).op, OCT_OP_DADDR);
  EXPECT_EQ(filter0(*c).is_string, OCT_GEN_NET_SKB);
  EXPECT_EQ(c->hooks[0].enter.binaries.size(), 1u);
  c = compile("dev_hard_start_xmit", "[{index: 0, type: skb}]", KobjKernel{}, select("Protocol", {"IPPROTO_UDP"}));
  ASSERT_OK(c);
  EXPECT_EQ(filter0(*c).is_string, OCT_GEN_NET_SKB);
  EXPECT_EQ(filter0(*c).ivals[0], 17);
  // The skb is the hook's second captured argument: the filter names that position.
  c = compile("dev_hard_start_xmit", "[{index: 1, type: net_device}, {index: 0, type: skb}]", KobjKernel{},
              select("DPortPriv", {}, 0));
  ASSERT_OK(c);
  EXPECT_EQ(filter0(*c).arg, 1);
}

TEST(CompileKnet, OperatorsThatDoNotApplyAreRefusedNamingOperatorAndType) {
  const std::string op_at = std::string(kAt) + kOperatorPos;
  EXPECT_ERR(on_sock("Prefix", {"10."}), EINVAL, op_at + "operator Prefix does not apply to sock arguments");
  EXPECT_ERR(on_sock("Equal", {"1"}), EINVAL, op_at + "operator Equal does not apply to sock arguments");
  EXPECT_ERR(compile("dev_hard_start_xmit", "[{index: 0, type: skb}]", KobjKernel{}, select("State", {"1"})),
             EINVAL, op_at + "operator State does not apply to skb arguments");
  EXPECT_ERR(compile("dev_hard_start_xmit", "[{index: 0, type: skb}]", KobjKernel{}, select("Family", {"2"})),
             EINVAL, op_at + "operator Family does not apply to skb arguments");
  EXPECT_ERR(compile("security_socket_sendmsg", "[{index: 0, type: socket}]", KobjKernel{},
                     select("Postfix", {"x"})),
             EINVAL, op_at + "operator Postfix does not apply to socket arguments");
  // Other kernel objects keep their refusal.
  EXPECT_ERR(compile("security_bpf_map", "[{index: 0, type: bpf_map}]", KobjKernel{}, select("DPort", {"80"})),
             EINVAL, op_at + ".*bpf_map");
}

TEST(CompileKnet, BadValuesAreRefusedWhereTheyAre) {
  struct Case {
    std::string op, value, problem;
  };
  const Case cases[] = {
      {"Protocol", "IPPROTO_BOGUS", "unknown protocol 'IPPROTO_BOGUS'; hint: IPPROTO_TCP"},
      {"Protocol", "70000", "protocol 70000 is above 65535"},
      {"State", "TCP_NOPE", "unknown TCP state 'TCP_NOPE'; hint: TCP_ESTABLISHED"},
      {"State", "256", "TCP state 256 is above 255"},
      {"DPort", "65536", "port 65536 is above 65535"},
      {"NotDPort", "9:1", "range 9:1 starts above its end"},
      {"DAddr", "10.0.0.0/40", "'/40' is not a prefix length of an IPv4 address"},
      {"Family", "AF_NOPE", "unknown address family 'AF_NOPE'"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.op + " " + k.value);
    const std::string good = k.op.find("Addr") != std::string::npos ? "10.0.0.1" : "2";
    EXPECT_ERR(on_sock(k.op, {good, k.value}), EINVAL, value_pos(1) + k.problem);
  }
  EXPECT_ERR(on_sock("DPortPriv", {"80"}), EINVAL, "DPortPriv takes no values");
  EXPECT_ERR(on_sock("State", {"1", "2", "3", "4", "5"}), EINVAL, "at most 4 values of State in one filter");
}

TEST(CompileKnet, TheExamplePolicyCompiles) {
  auto c = on_sock("NotDAddr", {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8"});
  ASSERT_OK(c);
  EXPECT_EQ(filter0(*c).op, OCT_OP_NOTDADDR);
  EXPECT_EQ(c->hooks[0].enter.binaries.size(), 4u);
}

}  // namespace
}  // namespace octagon::policy
