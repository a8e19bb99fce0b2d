// PolicyControl: what the gRPC policy methods (Add/Delete/List/ConfigureTracingPolicy) need
// from the agent's policy engine. The daemon implements it over its PolicyManager, so the api
// layer does not depend on the daemon or the sensors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <octagon/base/result.h>

namespace octagon::api {

// One policy as ListTracingPolicies shows it (Tetragon's TracingPolicyStatus).
struct PolicyInfo {
  uint64_t id = 0;
  std::string name;
  std::string namespace_;
  int state = 0;  // Tetragon's TracingPolicyState numbers (1 enabled, 2 disabled, 4 error)
  std::string error;
  bool monitor = false;
  std::vector<std::string> sensors;  // what each hook runs on
  uint64_t kernel_memory_bytes = 0;
  uint64_t posted = 0, signals = 0, monitor_signals = 0;  // summed over selectors
};

class PolicyControl {
 public:
  virtual ~PolicyControl() = default;
  // Errors: EINVAL for a policy that does not parse or compile (message has file:line:col),
  // EEXIST for a name in use, ENOENT for an unknown name, others for load failures.
  virtual Result<std::string> add_yaml(const std::string& yaml) = 0;
  virtual Result<void> remove(const std::string& name) = 0;
  virtual Result<void> enable(const std::string& name) = 0;
  virtual Result<void> disable(const std::string& name) = 0;
  virtual Result<void> set_monitor(const std::string& name, bool monitor) = 0;
  virtual std::vector<PolicyInfo> list() = 0;
};

}  // namespace octagon::api
