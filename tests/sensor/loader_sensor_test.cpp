// The loader sensor on the running kernel (no BPF, no kprobes: perf mmap2 records): a real
// child's executable mappings arrive with its pid, the file's path and the build id of the
// file's NT_GNU_BUILD_ID note; policies with `loader: true` start and stop the sensor, and
// loading/unloading them leaves no perf descriptor open.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <cstring>
#include <thread>

#include <octagon/daemon/hook_registry.h>
#include <octagon/daemon/policy_manager.h>
#include <octagon/policy/parser.h>
#include <octagon/sensors/loader/loader_hub.h>
#include <octagon/sensors/loader/loader_sensor.h>

#include "common/elf_build_id.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

// Runs `path` (no arguments) and returns its pid once it has exited.
pid_t run(const std::string& path) {
  pid_t pid = fork();
  if (pid == 0) {
    execl(path.c_str(), path.c_str(), nullptr);
    _exit(127);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << path << " status " << st;
  return pid;
}

// The mappings of `pid` among those drained within about two seconds, once `want` is seen.
std::vector<sensors::MmapRecord> mappings_of(sensors::LoaderSensor& s, pid_t pid, const std::string& want) {
  std::vector<sensors::MmapRecord> mine, batch;
  for (int i = 0; i < 200; i++) {
    batch.clear();
    s.drain(batch);
    for (auto& r : batch)
      if (r.pid == static_cast<uint32_t>(pid)) mine.push_back(r);
    for (auto& r : mine)
      if (r.path.find(want) != std::string::npos) return mine;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return mine;
}

// Descriptors of this process that are perf events.
int perf_fds() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  if (!d) return -1;
  while (dirent* e = readdir(d)) {
    char target[256] = {};
    std::string link = std::string("/proc/self/fd/") + e->d_name;
    ssize_t len = readlink(link.c_str(), target, sizeof(target) - 1);
    if (len > 0 && std::strstr(target, "perf_event")) n++;
  }
  closedir(d);
  return n;
}

const sensors::MmapRecord* find(const std::vector<sensors::MmapRecord>& v, const std::string& suffix) {
  for (const auto& r : v)
    if (r.path.size() >= suffix.size() && r.path.compare(r.path.size() - suffix.size(), suffix.size(), suffix) == 0)
      return &r;
  return nullptr;
}

// The type of the file system mounted where `path` lives (/proc/self/mountinfo: 9p reports its
// host's type to statfs).
std::string fs_type_of(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line, best_mp, best_type;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string id, parent, dev, root, mp, tok, type;
    ls >> id >> parent >> dev >> root >> mp;
    while (ls >> tok && tok != "-") {
    }
    ls >> type;
    bool under = path.rfind(mp, 0) == 0 && (mp == "/" || path.size() == mp.size() || path[mp.size()] == '/');
    if (under && mp.size() >= best_mp.size()) {
      best_mp = mp;
      best_type = type;
    }
  }
  return best_type;
}

TEST(LoaderSensor, ChildMappingsCarryPathAndElfBuildId) {
  OCTAGON_REQUIRE_SENSOR();
  auto s = sensors::LoaderSensor::create();
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_TRUE((*s)->build_ids()) << "Linux 6.18 has perf build ids";
  EXPECT_NE((*s)->mechanism().find("no kprobe needed"), std::string::npos);
  EXPECT_EQ(static_cast<long>((*s)->cpus()), sysconf(_SC_NPROCESSORS_ONLN));

  const std::string prog = std::string(OCTAGON_TESTPROGS_DIR) + "/exit_with";
  const pid_t pid = run(prog);
  auto mine = mappings_of(**s, pid, "libc.so");
  // The program itself (mapped by the kernel's exec) and libc (mapped by ld.so).
  const sensors::MmapRecord* bin = find(mine, "/exit_with");
  ASSERT_NE(bin, nullptr) << "no mapping of " << prog << " for pid " << pid << " among " << mine.size();
  const std::string bin_id = elf_build_id(prog);
  ASSERT_FALSE(bin_id.empty()) << prog << " has no build id note";
  // The kernel takes a mapping's build id from the file's first page only when that page is in
  // the page cache: a binary on 9p (the VM tier's build directory) may come without one.
  const bool on_9p = fs_type_of(prog) == "9p";
  if (!(on_9p && bin->build_id_size == 0)) {
    EXPECT_EQ(hex_of(std::string(reinterpret_cast<const char*>(bin->build_id), bin->build_id_size)), hex_of(bin_id));
  }
  EXPECT_NE(bin->ktime, 0u);

  const sensors::MmapRecord* libc = find(mine, "libc.so.6");
  ASSERT_NE(libc, nullptr);
  const std::string libc_id = elf_build_id(libc->path);
  ASSERT_FALSE(libc_id.empty()) << libc->path;
  EXPECT_EQ(hex_of(std::string(reinterpret_cast<const char*>(libc->build_id), libc->build_id_size)), hex_of(libc_id));
  EXPECT_EQ(libc->tid, static_cast<uint32_t>(pid));
  EXPECT_EQ((*s)->stats().malformed, 0u);
  EXPECT_GE((*s)->stats().records, 2u);
}

