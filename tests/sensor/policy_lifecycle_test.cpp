// PolicyManager on the running kernel: runtime disable/enable/delete, mode changes without a
// reload, per-selector counters, and unload/reload loops that must not leak programs, maps
// or links.
#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <octagon/bpf/feature_probe.h>
#include <octagon/daemon/hook_registry.h>
#include <octagon/daemon/policy_manager.h>
#include <octagon/policy/parser.h>

#include "sensor/bpf_object_ids.h"
#include "sensor/generic_records.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

// unlinkat(dfd, path, flags) with a path ending in `marker`; action Post or Sigkill.
std::string unlink_policy(const std::string& name, const std::string& marker, const char* action) {
  return "apiVersion: cilium.io/v1alpha1\n"
         "kind: TracingPolicy\n"
         "metadata:\n  name: " + name + "\n"
         "spec:\n"
         "  kprobes:\n"
         "  - call: sys_unlinkat\n"
         "    syscall: true\n"
         "    args:\n"
         "    - index: 1\n      type: string\n"
         "    selectors:\n"
         "    - matchArgs:\n"
         "      - index: 1\n        operator: Postfix\n        values: [\"" + marker + "\"]\n"
         "      matchActions:\n"
         "      - action: " + action + "\n";
}

struct Rig {
  bpf::FeatureProbe probe;
  std::unique_ptr<sensors::ProcessSensor> sensor;
  PolicyRecordReader reader;
  std::unique_ptr<bpf::RingBufferReader> rb;
  daemon::HookRegistry registry;
  std::unique_ptr<daemon::TracefsKernelFacts> facts;
  std::unique_ptr<daemon::PolicyManager> manager;

  Rig() {
    auto s = sensors::ProcessSensor::create(sensors::ProcessSensorConfig{}, probe);
    if (!s) ADD_FAILURE() << s.error().describe();
    sensor = std::move(*s);
    rb = std::move(*bpf::RingBufferReader::create(sensor->ring_buffer_fd(), reader));
    auto f = daemon::TracefsKernelFacts::create();
    if (!f) ADD_FAILURE() << f.error().describe();
    facts = std::move(*f);
    manager = std::make_unique<daemon::PolicyManager>(*sensor, registry, *facts);
  }
  Result<std::string> add(const std::string& yaml) {
    OCTAGON_ASSIGN_OR_RETURN(policy::TracingPolicy p, policy::parse_policy(yaml, "test.yaml"));
    return manager->add(p);
  }
  // Records that reached user space since the last call.
  size_t drain() {
    (void)rb->poll(0);
    size_t n = reader.got.size();
    reader.got.clear();
    return n;
  }
  daemon::PolicyStatus status(const std::string& name) {
    for (auto& s : manager->status())
      if (s.name == name) return s;
    ADD_FAILURE() << "no status for " << name;
    return {};
  }
};

void trigger(const std::string& path) { unlinkat(AT_FDCWD, path.c_str(), 0); }

// A child that hits the hook, then exits 0 if it was not killed. Returns its wait status.
int child_triggers(const std::string& path) {
  pid_t pid = fork();
  if (pid == 0) {
    trigger(path);
    _exit(0);
  }
  return wait_status(pid);
}

TEST(PolicyLifecycle, DisableEnableAndDeleteAtRuntime) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  std::string marker = "octagon-lc-" + std::to_string(getpid());
  auto name = rig.add(unlink_policy("lifecycle", marker, "Post"));
  ASSERT_TRUE(name) << name.error().describe();
  rig.drain();

  trigger("/tmp/" + marker);
  trigger("/tmp/other-file");
  EXPECT_EQ(rig.drain(), 1u);
  auto st = rig.status("lifecycle");
  EXPECT_EQ(st.state, daemon::PolicyState::kEnabled);
  EXPECT_GT(st.kernel_memory_bytes, 0u);
  EXPECT_EQ(st.posted, 1u);
  ASSERT_EQ(st.hooks.size(), 1u);
  ASSERT_EQ(st.hooks[0].selectors.size(), 1u);
  EXPECT_EQ(st.hooks[0].selectors[0].posted, 1u);

  ASSERT_TRUE(rig.manager->disable("lifecycle"));
  trigger("/tmp/" + marker);
  EXPECT_EQ(rig.drain(), 0u);
  st = rig.status("lifecycle");
  EXPECT_EQ(st.state, daemon::PolicyState::kDisabled);
  EXPECT_EQ(st.kernel_memory_bytes, 0u);

  ASSERT_TRUE(rig.manager->enable("lifecycle"));
  trigger("/tmp/" + marker);
  EXPECT_EQ(rig.drain(), 1u);
  EXPECT_EQ(rig.status("lifecycle").state, daemon::PolicyState::kEnabled);

  ASSERT_TRUE(rig.manager->remove("lifecycle"));
  trigger("/tmp/" + marker);
  EXPECT_EQ(rig.drain(), 0u);
  EXPECT_TRUE(rig.manager->status().empty());
  auto again = rig.manager->remove("lifecycle");
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message().find("no policy lifecycle"), std::string::npos);
}

