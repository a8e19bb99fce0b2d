// GenericHook: one generic (TracingPolicy) hook instance. Owns its BPF object (one per hook,
// of the program family the target needs), whose plan is the compiled oct_gen_config, and the
// attach link. It shares the process sensor's ring buffer and process map, so policy events
// are ordered with the exec/exit events they refer to.
//
// Families: perf tracepoints today; raw tracepoints and uprobes slot in as further
// HookTarget::Kind values, each with its own BPF object running the same plan.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <abi/generic.h>
#include <octagon/base/result.h>
#include <octagon/bpf/link.h>

struct bpf_object;
struct bpf_map;

namespace octagon::sensors {

class ProcessSensor;

// Perf tracepoints are found through tracefs (libbpf reads their ids there): mounts it on
// /sys/kernel/tracing when no tracefs is mounted, as on many minimal hosts.
Result<void> ensure_tracefs();

// Where a hook instance attaches.
struct HookTarget {
  enum class Kind { kTracepoint, kRawTracepoint, kUprobe };
  Kind kind = Kind::kTracepoint;
  std::string subsystem;  // tracepoints: "syscalls"
  std::string event;      // tracepoints: "sys_enter_openat"; raw tracepoints: "sched_switch"
  std::string binary;     // uprobes: the ELF file
  uint64_t offset = 0;    // uprobes: file offset of the probed instruction
  uint64_t ref_ctr_offset = 0;  // uprobes: USDT semaphore (0 = none)
  bool retprobe = false;        // uprobes: uretprobe
  std::string describe() const;  // "tracepoint syscalls/sys_enter_openat"
};

class GenericHook {
 public:
  // Loads an instance for `config` and attaches it to `target`. `pending_from`, when given,
  // is the enter half of a return pair: its saved-arguments map is shared with this one.
  static Result<std::unique_ptr<GenericHook>> create(const HookTarget& target,
                                                     const oct_gen_config& config,
                                                     const ProcessSensor& shared,
                                                     const GenericHook* pending_from = nullptr,
                                                     const std::vector<oct_gen_inmap_key>& inmap = {});
  ~GenericHook();
  GenericHook(const GenericHook&) = delete;
  GenericHook& operator=(const GenericHook&) = delete;

  // Per-selector action counters summed over CPUs: [selector][OCT_GS_*].
  void read_stats(uint64_t (&out)[OCT_GEN_MAX_SELECTORS + 1][OCT_GS_MAX]) const;
  // Policy mode at runtime: rewrites the `monitor` flag of the loaded plan in place.
  Result<void> set_monitor(bool monitor);
  // Kernel memory of this hook's own maps (shared maps excluded), in bytes.
  uint64_t memory_bytes() const;
  const HookTarget& target() const { return target_; }

  // The object's map called `name` (tests and the stats readers use this).
  bpf_map* map(const char* name) const;

 private:
  GenericHook() = default;

  HookTarget target_;
  void* skel_ = nullptr;  // the family's skeleton
  void (*destroy_)(void*) = nullptr;
  bpf_object* obj_ = nullptr;
  bpf::Link link_;  // destroyed before the object (see the destructor)
};

}  // namespace octagon::sensors
