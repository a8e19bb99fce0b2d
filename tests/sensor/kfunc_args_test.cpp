// T3 (VM tier): kernel-object argument types on kernel-function hooks (fentry where the kernel
// has trampolines): sock (tcp_connect), socket (security_socket_sendmsg), skb and net_device
// (dev_hard_start_xmit), user_namespace (cap_capable), capability sets (cap_capset), bpf_attr
// (bpf_check), bpf_prog (security_bpf_prog), bpf_map (security_bpf_map), perf_event
// (security_perf_event_alloc) and kiocb (generic_perform_write), each triggered by a child
// whose objects the test knows. module and load_info need a module load, which the guests
// cannot do: their decoding is unit-tested (kobject_decoder_test.cpp).
#include <fcntl.h>
#include <sys/resource.h>

#include <octagon/bpf/feature_probe.h>

#include "common/kernel_expect.h"
#include "sensor/kobject_triggers.h"
#include "sensor/policy_rig.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

using events::Argument;

#define REQUIRE_FENTRY()                                                                   \
  do {                                                                                     \
    bpf::FeatureProbe probe_;                                                              \
    const bpf::Probe& p_ = probe_.get(bpf::Feature::kFentry);                              \
    OCTAGON_REQUIRE_MECHANISM("fentry", p_.ok, "no fentry here: " + p_.detail);            \
  } while (0)

Argument first_arg(const std::vector<DecodedPolicyRecord>& recs, const std::string& function) {
  for (const auto& r : recs)
    if (r.function == function && !r.args.empty()) return r.args[0];
  ADD_FAILURE() << "no record of " << function << " among " << recs.size();
  return {};
}

