#include <octagon/daemon/agent.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <optional>

#include <octagon/base/log.h>
#include <octagon/base/version.h>
#include <octagon/bpf/libbpf_log.h>
#include <octagon/daemon/config_tls.h>
#include <octagon/daemon/export_fields.h>
#include <octagon/daemon/procfs_seed.h>
#include <octagon/exporters/sinks/file_sink.h>

namespace octagon::daemon {
namespace {

constexpr int kPollMs = 10;  // BPF side wakes us only at 1/4 full: this bounds latency

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGHUP);
  return set;
}

// The host's namespaces (for `is_host`): those of pid 1, or, where pid 1's are not readable
// (some sandboxes deny it even to root), the agent's own, which is what a host agent runs in.
events::Namespaces host_namespaces(const std::string& procfs) {
  std::string base = procfs + "/1/ns/";
  struct stat probe{};
  if (stat((base + "uts").c_str(), &probe) != 0) {
    OCTAGON_LOG_INFO("%s not readable: is_host compares with the agent's own namespaces",
                     base.c_str());
    base = procfs + "/self/ns/";
  }
  auto inum = [&](const char* name) -> uint32_t {
    struct stat st{};
    return stat((base + name).c_str(), &st) == 0 ? static_cast<uint32_t>(st.st_ino) : 0;
  };
  return {inum("uts"), inum("ipc"), inum("mnt"), inum("pid"), inum("pid_for_children"),
          inum("net"), inum("time"), inum("time_for_children"), inum("cgroup"), inum("user")};
}

}  // namespace

Agent::Agent(const AgentConfig& config) : config_(config), cache_(config.process_cache_size) {}

Agent::~Agent() {
  metrics_server_.reset();
  reader_stop_ = true;
  if (reader_thread_.joinable()) reader_thread_.join();
  stop_api();
  for (auto& e : exporters_) e->stop();
  policies_.reset();
}

Result<void> Agent::open_exporters() {
  events::RenderOptions render;
  render.include_cap = config_.enable_process_cred;
  render.include_creds = config_.enable_process_cred;
  render.include_ns = config_.enable_process_ns;
  events::Namespaces host = host_namespaces(config_.procfs);
  render_ = render;
  host_ns_ = host;
  pipeline::ExportWorkerOptions wopts;
  wopts.queue_bytes = config_.rb_queue_size;
  // Write in batches: wake the writer at 64 KiB queued, else flush every 50 ms.
  wopts.wake_bytes = std::min<size_t>(64 * 1024, config_.rb_queue_size / 4);
  wopts.idle_wait = std::chrono::milliseconds(50);

  auto json = [&] {
    exporters::JsonEncoder enc(config_.node_name, render);
    enc.set_host_namespaces(host);
    return enc;
  };
  // Each exporter compiles its own lists (EventFilter's pid_set learns as events pass) and has
  // its own rate-limit window.
  auto controls = [&]() -> Result<ExportControls> {
    ExportControls c;
    api::EventToProto converter(config_.node_name, render);
    converter.set_host_namespaces(host);
    OCTAGON_ASSIGN_OR_RETURN(c.filter, ExportFilter::create(config_.export_allowlist,
                                                            config_.export_denylist,
                                                            std::move(converter)));
    c.rate_limit = config_.export_rate_limit;
    c.node_name = config_.node_name;
    auto fields = parse_field_filters(config_.field_filters);
    if (!fields) return make_error(EINVAL, "--field-filters: " + fields.error().message());
    c.fields = std::move(*fields);
    if (config_.enable_export_aggregation) c.aggregation_buffer = config_.export_aggregation_buffer_size;
    return c;
  };
  if (!config_.export_filename.empty()) {
    OCTAGON_ASSIGN_OR_RETURN(auto sink, exporters::FileSink::create(
                                            config_.export_filename,
                                            config_.export_file_max_size_mb << 20,
                                            config_.export_file_max_backups, config_.export_file_perm));
    OCTAGON_ASSIGN_OR_RETURN(auto worker, pipeline::ExportWorker::create(std::move(sink), wopts));
    OCTAGON_ASSIGN_OR_RETURN(auto ctl, controls());
    exporters_.push_back(std::make_unique<EncodingExporter>(json(), std::move(worker), clock_,
                                                            std::move(ctl)));
  }
  if (config_.export_stdout) {
    auto sink = std::make_unique<exporters::StdoutSink>();
    OCTAGON_ASSIGN_OR_RETURN(auto worker, pipeline::ExportWorker::create(std::move(sink), wopts));
    OCTAGON_ASSIGN_OR_RETURN(auto ctl, controls());
    if (config_.output == OutputFormat::kCompact) {
      bool color = config_.color == ColorMode::kAlways ||
                   (config_.color == ColorMode::kAuto && isatty(STDOUT_FILENO));
      exporters_.push_back(std::make_unique<EncodingExporter>(
          exporters::CompactEncoder(config_.node_name, false, color, config_.enable_process_cred),
          std::move(worker), clock_, std::move(ctl)));
    } else {
      exporters_.push_back(std::make_unique<EncodingExporter>(json(), std::move(worker), clock_,
                                                              std::move(ctl)));
    }
  }
  return ok();
}

