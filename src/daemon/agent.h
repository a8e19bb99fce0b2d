// Agent: the `octagon agent` daemon. Wires the process sensor, the event processor, the
// process cache and the exporters; runs until SIGINT/SIGTERM; prints status on SIGUSR1.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <octagon/api/event_hub.h>
#include <octagon/api/server.h>
#include <octagon/base/boot_clock.h>
#include <octagon/base/result.h>
#include <octagon/bpf/feature_probe.h>
#include <octagon/bpf/ring_buffer_reader.h>
#include <octagon/daemon/api_sink.h>
#include <octagon/daemon/config.h>
#include <octagon/daemon/encoding_exporter.h>
#include <octagon/daemon/event_processor.h>
#include <octagon/daemon/redaction.h>
#include <octagon/daemon/hook_registry.h>
#include <octagon/daemon/metrics_endpoint.h>
#include <octagon/daemon/policy_control.h>
#include <octagon/daemon/policy_manager.h>
#include <octagon/daemon/status.h>
#include <octagon/events/process_cache.h>
#include <octagon/sensors/process/process_sensor.h>

namespace octagon::daemon {

class Agent {
 public:
  // Checks privileges and kernel features, opens the exports, loads and attaches the sensor,
  // and seeds the process cache. Nothing is started yet.
  static Result<std::unique_ptr<Agent>> create(const AgentConfig& config, bpf::FeatureProbe& probe);
  ~Agent();

  // Runs until a SIGINT/SIGTERM arrives or `stop` becomes true; returns after draining.
  Result<void> run(const std::atomic<bool>* stop = nullptr);

  // "which kernel mechanism each sensor uses, or why one is missing".
  std::string capability_report(bpf::FeatureProbe& probe) const;
  StatusSnapshot status() const;
  PolicyManager* policies() { return policies_.get(); }

 private:
  explicit Agent(const AgentConfig& config);
  Result<void> open_exporters();
  Result<void> load_policies();
  Result<void> start_api(const events::RenderOptions& render, const events::Namespaces& host);
  void stop_api();
  void reader_loop();
  void print_status() const;
  Result<void> start_metrics();

  AgentConfig config_;
  BootClock clock_;
  uint64_t started_ns_ = 0;
  events::ProcessCache cache_;
  std::vector<std::unique_ptr<EncodingExporter>> exporters_;
  events::RenderOptions render_;
  events::Namespaces host_ns_;
  std::unique_ptr<api::EventHub> hub_;        // gRPC GetEvents clients (null: API disabled)
  std::unique_ptr<ApiSink> api_sink_;
  std::unique_ptr<ManagerPolicyControl> policy_control_;  // the API's policy methods
  std::unique_ptr<api::ApiServer> api_server_;
  HookRegistry hooks_;
  std::unique_ptr<UserActionRunner> user_actions_;  // used by processor_: destroyed after it
  std::unique_ptr<Redaction> redaction_;           // used by processor_: destroyed after it
  // Before processor_ and policies_, which use it: destroyed after them.
  sensors::LoaderHub loader_hub_;
  std::unique_ptr<EventProcessor> processor_;
  std::unique_ptr<sensors::ProcessSensor> sensor_;
  std::unique_ptr<TracefsKernelFacts> kernel_facts_;
  std::unique_ptr<PolicyManager> policies_;  // destroyed before the sensor whose maps it shares
  std::unique_ptr<bpf::RingBufferReader> reader_;
  std::atomic<bool> reader_stop_{false};
  std::thread reader_thread_;
  std::atomic<AgentState> state_{AgentState::kStarting};
  // Last: destroyed (its thread joined) first, as its handler reads every member above.
  std::unique_ptr<metrics::HttpServer> metrics_server_;
};

}  // namespace octagon::daemon
