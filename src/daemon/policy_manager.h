// PolicyManager: TracingPolicy lifecycle in the agent. A policy is parsed, compiled for this
// kernel, and loaded as one generic hook instance per hook (two for syscall entry/exit pairs);
// unloading removes every program and map it created. A policy either loads whole or not at
// all.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <octagon/base/result.h>
#include <octagon/daemon/hook_registry.h>
#include <octagon/policy/compiler.h>
#include <octagon/sensors/generic/generic_hook.h>
#include <octagon/sensors/generic/kernel_btf.h>
#include <octagon/sensors/process/process_sensor.h>

namespace octagon::daemon {

struct PolicyStatus {
  std::string name;
  std::string mode;                     // "enforce" | "monitor"
  std::vector<std::string> mechanisms;  // per hook: what it runs on
  std::vector<std::string> notes;
  uint64_t kernel_memory_bytes = 0;
  uint64_t posted = 0, signals = 0, monitor_signals = 0, nopost = 0, ringbuf_full = 0;
};

class PolicyManager {
 public:
  PolicyManager(const sensors::ProcessSensor& sensor, HookRegistry& registry,
                policy::KernelFacts& kernel);
  ~PolicyManager();

  Result<std::string> add_file(const std::string& path);
  Result<std::vector<std::string>> add_dir(const std::string& dir);
  Result<std::string> add(const policy::TracingPolicy& policy, const policy::CompileOptions& opts = {});
  Result<void> remove(const std::string& name);
  std::vector<PolicyStatus> status() const;

 private:
  struct Loaded;
  const sensors::ProcessSensor& sensor_;
  HookRegistry& registry_;
  policy::KernelFacts& kernel_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Loaded>> loaded_;
};

// KernelFacts from the running kernel's tracefs (mounted at /sys/kernel/tracing if needed).
class TracefsKernelFacts : public policy::KernelFacts {
 public:
  static Result<std::unique_ptr<TracefsKernelFacts>> create();
  Result<std::vector<policy::FormatField>> tracepoint_fields(const std::string& subsystem,
                                                             const std::string& event) override;
  std::string syscall_prefix() const override;
  std::optional<int> syscall_number(const std::string& name) const override;
  // The kernel's BTF, read on first use (nullptr when the kernel has none).
  policy::BtfFacts* btf() override;

 private:
  std::string root_;
  std::unique_ptr<sensors::KernelBtf> btf_;
  bool btf_tried_ = false;
};

}  // namespace octagon::daemon