// A tiny ring (one page per CPU) overflows under a burst of execs: the kernel's
// PERF_RECORD_LOST counts reach the stats instead of vanishing.
TEST(LoaderSensor, OverflowIsCounted) {
  OCTAGON_REQUIRE_SENSOR();
  sensors::LoaderSensorConfig cfg;
  cfg.ring_pages = 1;
  auto s = sensors::LoaderSensor::create(cfg);
  ASSERT_TRUE(s) << s.error().describe();
  const std::string prog = std::string(OCTAGON_TESTPROGS_DIR) + "/exit_with";
  for (int i = 0; i < 60; i++) run(prog);
  std::vector<sensors::MmapRecord> out;
  (*s)->drain(out);
  // The kernel writes PERF_RECORD_LOST once the ring has room again: make room, map again.
  for (int i = 0; i < 4; i++) run(prog);
  (*s)->drain(out);
  sensors::LoaderStats st = (*s)->stats();
  EXPECT_GT(st.lost, 0u) << "records " << st.records;
  EXPECT_EQ(st.records, out.size());
}

std::string loader_policy(const std::string& name) {
  return "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: " + name +
         "\nspec:\n  loader: true\n";
}

TEST(LoaderSensor, PoliciesShareTheSensorAndUnloadLeavesNoPerfFd) {
  OCTAGON_REQUIRE_SENSOR();
  bpf::FeatureProbe probe;
  auto sensor = sensors::ProcessSensor::create(sensors::ProcessSensorConfig{}, probe);
  ASSERT_TRUE(sensor) << sensor.error().describe();
  auto facts = daemon::TracefsKernelFacts::create();
  ASSERT_TRUE(facts) << facts.error().describe();
  daemon::HookRegistry registry;
  sensors::LoaderHub hub;
  daemon::PolicyManager manager(**sensor, registry, **facts);
  manager.set_loader(&hub);
  const int before = perf_fds();
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  auto add = [&](const std::string& name) {
    auto p = policy::parse_policy(loader_policy(name), "loader.yaml");
    EXPECT_TRUE(p) << p.error().describe();
    auto r = manager.add(*p);
    EXPECT_TRUE(r) << r.error().describe();
  };
  for (int round = 0; round < 5; round++) {
    add("loader-a");
    EXPECT_EQ(perf_fds(), before + cpus);
    add("loader-b");  // shares the running sensor
    EXPECT_EQ(perf_fds(), before + cpus);
    EXPECT_EQ(hub.stats().users, 2u);
    for (const auto& st : manager.status()) {
      ASSERT_EQ(st.mechanisms.size(), 1u);
      EXPECT_NE(st.mechanisms[0].find("perf mmap2 records read in user space"), std::string::npos);
      EXPECT_NE(st.mechanisms[0].find("no kprobe needed"), std::string::npos);
    }
    ASSERT_TRUE(manager.disable("loader-a"));
    EXPECT_EQ(perf_fds(), before + cpus);  // b still holds it
    ASSERT_TRUE(manager.remove("loader-b"));
    EXPECT_EQ(perf_fds(), before);  // a is disabled: no user left
    EXPECT_FALSE(hub.stats().active);
    ASSERT_TRUE(manager.enable("loader-a"));
    EXPECT_TRUE(hub.stats().active);
    ASSERT_TRUE(manager.remove("loader-a"));
    EXPECT_EQ(perf_fds(), before);
  }
  EXPECT_EQ(hub.stats().users, 0u);
}

}  // namespace
}  // namespace octagon::testing
