// GenericHook: one generic (TracingPolicy) hook instance. Owns its BPF object (one per hook,
// of the program family the target needs), whose plan is the compiled oct_gen_config, and the
// attach link. It shares the process sensor's ring buffer and process map, so policy events
// are ordered with the exec/exit events they refer to.
//
// Families: perf tracepoints today; raw tracepoints and uprobes slot in as further
// policy::AttachTarget::Kind values, each with its own BPF object running the same plan.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <abi/generic.h>
#include <octagon/base/result.h>
#include <octagon/bpf/link.h>
#include <octagon/policy/plan.h>

struct bpf_object;
struct bpf_map;

namespace octagon::sensors {

class ProcessSensor;

// Perf tracepoints are found through tracefs (libbpf reads their ids there): mounts it on
// /sys/kernel/tracing when no tracefs is mounted, as on many minimal hosts.
Result<void> ensure_tracefs();

class GenericHook {
 public:
  // Loads an instance for `config` and attaches it to `target`. `pending_from`, when given,
  // is the enter half of a return pair: its saved-arguments map is shared with this one.
  // `inmap` and `binaries` are the members of the plan's InMap and binary path sets.
  static Result<std::unique_ptr<GenericHook>> create(const policy::AttachTarget& target,
                                                     const oct_gen_config& config,
                                                     const ProcessSensor& shared,
                                                     const GenericHook* pending_from = nullptr,
                                                     const std::vector<oct_gen_inmap_key>& inmap = {},
                                                     const std::vector<oct_gen_lpm_key>& binaries = {});
  ~GenericHook();
  GenericHook(const GenericHook&) = delete;
  GenericHook& operator=(const GenericHook&) = delete;

  // Per-selector action counters summed over CPUs: [selector][OCT_GS_*].
  void read_stats(uint64_t (&out)[OCT_GEN_MAX_SELECTORS + 1][OCT_GS_MAX]) const;
  // Policy mode at runtime: rewrites the `monitor` flag of the loaded plan in place.
  Result<void> set_monitor(bool monitor);
  // Kernel memory of this hook's own maps (shared maps excluded), in bytes.
  uint64_t memory_bytes() const;
  const policy::AttachTarget& target() const { return target_; }

  // The object's map called `name` (tests and the stats readers use this).
  bpf_map* map(const char* name) const;

 private:
  GenericHook() = default;
  // The LSM family's imaHash program (family: its Family): loaded or not, targeted, sized.
  static Result<void> prepare_ima(const void* family, const policy::AttachTarget& target, GenericHook& hook,
                                  const std::string& name);

  policy::AttachTarget target_;
  bool owns_pending_ = true;  // false when the entry map is the enter half's
  void* skel_ = nullptr;  // the family's skeleton
  void (*destroy_)(void*) = nullptr;
  bpf_object* obj_ = nullptr;
  bpf::Link link_;  // destroyed before the object (see the destructor)
  bpf::Link ima_link_;  // lsm with Post imaHash: the sleepable program that hashes the file
};

}  // namespace octagon::sensors
