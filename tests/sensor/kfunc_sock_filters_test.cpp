// VM tier: matchArgs network operators on sock and socket arguments, evaluated in the kernel
// (bpf/lib/filter/knet.bpf.h) on tcp_connect (fentry and kprobe) and security_socket_connect.
// Children connect to known addresses and ports, some from a network namespace of their own
// whose routes all go to its loopback (so public addresses are reachable without a network);
// each test proves the filter passes what it should and nothing else. Children that must not
// match run first: once the record of a later matching child arrived, theirs would have too.
// Also Tetragon's example tcp-connect-only-private-addrs.yaml, unchanged: NotDAddr of the
// private ranges with Sigkill.
#include <fstream>
#include <sstream>

#include <octagon/bpf/feature_probe.h>

#include "common/kernel_expect.h"
#include "sensor/connect_triggers.h"
#include "sensor/policy_rig.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

#define REQUIRE_KFUNC(feature, mechanism)                                                \
  do {                                                                                   \
    bpf::FeatureProbe probe_;                                                            \
    const bpf::Probe& p_ = probe_.get(feature);                                          \
    OCTAGON_REQUIRE_MECHANISM(mechanism, p_.ok, std::string("no ") + mechanism + " here: " + p_.detail); \
  } while (0)

struct Case {
  ConnectTarget target;
  bool match;
};

// A tcp_connect hook with one selector of `filter` (a matchArgs entry on arg 0, a sock).
std::string tcp_connect_policy(const std::string& name, const std::string& filter) {
  return policy_with(name, "  kprobes:\n  - call: tcp_connect\n    syscall: false\n"
                           "    args: [{index: 0, type: sock}]\n    selectors:\n    - matchArgs:\n      - " +
                               filter + "\n");
}

std::string describe(const ConnectTarget& t) {
  return t.addr + ":" + std::to_string(t.port) + (t.own_netns ? "" : " (host netns)") +
         (t.type == SOCK_DGRAM ? " udp" : "");
}

// Runs the non-matching children, then the matching ones; checks each child connected, and
// that exactly the matching ones have a record (of `function`).
void expect_matches(DecodingPolicyRig& rig, const std::vector<Case>& cases, const std::string& function) {
  std::vector<std::pair<pid_t, const Case*>> ran;
  for (bool match : {false, true})
    for (const Case& c : cases) {
      if (c.match != match) continue;
      pid_t pid = connect_child(c.target);
      ASSERT_GT(pid, 0);
      EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0) << describe(c.target) << ": the connect did not start";
      ran.push_back({pid, &c});
    }
  for (bool match : {true, false})  // the matching records first: then the others would be there
    for (const auto& [pid, c] : ran) {
      if (c->match != match) continue;
      auto recs = rig.of(uint32_t(pid), match ? 1 : 0);
      EXPECT_EQ(recs.size(), match ? 1u : 0u) << describe(c->target);
      for (const auto& r : recs) EXPECT_EQ(r.function, function);
    }
}