Result<std::unique_ptr<Agent>> Agent::create(const AgentConfig& config, bpf::FeatureProbe& probe) {
  OCTAGON_TRY(probe.check_privileges());
  // Every thread started from here on inherits this mask; run() takes the signals with
  // sigtimedwait, so no thread is ever interrupted by them.
  sigset_t set = handled_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK; newer ones use memcg. Failing to
  // raise it (no CAP_SYS_RESOURCE) is harmless on the latter, so it is only logged.
  rlimit rl{RLIM_INFINITY, RLIM_INFINITY};
  if (setrlimit(RLIMIT_MEMLOCK, &rl) != 0)
    OCTAGON_LOG_DEBUG("could not raise RLIMIT_MEMLOCK (fine on Linux 5.11+)");
  bpf::install_libbpf_logger();

  std::unique_ptr<Agent> agent(new Agent(config));
  agent->started_ns_ = agent->clock_.boot_now_ns();
  if (auto r = agent->open_exporters(); !r) return make_error(r.error().wrap("open exports"));
  if (auto r = agent->start_metrics(); !r) return make_error(r.error());

  sensors::ProcessSensorConfig scfg;
  scfg.ring_buffer_bytes = static_cast<uint32_t>(config.rb_size);
  scfg.process_map_entries = config.execve_map_entries;
  scfg.args_cap = config.args_max_size;
  OCTAGON_ASSIGN_OR_RETURN(agent->sensor_, sensors::ProcessSensor::create(scfg, probe));

  ProcessorOptions popts{config.node_name, ancestors_enabled(config, "base"), 64, config.procfs,
                         config.expose_stack_addresses};
  auto redaction = Redaction::create(config.redaction_filters);
  if (!redaction) return make_error(EINVAL, "--redaction-filters: " + redaction.error().message());
  agent->redaction_ = std::move(*redaction);
  popts.redaction = agent->redaction_.get();
  agent->processor_ = std::make_unique<EventProcessor>(popts, agent->cache_, agent->clock_);
  if (!config.tracing_policy.empty() || !config.tracing_policy_dir.empty()) {
    agent->user_actions_ = std::make_unique<UserActionRunner>();
    agent->processor_->set_user_actions(agent->user_actions_.get());
  }
  for (auto& e : agent->exporters_) agent->processor_->add_sink(e.get());
  agent->processor_->set_hook_registry(&agent->hooks_);
  agent->processor_->set_loader(&agent->loader_hub_);
  if (auto r = agent->load_policies(); !r) return make_error(r.error());
  // After the policy manager exists: the server's policy methods read it from their threads.
  // No event is lost meanwhile: the ring buffer is read only once the agent runs.
  if (auto r = agent->start_api(agent->render_, agent->host_ns_); !r)
    return make_error(r.error().wrap("start the gRPC API"));
  OCTAGON_ASSIGN_OR_RETURN(SeedResult seeded,
                           seed_from_procfs(*agent->processor_, *agent->sensor_, config.procfs,
                                            config.args_max_size));
  OCTAGON_LOG_INFO("seeded %zu processes from %s", seeded.processes, config.procfs.c_str());
  OCTAGON_ASSIGN_OR_RETURN(agent->reader_, bpf::RingBufferReader::create(
                                               agent->sensor_->ring_buffer_fd(), *agent->processor_));
  return agent;
}

