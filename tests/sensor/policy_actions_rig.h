// The agent's policy path in the test process: YAML -> PolicyManager (compile, load, attach)
// -> ring buffer -> EventProcessor (decode, symbolize, agent actions) -> recorded
// process_kprobe events.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <octagon/base/boot_clock.h>
#include <octagon/bpf/feature_probe.h>
#include <octagon/bpf/ring_buffer_reader.h>
#include <octagon/daemon/event_processor.h>
#include <octagon/daemon/hook_registry.h>
#include <octagon/daemon/policy_manager.h>
#include <octagon/daemon/user_actions.h>
#include <octagon/events/process_cache.h>
#include <octagon/policy/parser.h>

#include "sensor/sensor_fixture.h"

namespace octagon::testing {

struct RecordedKprobe {
  uint32_t pid = 0;
  std::string function_name, policy_name;
  events::KprobeAction action = events::KprobeAction::kUnknown;
  std::vector<std::string> string_args;
  std::vector<events::StackTraceEntry> kernel_stack, user_stack;
};

class KprobeRecorder : public daemon::EventSink {
public:
  void on_exec(const events::ExecEvent&) override {}
  void on_exit(const events::ExitEvent&) override {}
  void on_kprobe(const events::KprobeEvent& ev) override {
    RecordedKprobe r;
    r.pid = ev.process ? ev.process->pid : 0;
    r.function_name = ev.function_name;
    r.policy_name = ev.policy_name;
    r.action = ev.action;
    for (const auto& a : ev.args)
      r.string_args.push_back(a.s);
    r.kernel_stack = ev.kernel_stack_trace;
    r.user_stack = ev.user_stack_trace;
    got.push_back(std::move(r));
  }
  // Events whose first argument is `path`.
  std::vector<RecordedKprobe> with_path(const std::string& path) const {
    std::vector<RecordedKprobe> out;
    for (const auto& r : got)
      if (!r.string_args.empty() && r.string_args.back() == path)
        out.push_back(r);
    return out;
  }
  std::vector<RecordedKprobe> got;
};

class AgentPolicyRig {
public:
  AgentPolicyRig() {
    sensors::ProcessSensorConfig cfg;
    auto s = sensors::ProcessSensor::create(cfg, probe_);
    if (!s) {
      ADD_FAILURE() << s.error().describe();
      return;
    }
    sensor_ = std::move(*s);
    auto k = daemon::TracefsKernelFacts::create();
    if (!k) {
      ADD_FAILURE() << k.error().describe();
      return;
    }
    facts_ = std::move(*k);
    daemon::ProcessorOptions opts{"test-node", false, 16};
    processor_ = std::make_unique<daemon::EventProcessor>(opts, cache_, clock_);
    processor_->set_hook_registry(&hooks_);
    processor_->set_user_actions(&runner_);
    processor_->add_sink(&recorder_);
    policies_ = std::make_unique<daemon::PolicyManager>(*sensor_, hooks_, *facts_);
    rb_ = std::move(*bpf::RingBufferReader::create(sensor_->ring_buffer_fd(), *processor_));
  }

  Result<std::string> load(const std::string& yaml, bool monitor = false) {
    OCTAGON_ASSIGN_OR_RETURN(policy::TracingPolicy p,
                             policy::parse_policy(yaml, "test-policy.yaml"));
    policy::CompileOptions o;
    if (monitor)
      o.mode_override = policy::PolicyMode::kMonitor;
    return policies_->add(p, o);
  }
  void drain() { (void)rb_->poll(0); }
  daemon::PolicyStatus status(const std::string& name) const {
    for (auto& s : policies_->status())
      if (s.name == name)
        return s;
    return {};
  }
  const KprobeRecorder& recorder() const { return recorder_; }
  daemon::UserActionRunner& runner() { return runner_; }
  const daemon::ProcessorStats& stats() const { return processor_->stats(); }

private:
  bpf::FeatureProbe probe_;
  BootClock clock_;
  events::ProcessCache cache_{4096};
  daemon::HookRegistry hooks_;
  KprobeRecorder recorder_;
  std::unique_ptr<sensors::ProcessSensor> sensor_;
  std::unique_ptr<daemon::TracefsKernelFacts> facts_;
  daemon::UserActionRunner runner_;
  std::unique_ptr<daemon::EventProcessor> processor_;
  std::unique_ptr<daemon::PolicyManager> policies_; // before the sensor whose maps it shares
  std::unique_ptr<bpf::RingBufferReader> rb_;
};

// A sys_openat kprobe policy whose one selector matches paths starting with `prefix` and runs
// `actions` (YAML lines of matchActions items, indented 6 spaces).
inline std::string openat_policy(const std::string& name, const std::string& prefix,
                                 const std::string& actions, const std::string& spec_extra = "") {
  return "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: " + name +
         "\nspec:\n" + spec_extra +
         "  kprobes:\n"
         "  - call: sys_openat\n"
         "    syscall: true\n"
         "    args:\n"
         "    - {index: 1, type: string}\n"
         "    selectors:\n"
         "    - matchArgs:\n"
         "      - {index: 1, operator: Prefix, values: [\"" +
         prefix +
         "\"]}\n"
         "      matchActions:\n" +
         actions;
}

} // namespace octagon::testing