TEST(KfuncSockFilters, DAddrCidrs) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_KFUNC(bpf::Feature::kFentry, "fentry");
  DecodingPolicyRig rig;
  auto loaded = rig.load(tcp_connect_policy(
      "sock-daddr", "{index: 0, operator: DAddr, values: [\"127.0.0.0/8\", \"8.8.0.0/16\", \"::1\"]}"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  expect_matches(rig,
                 {{{"127.0.0.5", 9}, true},
                  {{"8.8.4.4", 53, true}, true},
                  {{"::1", 9}, true},
                  {{"9.9.9.9", 53, true}, false},
                  {{"8.9.0.1", 53, true}, false}},
                 "tcp_connect");
}

TEST(KfuncSockFilters, NotDAddrCidrs) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_KFUNC(bpf::Feature::kFentry, "fentry");
  DecodingPolicyRig rig;
  auto loaded = rig.load(tcp_connect_policy(
      "sock-notdaddr", "{index: 0, operator: NotDAddr, values: [\"127.0.0.0/8\", \"10.0.0.0/8\"]}"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  expect_matches(rig,
                 {{{"127.0.0.1", 9}, false},
                  {{"10.20.30.40", 80, true}, false},
                  {{"9.9.9.9", 80, true}, true},
                  {{"11.0.0.1", 80, true}, true}},
                 "tcp_connect");
}

TEST(KfuncSockFilters, DPortRangesOnAKprobe) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_KFUNC(bpf::Feature::kKprobe, "kprobe");
  DecodingPolicyRig rig;
  policy::CompileOptions opts;
  opts.prefer_kprobes = true;
  auto loaded = rig.load(
      tcp_connect_policy("sock-dport", "{index: 0, operator: DPort, values: [\"1000:2000\", \"4443\"]}"), opts);
  ASSERT_TRUE(loaded) << loaded.error().describe();
  expect_matches(rig,
                 {{{"127.0.0.1", 999}, false},
                  {{"127.0.0.1", 2001}, false},
                  {{"127.0.0.1", 4444}, false},
                  {{"127.0.0.1", 1000}, true},
                  {{"127.0.0.1", 2000}, true},
                  {{"127.0.0.1", 4443}, true}},
                 "tcp_connect");
}

TEST(KfuncSockFilters, NotDPortPriv) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_KFUNC(bpf::Feature::kFentry, "fentry");
  DecodingPolicyRig rig;
  auto loaded = rig.load(tcp_connect_policy("sock-notdportpriv", "{index: 0, operator: NotDPortPriv}"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  expect_matches(rig, {{{"127.0.0.1", 1023}, false}, {{"127.0.0.1", 1024}, true}}, "tcp_connect");
}

TEST(KfuncSockFilters, Family) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_KFUNC(bpf::Feature::kFentry, "fentry");
  DecodingPolicyRig rig;
  auto loaded = rig.load(tcp_connect_policy("sock-family", "{index: 0, operator: Family, values: [AF_INET6]}"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  expect_matches(rig, {{{"127.0.0.1", 9}, false}, {{"::1", 9}, true}}, "tcp_connect");
}

// Protocol on a socket argument: UDP and TCP sockets both connect through
// security_socket_connect.
TEST(KfuncSockFilters, ProtocolOfASocket) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_KFUNC(bpf::Feature::kFentry, "fentry");
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("socket-protocol", R"(  kprobes:
  - call: security_socket_connect
    syscall: false
    args: [{index: 0, type: socket}]
    selectors:
    - matchArgs:
      - {index: 0, operator: Protocol, values: [IPPROTO_UDP]}
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  expect_matches(rig, {{{"127.0.0.1", 9}, false}, {{"127.0.0.1", 9, true, SOCK_DGRAM}, true}},
                 "security_socket_connect");
}

// tcp_connect runs with the sock in TCP_SYN_SENT: State passes it, and a State of other
// states does not.
TEST(KfuncSockFilters, State) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_KFUNC(bpf::Feature::kFentry, "fentry");
  {
    DecodingPolicyRig rig;
    auto loaded = rig.load(tcp_connect_policy(
        "sock-state-other", "{index: 0, operator: State, values: [TCP_ESTABLISHED, TCP_CLOSE, \"10\"]}"));
    ASSERT_TRUE(loaded) << loaded.error().describe();
    expect_matches(rig, {{{"127.0.0.1", 9}, false}}, "tcp_connect");
  }
  DecodingPolicyRig rig;  // the number of TCP_SYN_SENT (the names are unit-tested to map to it)
  auto loaded = rig.load(tcp_connect_policy("sock-state", "{index: 0, operator: State, values: [TCP_LISTEN, \"2\"]}"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  expect_matches(rig, {{{"127.0.0.1", 9}, true}}, "tcp_connect");
}

// Tetragon's example, unchanged: a connection to loopback is let be, one to a public address
// is killed (SIGKILL, from the kernel) and its event records the Sigkill.
TEST(KfuncSockFilters, ExampleOnlyPrivateAddrs) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_KFUNC(bpf::Feature::kFentry, "fentry");
  std::ifstream in(std::string(OCTAGON_SOURCE_DIR) +
                   "/tests/fixtures/policies/tetragon-examples/tcp-connect-only-private-addrs.yaml");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  DecodingPolicyRig rig;
  auto loaded = rig.load(text.str());
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t local = connect_child({"127.0.0.1", 9});
  int st = wait_status(local);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "status " << st;
  pid_t pub = connect_child({"8.8.8.8", 443, true});
  st = wait_status(pub);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << "status " << st;
  auto recs = rig.of(uint32_t(pub));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].function, "tcp_connect");
  EXPECT_EQ(recs[0].action, OCT_ACT_SIGKILL);
  EXPECT_TRUE(recs[0].action_done);
  ASSERT_EQ(recs[0].args.size(), 1u);
  EXPECT_EQ(recs[0].args[0].obj.daddr, "8.8.8.8");
  EXPECT_EQ(recs[0].args[0].obj.dport, 443u);
  EXPECT_TRUE(rig.of(uint32_t(local), 0).empty());
}

}  // namespace
}  // namespace octagon::testing
