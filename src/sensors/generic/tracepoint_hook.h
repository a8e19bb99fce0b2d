// TracepointHook: one generic (TracingPolicy) hook on a perf tracepoint. Owns its BPF object
// (one per hook), whose plan is the compiled oct_gen_config, and the attach link. It shares
// the process sensor's ring buffer and process map, so policy events are ordered with the
// exec/exit events they refer to.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <abi/generic.h>
#include <octagon/base/result.h>
#include <octagon/bpf/link.h>

struct generic_tp_bpf;

namespace octagon::sensors {

class ProcessSensor;

// Perf tracepoints are found through tracefs (libbpf reads their ids there): mounts it on
// /sys/kernel/tracing when no tracefs is mounted, as on many minimal hosts.
Result<void> ensure_tracefs();

struct TracepointTarget {
  std::string subsystem;  // "syscalls"
  std::string event;      // "sys_enter_openat"
};

class TracepointHook {
 public:
  // Loads an instance for `config` and attaches it to `target`. `pending_from`, when given,
  // is the enter half of a return pair: its saved-arguments map is shared with this one.
  static Result<std::unique_ptr<TracepointHook>> create(
      const TracepointTarget& target, const oct_gen_config& config, const ProcessSensor& shared,
      const TracepointHook* pending_from = nullptr,
      const std::vector<oct_gen_inmap_key>& inmap = {});
  ~TracepointHook();
  TracepointHook(const TracepointHook&) = delete;
  TracepointHook& operator=(const TracepointHook&) = delete;

  // Per-selector action counters summed over CPUs: [selector][OCT_GS_*].
  void read_stats(uint64_t (&out)[OCT_GEN_MAX_SELECTORS + 1][OCT_GS_MAX]) const;
  // Kernel memory of this hook's own maps (shared maps excluded), in bytes.
  uint64_t memory_bytes() const;
  const TracepointTarget& target() const { return target_; }

 private:
  TracepointHook() = default;
  int pending_fd() const;

  TracepointTarget target_;
  generic_tp_bpf* skel_ = nullptr;
  bpf::Link link_;  // destroyed before skel_ (see the destructor)
};

}  // namespace octagon::sensors
