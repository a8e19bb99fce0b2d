// T3: container ids from the kernel's view of a task's cgroup, and hostile or oversized paths.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

namespace fs = std::filesystem;

std::string cgroup2_mount() {
  std::ifstream m("/proc/mounts");
  std::string dev, dir, type, rest;
  while (m >> dev >> dir >> type && std::getline(m, rest))
    if (type == "cgroup2") return dir;
  return "";
}

// Forks a child that joins `cgroup_dir`, then execs exit_with; returns its pid after it exits.
pid_t run_in_cgroup(const std::string& cgroup_dir) {
  pid_t pid = fork();
  if (pid == 0) {
    std::ofstream(cgroup_dir + "/cgroup.procs") << getpid() << std::flush;
    std::string prog = testprog("exit_with");
    execl(prog.c_str(), prog.c_str(), "0", nullptr);
    _exit(127);
  }
  wait_status(pid);
  return pid;
}

TEST(ProcessExec, ContainerIdFromCgroupLayouts) {
  OCTAGON_REQUIRE_SENSOR();
  std::string root = cgroup2_mount();
  if (root.empty()) GTEST_SKIP() << "no cgroup2 hierarchy mounted";
  auto& live = LiveSensor::instance();
  const std::string id = "4f1c9a0e6b7d2c3f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f";
  struct Layout {
    std::string dir;  // under the cgroup2 root
  } layouts[] = {
      {"octagon-test-docker/" + id},                               // cgroupfs docker, ctr
      {"octagon-test-system.slice/docker-" + id + ".scope"},       // systemd docker
      {"octagon-test-kubepods/podabc/cri-containerd-" + id + ".scope"},
      {"octagon-test-libpod_parent/libpod-" + id},                 // podman
  };
  for (const auto& l : layouts) {
    std::string dir = root + "/" + l.dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    ASSERT_FALSE(ec) << "mkdir " << dir << ": " << ec.message();
    pid_t pid = run_in_cgroup(dir);
    auto e = live.sink().wait_for([pid](const Recorded& r) {
      return r.kind == Recorded::kExec && r.process.pid == uint32_t(pid);
    });
    ASSERT_TRUE(e) << l.dir;
    EXPECT_EQ(e->process.docker, id.substr(0, 31)) << l.dir;
    struct stat st{};
    ASSERT_EQ(stat(dir.c_str(), &st), 0);
    EXPECT_EQ(e->process.cgroup_id, uint64_t(st.st_ino)) << l.dir;  // cgroup id = cgroup2 inode
    // Remove the cgroups, deepest first (the child has exited, so they are empty).
    for (fs::path p = dir; p != fs::path(root); p = p.parent_path()) rmdir(p.c_str());
  }
  // Not a container: no docker field.
  pid_t pid = spawn({testprog("exit_with"), "0"});
  wait_status(pid);
  auto e = live.sink().wait_for([pid](const Recorded& r) {
    return r.kind == Recorded::kExec && r.process.pid == uint32_t(pid);
  });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->process.docker, "");
}

TEST(ProcessExec, HostileDirectoryNamesAreReportedExactly) {
  OCTAGON_REQUIRE_SENSOR();
  auto& live = LiveSensor::instance();
  std::string dir = "/tmp/octagon-hostile/new\nline \x1b[31mred\x1b[0m \"q\" \xff\xfe";
  fs::create_directories(dir);
  pid_t pid = spawn({testprog("exit_with"), "0"}, dir);
  wait_status(pid);
  auto e = live.sink().wait_for([pid](const Recorded& r) {
    return r.kind == Recorded::kExec && r.process.pid == uint32_t(pid);
  });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->process.cwd, dir);  // byte for byte; escaping is the exporters' job
  fs::remove_all("/tmp/octagon-hostile");
}

TEST(ProcessExec, CwdLongerThanPathLimitIsFlagged) {
  OCTAGON_REQUIRE_SENSOR();
  auto& live = LiveSensor::instance();
  // 24 levels of 200-byte names: about 4.8 KB, more than the 4 KiB the walk keeps.
  std::string base = "/tmp/octagon-deep";
  fs::create_directories(base);
  std::string name(200, 'd');
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(base.c_str())) _exit(120);
    for (int i = 0; i < 24; i++) {
      mkdir(name.c_str(), 0755);
      if (chdir(name.c_str())) _exit(121);
    }
    std::string prog = testprog("exit_with");
    execl(prog.c_str(), prog.c_str(), "0", nullptr);
    _exit(127);
  }
  ASSERT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto e = live.sink().wait_for([pid](const Recorded& r) {
    return r.kind == Recorded::kExec && r.process.pid == uint32_t(pid) &&
           r.process.binary.find("exit_with") != std::string::npos;
  });
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->process.flags & events::kFlagErrorPathResolutionCwd);
  // What was kept is the deepest part of the path, ending in the leaf directory.
  EXPECT_EQ(e->process.cwd.substr(e->process.cwd.size() - name.size() - 1), "/" + name);
  EXPECT_LE(e->process.cwd.size(), 4096u);
  fs::remove_all(base);
}

}  // namespace
}  // namespace octagon::testing
