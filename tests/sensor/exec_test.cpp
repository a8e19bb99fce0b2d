// T3: process_exec fields from the real sensor: binary, args, cwd, credentials, parent.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>

#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

namespace fs = std::filesystem;

std::optional<Recorded> exec_of(pid_t pid) {
  return LiveSensor::instance().sink().wait_for(
      [pid](const Recorded& r) { return r.kind == Recorded::kExec && r.process.pid == uint32_t(pid); });
}

std::string real(const std::string& p) {
  char buf[PATH_MAX];
  return realpath(p.c_str(), buf) ? buf : p;
}

TEST(ProcessExec, BinaryArgsAndCwd) {
  OCTAGON_REQUIRE_SENSOR();
  LiveSensor::instance();
  std::string dir = "/tmp/octagon test dir";  // a cwd with a space in it
  fs::create_directories(dir);
  std::string prog = testprog("exit_with");
  pid_t pid = spawn({prog, "0", "two words", "q\"uote", "new\nline", std::string("bad\xff\xfe", 5), ""}, dir);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(wait_status(pid), 0);
  auto e = exec_of(pid);
  ASSERT_TRUE(e) << "no exec event for pid " << pid;
  EXPECT_EQ(e->process.binary, real(prog));
  EXPECT_EQ(e->process.cwd, dir);
  EXPECT_EQ(e->process.arguments, "0 \"two words\" q\"uote new\nline bad\xff\xfe ");
  EXPECT_EQ(e->process.pid, uint32_t(pid));
  EXPECT_EQ(e->process.tid, uint32_t(pid));
  EXPECT_EQ(e->process.creds.uid, getuid());
  EXPECT_EQ(e->process.creds.euid, geteuid());
  EXPECT_TRUE(e->process.flags & events::kFlagExecve);
  EXPECT_FALSE(e->process.flags & events::kFlagTruncArgs);
  EXPECT_FALSE(e->process.flags & events::kFlagRootCwd);
  EXPECT_NE(e->process.ns.mnt, 0u);
  EXPECT_NE(e->process.ns.pid, 0u);
  EXPECT_NE(e->process.cgroup_id, 0u);
  EXPECT_EQ(e->process.exec_id.empty(), false);
  // The parent is this test process (posix_spawn forks us): its identity must resolve.
  ASSERT_TRUE(e->parent);
  EXPECT_EQ(e->parent->pid, uint32_t(getpid()));
  EXPECT_EQ(e->process.parent_exec_id, e->parent->exec_id);
  fs::remove_all(dir);
}

TEST(ProcessExec, ArgumentsLongerThanCapAreTruncatedAndFlagged) {
  OCTAGON_REQUIRE_SENSOR();
  LiveSensor::instance();
  std::string prog = testprog("exit_with");
  std::string big(1000, 'A');  // the fixture's cap is 256 bytes
  pid_t pid = spawn({prog, "0", big});
  ASSERT_EQ(wait_status(pid), 0);
  auto e = exec_of(pid);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->process.flags & events::kFlagTruncArgs);
  // argv[0] + "0" + NULs take part of the 256 bytes; the rest of the cap is the big arg.
  size_t kept = 256 - (prog.size() + 1) - 2;
  EXPECT_EQ(e->process.arguments, "0 " + std::string(kept, 'A'));
}

TEST(ProcessExec, RootCwdIsFlagged) {
  OCTAGON_REQUIRE_SENSOR();
  LiveSensor::instance();
  pid_t pid = spawn({testprog("exit_with"), "0"}, "/");
  ASSERT_EQ(wait_status(pid), 0);
  auto e = exec_of(pid);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->process.cwd, "/");
  EXPECT_TRUE(e->process.flags & events::kFlagRootCwd);
}

TEST(ProcessExec, UidAfterSetuidChange) {
  OCTAGON_REQUIRE_SENSOR();
  LiveSensor::instance();
  pid_t pid = spawn({testprog("setuid_exec"), "65534", testprog("exit_with"), "0"}, "/");
  ASSERT_EQ(wait_status(pid), 0);
  auto e = LiveSensor::instance().sink().wait_for([pid](const Recorded& r) {
    return r.kind == Recorded::kExec && r.process.pid == uint32_t(pid) &&
           r.process.binary.find("exit_with") != std::string::npos;
  });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->process.creds.uid, 65534u);
  EXPECT_EQ(e->process.creds.euid, 65534u);
  EXPECT_EQ(e->process.creds.gid, 65534u);
  EXPECT_EQ(e->process.cap.effective, 0u);  // a non-root exec drops effective caps
  // The same pid exec'd twice: the second exec's identity replaced the first.
  auto first = exec_of(pid);
  ASSERT_TRUE(first);
  EXPECT_NE(first->process.key.ktime, e->process.key.ktime);
}