TEST(KfuncArgTypes, SockOfTcpConnect) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_FENTRY();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("kfunc-sock", R"(  kprobes:
  - call: tcp_connect
    syscall: false
    args: [{index: 0, type: sock}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  NetTrigger t = tcp_connect_child();
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(WEXITSTATUS(wait_status(t.pid)), 0);
  Argument s = first_arg(rig.of(uint32_t(t.pid)), "tcp_connect");
  EXPECT_EQ(s.kind, Argument::Kind::kSock);
  EXPECT_EQ(s.family, "AF_INET");
  EXPECT_EQ(s.obj.type, "SOCK_STREAM");
  EXPECT_EQ(s.obj.protocol, "IPPROTO_TCP");
  EXPECT_EQ(s.obj.saddr, "127.0.0.1");
  EXPECT_EQ(s.obj.daddr, "127.0.0.1");
  EXPECT_EQ(s.obj.sport, t.client_port);
  EXPECT_EQ(s.obj.dport, t.server_port);
  EXPECT_EQ(s.obj.state, "TCP_SYN_SENT");
}

TEST(KfuncArgTypes, SocketSkbAndNetDeviceOfAUdpSend) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_FENTRY();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("kfunc-net", R"(  kprobes:
  - call: security_socket_sendmsg
    syscall: false
    args: [{index: 0, type: socket}]
  - call: dev_hard_start_xmit
    syscall: false
    args: [{index: 0, type: skb}, {index: 1, type: net_device}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  NetTrigger t = udp_send_child();
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(WEXITSTATUS(wait_status(t.pid)), 0);
  auto recs = rig.of(uint32_t(t.pid), 2);
  Argument s = first_arg(recs, "security_socket_sendmsg");
  EXPECT_EQ(s.kind, Argument::Kind::kSock);
  EXPECT_EQ(s.obj.type, "SOCK_DGRAM");
  EXPECT_EQ(s.obj.protocol, "IPPROTO_UDP");
  EXPECT_EQ(s.obj.sport, t.client_port);
  EXPECT_EQ(s.obj.dport, t.server_port);
  EXPECT_EQ(s.obj.daddr, "127.0.0.1");
  bool found = false;
  for (const auto& r : recs) {
    if (r.function != "dev_hard_start_xmit" || r.args.size() != 2) continue;
    if (r.args[0].obj.sport != t.client_port || r.args[0].obj.dport != t.server_port) continue;
    found = true;
    EXPECT_EQ(r.args[0].kind, Argument::Kind::kSkb);
    EXPECT_EQ(r.args[0].family, "AF_INET");
    EXPECT_EQ(r.args[0].obj.proto, 17u);
    EXPECT_EQ(r.args[0].obj.saddr, "127.0.0.1");
    EXPECT_EQ(r.args[0].obj.len, 14u + 20u + 8u + 5u);
    EXPECT_EQ(r.args[1].s, "lo");
  }
  EXPECT_TRUE(found) << recs.size() << " records";
}

// A child in a new user namespace (and UTS namespace it owns) sets its host name: the
// capability check is against its own namespace, level 1, whose inode it sends back.
TEST(KfuncArgTypes, UserNamespaceAndCapabilitySets) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_FENTRY();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("kfunc-caps", R"(  kprobes:
  - call: cap_capable
    syscall: false
    args: [{index: 1, type: user_namespace}, {index: 2, type: int}]
    selectors:  # CAP_SYS_ADMIN checks only: cap_capable runs on every capability check
    - matchArgs: [{index: 2, operator: Equal, values: ["21"]}]
  - call: cap_capset
    syscall: false
    args:
    - {index: 2, type: cap_effective}
    - {index: 3, type: cap_inheritable}
    - {index: 4, type: cap_permitted}
    - {index: 2, type: kernel_cap_t}
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  ASSERT_EQ(syscall(SYS_capget, &hdr, data), 0);
  pid_t pid = fork();
  if (pid == 0) {
    if (syscall(SYS_capset, &hdr, data)) _exit(1);  // the same sets: allowed
    if (unshare_user_namespace() || unshare(CLONE_NEWUTS)) _exit(2);
    uint32_t ino = ns_inode("/proc/self/ns/user");
    if (write(fds[1], &ino, sizeof(ino)) != sizeof(ino)) _exit(3);
    _exit(sethostname("octagon", 7) == 0 ? 0 : 4);  // CAP_SYS_ADMIN in the new namespace
  }
  close(fds[1]);
  uint32_t child_ns = 0;
  EXPECT_EQ(read(fds[0], &child_ns, sizeof(child_ns)), ssize_t(sizeof(child_ns)));
  close(fds[0]);
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid), 2);
  uint64_t eff = data[0].effective | (uint64_t(data[1].effective) << 32);
  uint64_t inh = data[0].inheritable | (uint64_t(data[1].inheritable) << 32);
  uint64_t perm = data[0].permitted | (uint64_t(data[1].permitted) << 32);
  bool capset = false, admin = false;
  for (const auto& r : recs) {
    if (r.function == "cap_capset") {
      capset = true;
      ASSERT_EQ(r.args.size(), 4u);
      EXPECT_EQ(r.args[0].kind, Argument::Kind::kCapEffective);
      EXPECT_EQ(r.args[0].u, eff);
      EXPECT_EQ(r.args[1].u, inh);
      EXPECT_EQ(r.args[2].u, perm);
      EXPECT_EQ(r.args[3].kind, Argument::Kind::kKernelCapT);
      EXPECT_EQ(r.args[3].u, eff);
    } else if (r.function == "cap_capable" && r.args.size() == 2 && r.args[1].i == 21 &&
               r.args[0].userns_level == 1) {  // CAP_SYS_ADMIN in the child's namespace
      admin = true;
      EXPECT_EQ(r.args[0].kind, Argument::Kind::kUserNs);
      EXPECT_EQ(r.args[0].userns_inum, child_ns);
      EXPECT_EQ(r.args[0].userns_uid, geteuid());  // its owner
    }
  }
  EXPECT_TRUE(capset) << recs.size() << " records";
  EXPECT_TRUE(admin) << recs.size() << " records, none for CAP_SYS_ADMIN at level 1";
}

long bpf_sys(int cmd, bpf_attr& attr) { return syscall(SYS_bpf, cmd, &attr, sizeof(attr)); }

