// PolicyManager: TracingPolicy lifecycle in the agent. A policy is parsed, compiled for this
// kernel, and loaded as one generic hook instance per hook (two for syscall entry/exit pairs).
// At runtime a policy can be added, deleted, disabled (its programs unloaded, the policy
// kept), enabled again, and switched between enforce and monitor mode without reloading
// (runtime mode > load-time mode > spec mode). Unloading removes every program and map the
// policy created. A policy either loads whole or not at all.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <octagon/base/result.h>
#include <octagon/daemon/hook_registry.h>
#include <octagon/daemon/tracefs_kernel_facts.h>
#include <octagon/policy/compiler.h>
#include <octagon/sensors/generic/generic_hook.h>
#include <octagon/sensors/loader/loader_hub.h>
#include <octagon/sensors/process/process_sensor.h>

namespace octagon::daemon {

// Tetragon's TracingPolicyState values.
enum class PolicyState { kUnknown = 0, kEnabled = 1, kDisabled = 2, kLoadError = 3, kError = 4 };
const char* policy_state_name(PolicyState s);  // "enabled", "disabled", "load_error", "error"

// Kernel counters of one selector (gen_stats, summed over CPUs and the hook's halves).
struct SelectorCounters {
  uint64_t posted = 0, signals = 0, monitor_signals = 0, signal_failed = 0, nopost = 0,
           rate_limited = 0, ringbuf_full = 0;
  uint64_t overrides = 0, monitor_overrides = 0;  // Override done / not done (monitor, observe-only)
};

struct HookStatus {
  std::string mechanism;
  std::vector<SelectorCounters> selectors;  // index = selector (one row when it has none)
};

struct PolicyStatus {
  uint64_t id = 0;
  std::string name;
  std::string namespace_;
  PolicyState state = PolicyState::kUnknown;
  std::string error;                    // why the last enable failed
  std::string mode;                     // "enforce" | "monitor"
  std::vector<std::string> mechanisms;  // per hook: what it runs on
  std::vector<std::string> notes;
  uint64_t kernel_memory_bytes = 0;
  uint64_t posted = 0, signals = 0, monitor_signals = 0, nopost = 0, ringbuf_full = 0;
  // Events a Post rateLimit suppressed; signals the kernel refused to send (not enforced).
  uint64_t rate_limited = 0, signal_failed = 0;
  std::vector<HookStatus> hooks;  // per hook, its selectors' counters (zero while disabled)
};

class PolicyManager {
 public:
  PolicyManager(const sensors::ProcessSensor& sensor, HookRegistry& registry,
                policy::KernelFacts& kernel);
  ~PolicyManager();

  Result<std::string> add_file(const std::string& path);
  Result<std::vector<std::string>> add_dir(const std::string& dir);
  // Compiles and loads `policy`; nothing is kept when that fails.
  Result<std::string> add(const policy::TracingPolicy& policy, const policy::CompileOptions& opts = {});
  Result<void> remove(const std::string& name);
  // Disable unloads the policy's programs and keeps the policy; enable loads them again.
  Result<void> enable(const std::string& name);
  Result<void> disable(const std::string& name);
  // Runtime mode: rewrites the loaded plans in place (no reload, no missed events).
  Result<void> set_mode(const std::string& name, policy::PolicyMode mode);
  std::vector<PolicyStatus> status() const;
  // The loader sensor that policies with `loader: true` hold while enabled (null: such policies
  // fail to load). Set before the first add().
  void set_loader(sensors::LoaderHub* loader) { loader_ = loader; }

  struct Entry;  // one policy (policy_manager.cpp)

 private:
  Result<void> load(Entry& e);  // compile + load + attach; on failure nothing stays loaded
  void unload(Entry& e);
  Entry* find(const std::string& name);

  const sensors::ProcessSensor& sensor_;
  HookRegistry& registry_;
  policy::KernelFacts& kernel_;
  sensors::LoaderHub* loader_ = nullptr;
  mutable std::mutex mu_;  // held across loads: policy operations are serialised
  std::map<std::string, std::unique_ptr<Entry>> policies_;
  uint64_t next_id_ = 1;
};

}  // namespace octagon::daemon
