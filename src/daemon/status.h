// The agent's status report: every counter of loss and health, one JSON object.
// Printed on SIGUSR1, every --stats-interval seconds, and at exit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <octagon/daemon/policy_manager.h>
#include <octagon/daemon/user_actions.h>
#include <octagon/api/event_hub.h>
#include <octagon/bpf/program_stats.h>
#include <octagon/pipeline/export_worker.h>
#include <octagon/sensors/process/process_sensor.h>

namespace octagon::daemon {

struct CacheSnapshot {
  uint64_t size = 0, capacity = 0, evictions = 0, misses = 0, removals = 0, memory_bytes = 0;
};

struct ExporterSnapshot {
  std::string name;
  pipeline::ExportStats stats;
  uint64_t filtered = 0;      // not passing --export-allowlist/--export-denylist (not a loss)
  uint64_t rate_limited = 0;  // dropped by --export-rate-limit (a loss: part of user_dropped)
  uint64_t aggregation_dropped = 0;  // --enable-export-aggregation buffer full (part of user_dropped)
};

struct StatusSnapshot {
  uint64_t uptime_ns = 0;
  sensors::MissedCounters kernel_missed{};
  uint64_t ringbuf_records = 0;
  uint64_t received[OCT_MSG_OP_MAX] = {};
  uint64_t decode_errors = 0;
  uint64_t unknown_hook = 0;  // policy records of a hook no longer loaded: dropped
  uint64_t exec_events = 0, exit_events = 0, exit_unknown = 0, parent_misses = 0, seeded = 0;
  uint64_t kprobe_events = 0, tracepoint_events = 0, uprobe_events = 0, usdt_events = 0;
  uint64_t lsm_events = 0;
  uint64_t loader_events = 0, loader_unknown_process = 0;  // process_loader sent / skipped
  sensors::LoaderHubStats loader;  // the loader sensor's rings: records, lost, malformed
  CacheSnapshot cache;
  std::vector<ExporterSnapshot> exporters;
  // Policies: per policy, hook and selector what the kernel did (posted, signalled, refused,
  // rate-limited), plus the agent's own actions and stack symbolization.
  std::vector<PolicyStatus> policies;
  UserActionCounts user_actions;
  uint64_t user_actions_not_run = 0, policy_nopost = 0;
  uint64_t stack_kernel_unresolved = 0, stack_user_unmapped = 0, stack_maps_errors = 0,
           stack_user_no_symbol = 0;
  // gRPC GetEvents clients: per-client queue counters; api_dropped also counts clients gone.
  bool api_enabled = false;
  std::vector<api::ClientStats> api_clients;
  uint64_t api_dropped = 0;
  uint64_t api_aggregation_dropped = 0;  // aggregation_options buffers full, all clients
  // The agent's BPF programs' run statistics, read only while kernel.bpf_stats_enabled is 1.
  bool bpf_stats_enabled = false;
  std::vector<bpf::ProgramStats> programs;

  // Events the kernel could not deliver (ring buffer full, no scratch space).
  uint64_t kernel_lost() const;
  // Events dropped in user space (malformed records, full export queues, failed writes, the
  // export rate limit).
  uint64_t user_dropped() const;
};

// {"status":{...}} on one line.
std::string render_status_json(const StatusSnapshot& s);

}  // namespace octagon::daemon