TEST(ProcessExec, ParentLinkageThroughShell) {
  OCTAGON_REQUIRE_SENSOR();
  LiveSensor::instance();
  std::string prog = testprog("exit_with");
  // Two commands, so the shell forks for the first instead of exec'ing it directly.
  pid_t sh = spawn({"/bin/sh", "-c", prog + " 5; " + prog + " 0"});
  ASSERT_EQ(WEXITSTATUS(wait_status(sh)), 0);
  auto shell = exec_of(sh);
  ASSERT_TRUE(shell);
  auto child = LiveSensor::instance().sink().wait_for([&](const Recorded& r) {
    return r.kind == Recorded::kExec && r.process.arguments == "5" &&
           r.process.parent_key == shell->process.key;
  });
  ASSERT_TRUE(child) << "no exec of the shell's child";
  EXPECT_EQ(child->process.parent_exec_id, shell->process.exec_id);
  ASSERT_TRUE(child->parent);
  EXPECT_EQ(child->parent->binary, real("/bin/sh"));
  EXPECT_EQ(child->parent->arguments, "-c \"" + prog + " 5; " + prog + " 0\"");
  EXPECT_TRUE(child->process.flags & events::kFlagClone);  // forked by the shell, then exec'd
  EXPECT_GE(child->ancestors, 1u);  // the test process is the shell's parent
}

TEST(ProcessExec, SetuidAndSetgidBinary) {
  OCTAGON_REQUIRE_SENSOR();
  LiveSensor::instance();
  std::string dir = "/tmp/octagon-suid";
  fs::create_directories(dir);
  chmod(dir.c_str(), 0755);
  std::string suid = dir + "/exit_with_suid";
  fs::copy_file(testprog("exit_with"), suid, fs::copy_options::overwrite_existing);
  ASSERT_EQ(chown(suid.c_str(), 0, 0), 0);
  ASSERT_EQ(chmod(suid.c_str(), 06755), 0);  // set-uid and set-gid, owned by root:root
  pid_t pid = spawn({testprog("setuid_exec"), "65534", suid, "0"}, "/");
  ASSERT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto e = LiveSensor::instance().sink().wait_for([&](const Recorded& r) {
    return r.kind == Recorded::kExec && r.process.pid == uint32_t(pid) && r.process.binary == suid;
  });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->process.creds.uid, 65534u);
  EXPECT_EQ(e->process.creds.euid, 0u);
  EXPECT_TRUE(e->process.binary_properties.has_setuid);
  EXPECT_EQ(e->process.binary_properties.setuid, 0u);
  EXPECT_TRUE(e->process.binary_properties.privileges_changed & events::kPrivRaisedExecFileSetuid);
  EXPECT_EQ(e->process.creds.gid, 65534u);
  EXPECT_EQ(e->process.creds.egid, 0u);
  EXPECT_TRUE(e->process.binary_properties.has_setgid);
  EXPECT_EQ(e->process.binary_properties.setgid, 0u);
  EXPECT_TRUE(e->process.binary_properties.privileges_changed & events::kPrivRaisedExecFileSetgid);
  EXPECT_FALSE(e->process.binary_properties.fileless);
  fs::remove_all(dir);
}

TEST(ProcessExec, MemfdIsFileless) {
  OCTAGON_REQUIRE_SENSOR();
  LiveSensor::instance();
  pid_t pid = spawn({testprog("memfd_exec"), testprog("exit_with"), "0"}, "/");
  ASSERT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto e = LiveSensor::instance().sink().wait_for([&](const Recorded& r) {
    return r.kind == Recorded::kExec && r.process.pid == uint32_t(pid) &&
           r.process.binary.rfind("/memfd:", 0) == 0;
  });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->process.binary, "/memfd:octagon-memfd (deleted)");
  EXPECT_TRUE(e->process.binary_properties.fileless);
  EXPECT_EQ(e->process.binary_properties.links, 0u);
  EXPECT_NE(e->process.binary_properties.inode, 0u);
}

TEST(ProcessExec, InsideChroot) {
  OCTAGON_REQUIRE_SENSOR();
  LiveSensor::instance();
  std::string root = "/tmp/octagon-chroot";
  fs::create_directories(root + "/bin");
  fs::create_directories(root + "/work/deep");
  fs::copy_file(testprog("static_true"), root + "/bin/static_true", fs::copy_options::overwrite_existing);
  pid_t pid = spawn({testprog("chroot_exec"), root, "/work/deep", "/bin/static_true"}, "/");
  ASSERT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto e = LiveSensor::instance().sink().wait_for([&](const Recorded& r) {
    return r.kind == Recorded::kExec && r.process.pid == uint32_t(pid) &&
           r.process.binary.find("static_true") != std::string::npos;
  });
  ASSERT_TRUE(e);
  // Paths as the chrooted process sees them (what d_path() gives relative to its root).
  EXPECT_EQ(e->process.binary, "/bin/static_true");
  EXPECT_EQ(e->process.cwd, "/work/deep");
  EXPECT_FALSE(e->process.flags & events::kFlagErrorPathResolutionCwd);
  fs::remove_all(root);
}

TEST(ProcessExec, OtherMountNamespace) {
  OCTAGON_REQUIRE_SENSOR();
  LiveSensor::instance();
  std::string dir = "/tmp/octagon-mntns";
  fs::create_directories(dir);
  pid_t pid = spawn({testprog("mntns_exec"), dir, testprog("exit_with")}, "/");
  ASSERT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto e = LiveSensor::instance().sink().wait_for([&](const Recorded& r) {
    return r.kind == Recorded::kExec && r.process.pid == uint32_t(pid) &&
           r.process.binary.find("/prog") != std::string::npos;
  });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->process.binary, dir + "/prog");  // lives on a tmpfs only that namespace sees
  EXPECT_EQ(e->process.cwd, dir);
  struct stat self_ns{};
  ASSERT_EQ(stat("/proc/self/ns/mnt", &self_ns), 0);
  EXPECT_NE(e->process.ns.mnt, uint32_t(self_ns.st_ino));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace octagon::testing