Result<void> Agent::load_policies() {
  // The manager always exists, so that policies can be added at runtime; without policy
  // flags a kernel without tracefs only costs the policy engine, not the agent.
  auto facts = TracefsKernelFacts::create();
  if (!facts) {
    if (config_.tracing_policy.empty() && config_.tracing_policy_dir.empty()) {
      OCTAGON_LOG_WARN("policy engine unavailable: %s", facts.error().message().c_str());
      return ok();
    }
    return make_error(facts.error());
  }
  kernel_facts_ = std::move(*facts);
  policies_ = std::make_unique<PolicyManager>(*sensor_, hooks_, *kernel_facts_);
  policies_->set_loader(&loader_hub_);
  if (!config_.tracing_policy.empty()) {
    OCTAGON_ASSIGN_OR_RETURN(std::string name, policies_->add_file(config_.tracing_policy));
    OCTAGON_LOG_INFO("loaded policy %s from %s", name.c_str(), config_.tracing_policy.c_str());
  }
  if (!config_.tracing_policy_dir.empty()) {
    OCTAGON_ASSIGN_OR_RETURN(auto names, policies_->add_dir(config_.tracing_policy_dir));
    OCTAGON_LOG_INFO("loaded %zu policies from %s", names.size(), config_.tracing_policy_dir.c_str());
  }
  return ok();
}

Result<void> Agent::start_api(const events::RenderOptions& render, const events::Namespaces& host) {
  if (config_.server_address.empty()) return ok();
  hub_ = std::make_unique<api::EventHub>(config_.server_client_queue_size);
  api::EventToProto converter(config_.node_name, render);
  converter.set_host_namespaces(host);
  api_sink_ = std::make_unique<ApiSink>(std::move(converter), *hub_, clock_);
  processor_->add_sink(api_sink_.get());
  policy_control_ = std::make_unique<ManagerPolicyControl>(policies_);
  std::optional<api::ServerTls> tls;
  if (server_tls_files(config_).enabled()) {
    OCTAGON_ASSIGN_OR_RETURN(tls, api::load_server_tls(server_tls_files(config_)));
  }
  api::FilterOptions filter_options;
  filter_options.process_cred = config_.enable_process_cred;
  OCTAGON_ASSIGN_OR_RETURN(api_server_, api::ApiServer::create(config_.server_address, *hub_, kOctagonVersion,
                                                               policy_control_.get(),
                                                               tls ? &*tls : nullptr, filter_options));
  return ok();
}

// Bound before the sensors load, so that a busy address fails fast; /healthz answers 503
// and /metrics waits until run() starts reading events.
Result<void> Agent::start_metrics() {
  if (config_.metrics_server.empty()) return ok();
  auto server = metrics::HttpServer::create(config_.metrics_server, [this](std::string_view path) {
    return serve_agent_http(*this, state_.load(), path);
  });
  if (!server) return make_error(server.error().wrap("--metrics-server " + config_.metrics_server));
  metrics_server_ = std::move(*server);
  OCTAGON_LOG_INFO("metrics server listening on %s (GET /metrics, /healthz)",
                   metrics_server_->address().c_str());
  return ok();
}

void Agent::stop_api() {
  if (hub_) hub_->close();  // GetEvents loops return
  if (api_server_) api_server_->stop();
  api_server_.reset();
}

void Agent::reader_loop() {
  uint64_t last_publish = 0;
  while (!reader_stop_.load(std::memory_order_relaxed)) {
    // Mappings go out in time order with the BPF records (see LoaderHub): those older than the
    // start of this read, whose older BPF records were all in it.
    const uint64_t read_start = clock_.boot_now_ns();
    if (auto r = reader_->poll(kPollMs); !r) OCTAGON_LOG_WARN("%s", r.error().describe().c_str());
    loader_hub_.emit_before(read_start, *processor_);
    uint64_t now = clock_.boot_now_ns();
    if (now - last_publish > 1000000000ull) {
      processor_->publish_cache_stats();
      last_publish = now;
    }
  }
  (void)reader_->poll(0);  // drain what the kernel produced before we were told to stop
  loader_hub_.emit_before(UINT64_MAX, *processor_);
  processor_->publish_cache_stats();
}

Result<void> Agent::run(const std::atomic<bool>* stop) {
  reader_thread_ = std::thread(&Agent::reader_loop, this);
  state_ = AgentState::kRunning;
  sigset_t set = handled_signals();
  uint64_t interval = uint64_t(config_.stats_interval_seconds) * 1000000000ull;
  uint64_t next_stats = clock_.boot_now_ns() + interval;
  while (!(stop && stop->load())) {
    timespec ts{0, 200 * 1000 * 1000};
    int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig == SIGINT || sig == SIGTERM) {
      OCTAGON_LOG_INFO("received %s, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
      break;
    }
    if (sig == SIGUSR1) print_status();
    if (interval && clock_.boot_now_ns() >= next_stats) {
      print_status();
      next_stats += interval;
    }
  }
  state_ = AgentState::kStopping;
  reader_stop_ = true;
  reader_thread_.join();
  for (auto& e : exporters_) e->stop();
  stop_api();
  print_status();
  return ok();
}

