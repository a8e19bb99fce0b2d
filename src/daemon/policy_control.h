// The gRPC policy methods' view of the agent's PolicyManager (api::PolicyControl). The agent
// starts the API server after creating the manager; without one (the kernel has no tracefs)
// the calls fail with the reason.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <octagon/api/policy_control.h>
#include <octagon/daemon/policy_manager.h>
#include <octagon/policy/parser.h>

namespace octagon::daemon {

class ManagerPolicyControl : public api::PolicyControl {
 public:
  explicit ManagerPolicyControl(const std::unique_ptr<PolicyManager>& manager) : manager_(manager) {}

  Result<std::string> add_yaml(const std::string& yaml) override {
    OCTAGON_ASSIGN_OR_RETURN(PolicyManager * m, get());
    OCTAGON_ASSIGN_OR_RETURN(policy::TracingPolicy p, policy::parse_policy(yaml, "<AddTracingPolicy>"));
    return m->add(p);
  }
  Result<void> remove(const std::string& name) override {
    OCTAGON_ASSIGN_OR_RETURN(PolicyManager * m, get());
    return m->remove(name);
  }
  Result<void> enable(const std::string& name) override {
    OCTAGON_ASSIGN_OR_RETURN(PolicyManager * m, get());
    return m->enable(name);
  }
  Result<void> disable(const std::string& name) override {
    OCTAGON_ASSIGN_OR_RETURN(PolicyManager * m, get());
    return m->disable(name);
  }
  Result<void> set_monitor(const std::string& name, bool monitor) override {
    OCTAGON_ASSIGN_OR_RETURN(PolicyManager * m, get());
    return m->set_mode(name, monitor ? policy::PolicyMode::kMonitor : policy::PolicyMode::kEnforce);
  }
  std::vector<api::PolicyInfo> list() override {
    std::vector<api::PolicyInfo> out;
    if (!manager_) return out;
    for (const PolicyStatus& s : manager_->status()) {
      api::PolicyInfo i;
      i.id = s.id;
      i.name = s.name;
      i.namespace_ = s.namespace_;
      i.state = static_cast<int>(s.state);
      i.error = s.error;
      i.monitor = s.mode == "monitor";
      i.sensors = s.mechanisms;
      i.kernel_memory_bytes = s.kernel_memory_bytes;
      i.posted = s.posted;
      i.signals = s.signals;
      i.monitor_signals = s.monitor_signals;
      out.push_back(std::move(i));
    }
    return out;
  }

 private:
  Result<PolicyManager*> get() {
    if (!manager_) return make_error(EAGAIN, "the policy engine is not running (tracefs unavailable; see the agent's log)");
    return manager_.get();
  }
  const std::unique_ptr<PolicyManager>& manager_;
};

}  // namespace octagon::daemon
