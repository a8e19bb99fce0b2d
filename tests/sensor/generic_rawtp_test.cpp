// T3: raw tracepoints (`raw: true`) with BTF-typed arguments, compiled from policies for the
// running kernel: kernel objects (linux_binprm, file, path, dentry, cred), capabilities and
// resolve: field paths, triggered from real processes.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sensor/policy_rig.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

using events::Argument;

TEST(GenericRawTracepoint, ExecArgumentsFromBtfAndResolvePaths) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("rawtp-exec", R"(  tracepoints:
  - subsystem: sched
    event: sched_process_exec
    raw: true
    args:
    - {index: 2, type: linux_binprm}
    - {index: 0, type: int, resolve: "real_parent.tgid"}
    - {index: 0, type: string, resolve: "comm"}
    - {index: 2, type: path, resolve: "file.f_path"}
    - {index: 2, type: dentry, resolve: "file.f_path.dentry"}
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  std::string prog = testprog("exit_with");
  pid_t pid = spawn({prog, "3"});
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 3);
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  const auto& a = recs[0].args;
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(recs[0].subsys, "sched");
  EXPECT_EQ(recs[0].event, "sched_process_exec");
  EXPECT_EQ(a[0].kind, Argument::Kind::kLinuxBinprm);
  EXPECT_EQ(a[0].s, prog);
  EXPECT_EQ(a[0].permission, "-rwxr-xr-x");
  EXPECT_EQ(a[1].kind, Argument::Kind::kInt);
  EXPECT_EQ(a[1].i, getpid());  // the child's parent: this test
  EXPECT_EQ(a[2].kind, Argument::Kind::kString);
  EXPECT_EQ(a[2].s, "exit_with");  // comm is set by exec before the tracepoint
  EXPECT_EQ(a[3].kind, Argument::Kind::kPath);
  EXPECT_EQ(a[3].s, prog);
  EXPECT_EQ(a[4].kind, Argument::Kind::kPath);  // dentry: the path within its mount
  EXPECT_EQ(a[4].s.substr(a[4].s.size() - std::string("/tests/testprogs/exit_with").size()),
            "/tests/testprogs/exit_with");
}

TEST(GenericRawTracepoint, FileOfAnFsyncedFile) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("rawtp-file", R"(  tracepoints:
  - subsystem: ext4
    event: ext4_sync_file_enter
    raw: true
    args:
    - {index: 0, type: file}
    - {index: 1, type: int}
)"));
  if (!loaded && loaded.error().message().find("no raw tracepoint") != std::string::npos)
    GTEST_SKIP() << "no ext4 here: " << loaded.error().message();
  ASSERT_TRUE(loaded) << loaded.error().describe();
  std::string path = "/tmp/octagon-rawtp-fsync-" + std::to_string(getpid());
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0640);
    if (fd < 0 || write(fd, "x", 1) != 1) _exit(1);
    fdatasync(fd);
    _exit(0);
  }
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid));
  unlink(path.c_str());
  ASSERT_GE(recs.size(), 1u);
  const auto& a = recs[0].args;
  EXPECT_EQ(a[0].kind, Argument::Kind::kFile);
  EXPECT_EQ(a[0].s, path);
  EXPECT_EQ(a[0].permission, "-rw-r-----");
  EXPECT_EQ(a[1].i, 1);  // datasync
}

TEST(GenericRawTracepoint, CredentialsAndCapabilityOfACapableCheck) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("rawtp-cap", R"(  tracepoints:
  - subsystem: capability
    event: cap_capable
    raw: true
    args:
    - {index: 0, type: cred}
    - {index: 3, type: capability}
    - {index: 1, type: int, resolve: "level"}
)"));
  if (!loaded && loaded.error().message().find("no raw tracepoint") != std::string::npos)
    GTEST_SKIP() << "no cap_capable tracepoint here: " << loaded.error().message();
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = fork();
  if (pid == 0) {
    if (setresgid(0, 4242, 0) != 0) _exit(1);  // egid 4242, still root
    _exit(setpriority(PRIO_PROCESS, 0, -5) == 0 ? 0 : 2);  // raising priority: CAP_SYS_NICE
  }
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid));
  const DecodedPolicyRecord* nice = nullptr;
  for (const auto& r : recs)
    if (r.args.size() == 3 && r.args[1].i == 23) nice = &r;
  ASSERT_NE(nice, nullptr) << recs.size() << " records, none for CAP_SYS_NICE";
  const auto& cred = nice->args[0];
  EXPECT_EQ(cred.kind, Argument::Kind::kProcessCredentials);
  EXPECT_EQ(cred.creds.uid, 0u);
  EXPECT_EQ(cred.creds.egid, 4242u);
  EXPECT_EQ(cred.creds.gid, 0u);
  EXPECT_NE(cred.caps.effective & (1ull << 23), 0u);
  EXPECT_EQ(cred.userns_level, 0);
  EXPECT_NE(cred.userns_inum, 0u);
  EXPECT_EQ(nice->args[1].kind, Argument::Kind::kCapability);
  EXPECT_EQ(nice->args[2].i, 0);  // the initial user namespace's level
}

// raw_syscalls' raw tracepoint: sys_enter(struct pt_regs *regs, long id). The syscall's first
// argument is resolved from the registers, and the id is filtered in the kernel.
TEST(GenericRawTracepoint, SysEnterRegistersByResolveWithAnInKernelFilter) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("rawtp-sys-enter", R"(  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
    raw: true
    args:
    - {index: 1, type: int64}
    - {index: 0, type: uint64, resolve: "di"}
    - {index: 0, type: int, resolve: "si"}
    selectors:
    - matchArgs: [{index: 0, operator: Equal, values: ["121"]}]  # position in args: the id
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = fork();
  if (pid == 0) {
    syscall(SYS_getppid);  // filtered out in the kernel
    syscall(SYS_getpgid, 987654321L, -5L);  // 121: kept (fails with ESRCH)
    _exit(0);
  }
  wait_status(pid);
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].args[0].kind, Argument::Kind::kLong);
  EXPECT_EQ(recs[0].args[0].i, SYS_getpgid);
  EXPECT_EQ(recs[0].args[1].kind, Argument::Kind::kSize);
  EXPECT_EQ(recs[0].args[1].u, 987654321u);
  EXPECT_EQ(recs[0].args[2].i, -5);  // sign-extended from the int's 4 bytes
}

}  // namespace
}  // namespace octagon::testing