StatusSnapshot Agent::status() const {
  StatusSnapshot s;
  s.uptime_ns = clock_.boot_now_ns() - started_ns_;
  s.kernel_missed = sensor_->read_missed();
  s.ringbuf_records = reader_->records();
  const auto& st = processor_->stats();
  for (int i = 0; i < OCT_MSG_OP_MAX; i++) s.received[i] = st.received[i].load();
  s.decode_errors = st.decode_errors.load();
  s.unknown_hook = st.unknown_hook.load();
  s.kprobe_events = st.kprobe_events.load();
  s.tracepoint_events = st.tracepoint_events.load();
  s.uprobe_events = st.uprobe_events.load();
  s.usdt_events = st.usdt_events.load();
  s.lsm_events = st.lsm_events.load();
  s.loader_events = st.loader_events.load();
  s.loader_unknown_process = st.loader_unknown_process.load();
  s.loader = loader_hub_.stats();
  s.exec_events = st.exec_events.load();
  s.exit_events = st.exit_events.load();
  s.exit_unknown = st.exit_unknown.load();
  s.parent_misses = st.parent_misses.load();
  s.seeded = st.seeded.load();
  s.cache = {st.cache_size.load(), st.cache_capacity.load(), st.cache_evictions.load(),
             st.cache_misses.load(), st.cache_removals.load(), st.cache_memory_bytes.load()};
  for (const auto& e : exporters_) {
    ExporterSnapshot x;
    x.name = e->worker().sink_name();
    x.stats = e->worker().stats();
    x.filtered = e->filtered();
    x.rate_limited = e->rate_limited();
    x.aggregation_dropped = e->aggregation_dropped();
    s.exporters.push_back(std::move(x));
  }
  if (policies_) s.policies = policies_->status();
  if (user_actions_) s.user_actions = user_actions_->counts();
  s.user_actions_not_run = st.user_actions_not_run.load();
  s.policy_nopost = st.policy_nopost.load();
  s.stack_kernel_unresolved = st.stack_kernel_unresolved.load();
  s.stack_user_unmapped = st.stack_user_unmapped.load();
  s.stack_maps_errors = st.stack_maps_errors.load();
  s.stack_user_no_symbol = st.stack_user_no_symbol.load();
  // Stats are on with the sysctl, or while someone holds a BPF_ENABLE_STATS descriptor (which
  // the sysctl does not show): then the programs' run counts move.
  s.programs = bpf::own_program_stats();
  s.bpf_stats_enabled = bpf::bpf_stats_enabled();
  for (const auto& p : s.programs) s.bpf_stats_enabled |= p.run_count > 0;
  if (!s.bpf_stats_enabled) s.programs.clear();
  if (hub_) {
    s.api_enabled = true;
    s.api_clients = hub_->client_stats();
    s.api_dropped = hub_->total_dropped();
    s.api_aggregation_dropped = hub_->total_aggregation_dropped();
  }
  return s;
}

void Agent::print_status() const {
  std::string line = render_status_json(status());
  line += '\n';
  fputs(line.c_str(), stderr);
  fflush(stderr);
}

std::string Agent::capability_report(bpf::FeatureProbe& probe) const {
  utsname u{};
  uname(&u);
  std::string out = std::string("kernel ") + u.release + " capabilities:\n";
  for (const auto& h : sensor_->hooks()) {
    out += "  " + h.hook + ": " + h.mechanism;
    if (!h.note.empty()) out += " (" + h.note + ")";
    out += "\n";
  }
  auto line = [&](const char* what, bpf::Feature f, const char* consequence) {
    const auto& p = probe.get(f);
    out += std::string("  ") + what + ": " + (p.ok ? "yes" : "no") + " (" + p.detail + ")";
    if (!p.ok && consequence) out += std::string("; ") + consequence;
    out += "\n";
  };
  line("ring buffer", bpf::Feature::kRingBuf, nullptr);
  line("bpf_loop", bpf::Feature::kBpfLoop, nullptr);
  line("fentry/fexit", bpf::Feature::kFentry, "lifecycle hooks use tracepoints instead");
  line("BPF-LSM", bpf::Feature::kLsm, "not used by the process sensor");
  line("kprobes", bpf::Feature::kKprobe, "not used by the process sensor");
  line("bpf_send_signal", bpf::Feature::kSendSignal, nullptr);
  return out;
}

}  // namespace octagon::daemon
