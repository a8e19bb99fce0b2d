#include <octagon/daemon/status_metrics.h>

#include <map>

#include <octagon/base/version.h>
#include <octagon/metrics/exposition.h>

namespace octagon::daemon {
namespace {

using metrics::ExpositionWriter;
using metrics::MetricType;
constexpr MetricType kCounter = MetricType::kCounter;
constexpr MetricType kGauge = MetricType::kGauge;

void render_kernel(const StatusSnapshot& s, ExpositionWriter& w) {
  w.family("tetragon_bpf_missed_events_total", kCounter,
           "Events the BPF side could not deliver or read fully, by message type and reason "
           "(ringbuf_full and no_scratch lose the event; process_map_full and read_error degrade it)");
  for (uint32_t op = 1; op < OCT_MSG_OP_MAX; op++)
    for (uint32_t r = 0; r < OCT_MISS_MAX; r++)
      w.sample({{"msg_op", sensors::msg_op_name(op)}, {"error", sensors::miss_reason_name(r)}},
               s.kernel_missed[op][r]);
  w.family("tetragon_observer_ringbuf_events_received_total", kCounter,
           "Records read from the BPF ring buffer");
  w.sample(s.ringbuf_records);
  w.family("tetragon_observer_ringbuf_events_lost_total", kCounter,
           "Events lost before reaching the ring buffer (ring buffer full or no scratch space)");
  w.sample(s.kernel_lost());
  w.family("tetragon_msg_op_total", kCounter, "Ring buffer records received, by message type");
  for (uint32_t op = 1; op < OCT_MSG_OP_MAX; op++)
    w.sample({{"msg_op", sensors::msg_op_name(op)}}, s.received[op]);
  w.family("tetragon_observer_ringbuf_errors_total", kCounter,
           "Ring buffer records that could not be decoded (dropped)");
  w.sample(s.decode_errors);
  w.family("octagon_policy_records_dropped_total", kCounter,
           "Policy records dropped in user space, by reason");
  w.sample({{"reason", "unknown_hook"}}, s.unknown_hook);
  w.family("octagon_events_lost_total", kCounter,
           "All events lost, by side (kernel: not delivered; user: decode errors, unknown hooks, "
           "full export queues, failed writes, export rate limit)");
  w.sample({{"side", "kernel"}}, s.kernel_lost());
  w.sample({{"side", "user"}}, s.user_dropped());
}

void render_events(const StatusSnapshot& s, ExpositionWriter& w) {
  w.family("tetragon_events_total", kCounter, "Events produced by the agent, by type");
  w.sample({{"type", "PROCESS_EXEC"}}, s.exec_events);
  w.sample({{"type", "PROCESS_EXIT"}}, s.exit_events);
  w.sample({{"type", "PROCESS_KPROBE"}}, s.kprobe_events);
  w.sample({{"type", "PROCESS_TRACEPOINT"}}, s.tracepoint_events);
  w.sample({{"type", "PROCESS_UPROBE"}}, s.uprobe_events);
  w.sample({{"type", "PROCESS_USDT"}}, s.usdt_events);
  w.sample({{"type", "PROCESS_LSM"}}, s.lsm_events);
  w.sample({{"type", "PROCESS_LOADER"}}, s.loader_events);
  w.family("octagon_loader_records_dropped_total", kCounter,
           "Executable mappings the loader sensor did not report, by reason (lost: the perf ring "
           "was full; malformed; unknown_process: a pid the process cache did not know)");
  w.sample({{"reason", "lost"}}, s.loader.sensor.lost);
  w.sample({{"reason", "malformed"}}, s.loader.sensor.malformed);
  w.sample({{"reason", "unknown_process"}}, s.loader_unknown_process);
  w.family("octagon_process_events_degraded_total", kCounter,
           "Events sent with less process information, by reason");
  w.sample({{"reason", "exit_unknown_process"}}, s.exit_unknown);
  w.sample({{"reason", "parent_miss"}}, s.parent_misses);
  w.family("octagon_procfs_seeded_processes_total", kCounter,
           "Processes found in procfs at start-up");
  w.sample(s.seeded);
  w.family("tetragon_process_cache_size", kGauge, "Entries in the process cache");
  w.sample(s.cache.size);
  w.family("tetragon_process_cache_capacity", kGauge, "Capacity of the process cache");
  w.sample(s.cache.capacity);
  w.family("tetragon_process_cache_evictions_total", kCounter,
           "Process cache entries evicted because the cache was full");
  w.sample(s.cache.evictions);
  w.family("tetragon_process_cache_misses_total", kCounter,
           "Process cache lookups that found nothing");
  w.sample(s.cache.misses);
  w.family("octagon_process_cache_removals_total", kCounter,
           "Process cache entries removed after their process exited");
  w.sample(s.cache.removals);
  w.family("octagon_process_cache_memory_bytes", kGauge, "Estimated memory of the process cache");
  w.sample(s.cache.memory_bytes);
}

void render_exporters(const StatusSnapshot& s, ExpositionWriter& w) {
  struct Column {
    const char* name;
    const char* help;
    uint64_t pipeline::ExportStats::*field;
  };
  static constexpr Column kColumns[] = {
      {"tetragon_observer_ringbuf_queue_events_received_total",
       "Events offered to an exporter's queue", &pipeline::ExportStats::submitted},
      {"tetragon_observer_ringbuf_queue_events_lost_total",
       "Events dropped because an exporter's queue was full", &pipeline::ExportStats::dropped_queue_full},
      {"tetragon_events_exported_total", "Events an exporter wrote", &pipeline::ExportStats::written},
      {"tetragon_events_exported_bytes_total", "Bytes an exporter wrote", &pipeline::ExportStats::bytes},
      {"octagon_export_write_errors_total", "Failed exporter writes (each loses its batch)",
       &pipeline::ExportStats::write_errors},
      {"octagon_export_write_lost_events_total", "Events lost in failed exporter writes",
       &pipeline::ExportStats::lost_records},
  };
  for (const Column& c : kColumns) {
    w.family(c.name, kCounter, c.help);
    for (const auto& e : s.exporters) w.sample({{"exporter", e.name}}, e.stats.*c.field);
  }
  w.family("octagon_export_filtered_events_total", kCounter,
           "Events an exporter skipped because of --export-allowlist/--export-denylist");
  for (const auto& e : s.exporters) w.sample({{"exporter", e.name}}, e.filtered);
  w.family("octagon_export_rate_limited_events_total", kCounter,
           "Events an exporter dropped because of --export-rate-limit (counted as lost)");
  for (const auto& e : s.exporters) w.sample({{"exporter", e.name}}, e.rate_limited);
  w.family("octagon_export_aggregation_dropped_events_total", kCounter,
           "Events an exporter dropped because its --enable-export-aggregation buffer was full "
           "(counted as lost)");
  for (const auto& e : s.exporters) w.sample({{"exporter", e.name}}, e.aggregation_dropped);
}

void render_api(const StatusSnapshot& s, ExpositionWriter& w) {
  if (!s.api_enabled) return;
  w.family("tetragon_notify_overflowed_events_total", kCounter,
           "Events dropped for gRPC GetEvents clients whose queue was full (all clients, "
           "including disconnected ones)");
  w.sample(s.api_dropped);
  w.family("octagon_grpc_client_events_total", kCounter,
           "Events per connected gRPC GetEvents client, by outcome");
  for (const auto& c : s.api_clients) {
    const std::string id = std::to_string(c.id);
    w.sample({{"client", id}, {"peer", c.peer}, {"outcome", "queued"}}, c.queued);
    w.sample({{"client", id}, {"peer", c.peer}, {"outcome", "sent"}}, c.sent);
    w.sample({{"client", id}, {"peer", c.peer}, {"outcome", "dropped"}}, c.dropped);
    w.sample({{"client", id}, {"peer", c.peer}, {"outcome", "filtered"}}, c.filtered);
    w.sample({{"client", id}, {"peer", c.peer}, {"outcome", "aggregation_dropped"}},
             c.aggregation_dropped);
  }
  w.family("octagon_grpc_aggregation_dropped_events_total", kCounter,
           "Events dropped for gRPC GetEvents clients whose aggregation_options buffer was full "
           "(all clients, including disconnected ones)");
  w.sample(s.api_aggregation_dropped);
}

void render_misc(const StatusSnapshot& s, ExpositionWriter& w) {
  w.family("octagon_user_actions_total", kCounter, "GetUrl and DnsLookup actions run by the agent");
  w.sample({{"action", "get_url"}, {"result", "ok"}}, s.user_actions.get_url_ok);
  w.sample({{"action", "get_url"}, {"result", "failed"}}, s.user_actions.get_url_failed);
  w.sample({{"action", "dns_lookup"}, {"result", "ok"}}, s.user_actions.dns_lookup_ok);
  w.sample({{"action", "dns_lookup"}, {"result", "failed"}}, s.user_actions.dns_lookup_failed);
  w.family("octagon_user_actions_dropped_total", kCounter, "Agent actions not run, by reason");
  w.sample({{"reason", "queue_full"}}, s.user_actions.dropped_queue_full);
  w.sample({{"reason", "no_runner"}}, s.user_actions_not_run);
  w.family("octagon_policy_nopost_records_total", kCounter,
           "Policy records that only carried agent actions (NoPost selectors)");
  w.sample(s.policy_nopost);
  w.family("octagon_stack_trace_frames_missed_total", kCounter,
           "Stack trace frames left out, by reason");
  w.sample({{"reason", "kernel_unresolved"}}, s.stack_kernel_unresolved);
  w.sample({{"reason", "user_unmapped"}}, s.stack_user_unmapped);
  w.sample({{"reason", "user_no_symbol"}}, s.stack_user_no_symbol);
  w.sample({{"reason", "maps_errors"}}, s.stack_maps_errors);
  if (s.bpf_stats_enabled) {
    w.family("tetragon_overhead_program_runs_total", kCounter,
             "Runs of each of the agent's BPF programs (kernel.bpf_stats_enabled=1)");
    for (const auto& p : s.programs)
      w.sample({{"program", p.name}, {"type", p.type}, {"id", std::to_string(p.id)}}, p.run_count);
    w.family("tetragon_overhead_program_seconds_total", kCounter,
             "Time spent in each of the agent's BPF programs (kernel.bpf_stats_enabled=1)");
    for (const auto& p : s.programs)
      w.sample({{"program", p.name}, {"type", p.type}, {"id", std::to_string(p.id)}},
               static_cast<double>(p.run_time_ns) / 1e9);
  }
  w.family("octagon_uptime_seconds", kGauge, "Seconds since the agent started");
  w.sample(s.uptime_ns / 1000000000ull);
  w.family("tetragon_build_info", kGauge, "Build information (always 1)");
  w.sample({{"version", kOctagonVersion}, {"abi_version", std::to_string(OCTAGON_ABI_VERSION)}},
           uint64_t{1});
}

}  // namespace

std::string render_status_metrics(const StatusSnapshot& s) {
  ExpositionWriter w;
  render_kernel(s, w);
  render_events(s, w);
  render_exporters(s, w);
  render_policy_metrics(s, w);
  render_api(s, w);
  render_misc(s, w);
  return w.take();
}

}  // namespace octagon::daemon