TEST(PolicyLifecycle, ModeSwitchesAtRuntimeWithoutReload) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  std::string marker = "octagon-kill-" + std::to_string(getpid());
  auto name = rig.add(unlink_policy("killer", marker, "Sigkill"));
  ASSERT_TRUE(name) << name.error().describe();
  uint64_t mem = rig.status("killer").kernel_memory_bytes;

  int ws = child_triggers("/tmp/" + marker);
  ASSERT_TRUE(WIFSIGNALED(ws)) << "enforce mode must kill, status " << ws;
  EXPECT_EQ(WTERMSIG(ws), SIGKILL);

  ASSERT_TRUE(rig.manager->set_mode("killer", policy::PolicyMode::kMonitor));
  ws = child_triggers("/tmp/" + marker);
  ASSERT_TRUE(WIFEXITED(ws)) << "monitor mode must not kill, status " << ws;
  auto st = rig.status("killer");
  EXPECT_EQ(st.mode, "monitor");
  EXPECT_EQ(st.signals, 1u);
  EXPECT_EQ(st.monitor_signals, 1u);
  EXPECT_EQ(st.kernel_memory_bytes, mem);  // same programs: nothing was reloaded

  ASSERT_TRUE(rig.manager->set_mode("killer", policy::PolicyMode::kEnforce));
  ws = child_triggers("/tmp/" + marker);
  EXPECT_TRUE(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL) << "status " << ws;
  EXPECT_EQ(rig.status("killer").signals, 2u);

  // The runtime mode survives disable/enable (runtime > load > spec).
  ASSERT_TRUE(rig.manager->set_mode("killer", policy::PolicyMode::kMonitor));
  ASSERT_TRUE(rig.manager->disable("killer"));
  ASSERT_TRUE(rig.manager->enable("killer"));
  ws = child_triggers("/tmp/" + marker);
  EXPECT_TRUE(WIFEXITED(ws)) << "status " << ws;
  EXPECT_EQ(rig.status("killer").mode, "monitor");
  EXPECT_FALSE(rig.manager->set_mode("nope", policy::PolicyMode::kMonitor));
}

TEST(PolicyLifecycle, UnloadReloadLoopsLeakNothing) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  rig.drain();
  // Ids of what exists before: every object the loop creates must be gone after it.
  BpfObjectIds before;
  std::string marker = "octagon-leak-" + std::to_string(getpid());
  for (int i = 0; i < 10; i++) {
    auto name = rig.add(unlink_policy("leak", marker, "Post"));
    ASSERT_TRUE(name) << name.error().describe();
    ASSERT_GT(count_bpf_ids(bpf_prog_get_next_id), before.progs.size());
    ASSERT_TRUE(rig.manager->disable("leak"));
    ASSERT_TRUE(rig.manager->enable("leak"));
    trigger("/tmp/" + marker);
    ASSERT_TRUE(rig.manager->remove("leak"));
  }
  EXPECT_EQ(rig.drain(), 10u);
  // A policy whose second hook does not exist on this kernel is refused whole.
  auto bad = rig.add(
      "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: half\nspec:\n"
      "  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_unlinkat\n"
      "  - subsystem: syscalls\n    event: sys_enter_no_such_call\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("sys_enter_no_such_call"), std::string::npos);
  EXPECT_TRUE(rig.manager->status().empty());
  before.wait_all_gone();
  EXPECT_EQ(before.progs_since(), "") << "programs leaked";
  EXPECT_EQ(before.maps_since(), "") << "maps leaked";
  EXPECT_EQ(before.links_since(), "") << "links leaked";
}

}  // namespace
}  // namespace octagon::testing