TEST(KfuncArgTypes, BpfAttrProgAndMap) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_FENTRY();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("kfunc-bpf", R"(  kprobes:
  - call: bpf_check
    syscall: false
    args: [{index: 1, type: bpf_attr}]
  - call: security_bpf_prog
    syscall: false
    args: [{index: 0, type: bpf_prog}]
  - call: security_bpf_map
    syscall: false
    args: [{index: 0, type: bpf_map}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = fork();
  if (pid == 0) {
    bpf_attr m{};
    m.map_type = BPF_MAP_TYPE_HASH;
    m.key_size = 4;
    m.value_size = 8;
    m.max_entries = 16;
    strcpy(m.map_name, "oct_kmap");
    if (bpf_sys(BPF_MAP_CREATE, m) < 0) _exit(1);
    bpf_insn insns[2] = {};
    insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r0 = 0
    insns[1].code = BPF_JMP | BPF_EXIT;
    bpf_attr p{};
    p.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    p.insns = uint64_t(uintptr_t(insns));
    p.insn_cnt = 2;
    p.license = uint64_t(uintptr_t("GPL"));
    strcpy(p.prog_name, "oct_kprog");
    _exit(bpf_sys(BPF_PROG_LOAD, p) < 0 ? 2 : 0);
  }
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid), 3);
  Argument attr = first_arg(recs, "bpf_check");
  EXPECT_EQ(attr.kind, Argument::Kind::kBpfAttr);
  EXPECT_EQ(attr.obj.type, "BPF_PROG_TYPE_SOCKET_FILTER");
  EXPECT_EQ(attr.obj.insn_cnt, 2u);
  EXPECT_EQ(attr.s, "oct_kprog");
  Argument prog = first_arg(recs, "security_bpf_prog");
  EXPECT_EQ(prog.kind, Argument::Kind::kBpfProg);
  EXPECT_EQ(prog.obj.type, "BPF_PROG_TYPE_SOCKET_FILTER");
  EXPECT_EQ(prog.s, "oct_kprog");
  Argument map = first_arg(recs, "security_bpf_map");
  EXPECT_EQ(map.kind, Argument::Kind::kBpfMap);
  EXPECT_EQ(map.obj.type, "BPF_MAP_TYPE_HASH");
  EXPECT_EQ(map.obj.key_size, 4u);
  EXPECT_EQ(map.obj.value_size, 8u);
  EXPECT_EQ(map.obj.max_entries, 16u);
  EXPECT_EQ(map.s, "oct_kmap");
}

TEST(KfuncArgTypes, PerfEventOfPerfEventOpen) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_FENTRY();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("kfunc-perf", R"(  kprobes:
  - call: security_perf_event_alloc
    syscall: false
    args: [{index: 0, type: perf_event}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = fork();
  if (pid == 0) {
    perf_event_attr a{};
    a.size = sizeof(a);
    a.type = PERF_TYPE_SOFTWARE;
    a.config = PERF_COUNT_SW_DUMMY;
    a.disabled = 1;
    long fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
    _exit(fd < 0 ? 1 : 0);
  }
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  Argument e = first_arg(rig.of(uint32_t(pid)), "security_perf_event_alloc");
  EXPECT_EQ(e.kind, Argument::Kind::kPerfEvent);
  EXPECT_EQ(e.obj.type, "PERF_TYPE_SOFTWARE");
  EXPECT_EQ(e.obj.config, uint64_t(PERF_COUNT_SW_DUMMY));
  EXPECT_EQ(e.s, "");
}

TEST(KfuncArgTypes, KiocbIsTheWrittenFile) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_FENTRY();
  std::string path = "/tmp/octagon-kiocb-" + std::to_string(getpid());
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("kfunc-kiocb", R"(  kprobes:
  - call: generic_perform_write
    syscall: false
    args: [{index: 0, type: kiocb}]
    selectors:
    - matchArgs:
      - {index: 0, operator: Equal, values: [")" + path + R"("]}
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    _exit(fd >= 0 && write(fd, "abc", 3) == 3 ? 0 : 1);
  }
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid));
  unlink(path.c_str());
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].args[0].kind, Argument::Kind::kFile);
  EXPECT_EQ(recs[0].args[0].s, path);
  EXPECT_EQ(recs[0].args[0].permission, "-rw-------");
}

}  // namespace
}  // namespace octagon::testing
