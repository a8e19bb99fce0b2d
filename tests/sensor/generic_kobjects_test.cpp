// T3: kernel-object argument types (sock, skb, net_device, user_namespace) on raw tracepoints of
// the running kernel, whose BTF types their arguments as kernel-function arguments are: the
// same readers (bpf/lib/extract/kobjects.bpf.h) as kernel-function hooks, which only the VM
// tier has (kfunc_args_test.cpp). Triggered by real loopback traffic and capability checks of
// a child, decoded fields checked against what the test knows.
#include <sys/resource.h>

#include "sensor/kobject_triggers.h"
#include "sensor/policy_rig.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

using events::Argument;

// Skips when the kernel has no such raw tracepoint.
#define LOAD_OR_SKIP(rig, name, body)                                                            \
  do {                                                                                          \
    auto loaded_ = (rig).load(policy_with(name, body));                                         \
    if (!loaded_ && loaded_.error().message().find("no raw tracepoint") != std::string::npos)   \
      GTEST_SKIP() << loaded_.error().message();                                                \
    ASSERT_TRUE(loaded_) << loaded_.error().describe();                                         \
  } while (0)

TEST(GenericKobjects, SockOfTcpStateChanges) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  LOAD_OR_SKIP(rig, "kobj-sock", R"(  tracepoints:
  - subsystem: sock
    event: inet_sock_set_state
    raw: true
    args:
    - {index: 0, type: sock}
    - {index: 2, type: int}
)");
  NetTrigger t = tcp_connect_child();
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(WEXITSTATUS(wait_status(t.pid)), 0);
  auto recs = rig.matching([&](const DecodedPolicyRecord& r) {
    return r.args.size() == 2 && r.args[0].kind == Argument::Kind::kSock && r.args[0].obj.sport == t.client_port &&
           r.args[0].obj.dport == t.server_port && r.args[1].i == 1;  // -> TCP_ESTABLISHED
  });
  ASSERT_EQ(recs.size(), 1u) << "client " << t.client_port << " server " << t.server_port;
  const Argument& s = recs[0].args[0];
  EXPECT_EQ(s.family, "AF_INET");
  EXPECT_EQ(s.obj.type, "SOCK_STREAM");
  EXPECT_EQ(s.obj.protocol, "IPPROTO_TCP");
  EXPECT_EQ(s.obj.saddr, "127.0.0.1");
  EXPECT_EQ(s.obj.daddr, "127.0.0.1");
  EXPECT_EQ(s.obj.state, "TCP_SYN_SENT");  // the state it leaves
}

TEST(GenericKobjects, SkbAndNetDeviceOfALoopbackDatagram) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  LOAD_OR_SKIP(rig, "kobj-skb", R"(  tracepoints:
  - subsystem: net
    event: net_dev_xmit
    raw: true
    args:
    - {index: 0, type: skb}
    - {index: 2, type: net_device}
    selectors:
    - matchArgs:
      - {index: 1, operator: Equal, values: [lo]}  # tracepoints: the position in args
)");
  NetTrigger t = udp_send_child();
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(WEXITSTATUS(wait_status(t.pid)), 0);
  auto recs = rig.matching([&](const DecodedPolicyRecord& r) {
    return r.args.size() == 2 && r.args[0].kind == Argument::Kind::kSkb && r.args[0].obj.sport == t.client_port &&
           r.args[0].obj.dport == t.server_port;
  });
  ASSERT_EQ(recs.size(), 1u);
  const Argument& skb = recs[0].args[0];
  EXPECT_EQ(skb.family, "AF_INET");
  EXPECT_EQ(skb.obj.proto, 17u);
  EXPECT_EQ(skb.obj.protocol, "IPPROTO_UDP");
  EXPECT_EQ(skb.obj.saddr, "127.0.0.1");
  EXPECT_EQ(skb.obj.daddr, "127.0.0.1");
  EXPECT_EQ(skb.obj.len, 20u + 8u + 5u);  // IPv4 + UDP headers + "hello": lo pulled the ethernet header
  EXPECT_EQ(recs[0].args[1].kind, Argument::Kind::kString);
  EXPECT_EQ(recs[0].args[1].s, "lo");
}

TEST(GenericKobjects, UserNamespaceOfACapabilityCheck) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  LOAD_OR_SKIP(rig, "kobj-userns", R"(  tracepoints:
  - subsystem: capability
    event: cap_capable
    raw: true
    args:
    - {index: 1, type: user_namespace}
    - {index: 3, type: int}
)");
  pid_t pid = fork();
  if (pid == 0) _exit(setpriority(PRIO_PROCESS, 0, -1) == 0 ? 0 : 1);  // CAP_SYS_NICE
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid));
  bool found = false;
  for (const auto& r : recs) {
    ASSERT_EQ(r.args.size(), 2u);
    if (r.args[1].i != 23) continue;  // CAP_SYS_NICE
    found = true;
    EXPECT_EQ(r.args[0].kind, Argument::Kind::kUserNs);
    EXPECT_EQ(r.args[0].userns_level, 0);
    EXPECT_EQ(r.args[0].userns_inum, ns_inode("/proc/self/ns/user"));
  }
  EXPECT_TRUE(found) << recs.size() << " records, none for CAP_SYS_NICE";
}

}  // namespace
}  // namespace octagon::testing
