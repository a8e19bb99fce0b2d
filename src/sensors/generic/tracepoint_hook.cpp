#include <octagon/sensors/generic/tracepoint_hook.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include <octagon/bpf/skeleton.h>
#include <octagon/sensors/process/process_sensor.h>

#include "generic_tp_bpf.skel.h"

namespace octagon::sensors {
namespace {

using GenericSkeleton =
    bpf::Skeleton<generic_tp_bpf, generic_tp_bpf__open, generic_tp_bpf__load, generic_tp_bpf__destroy>;

Result<void> reuse(bpf_map* map, int fd, const char* what) {
  if (int e = bpf_map__reuse_fd(map, fd)) return make_error(-e, std::string("share ") + what);
  return ok();
}

}  // namespace

Result<void> ensure_tracefs() {
  if (access("/sys/kernel/tracing/events", F_OK) == 0 ||
      access("/sys/kernel/debug/tracing/events", F_OK) == 0)
    return ok();
  if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0)
    return make_error(errno, "tracefs is not mounted and mounting it on /sys/kernel/tracing failed");
  return ok();
}

TracepointHook::~TracepointHook() {
  link_.reset();
  if (skel_) generic_tp_bpf__destroy(skel_);
}

Result<std::unique_ptr<TracepointHook>> TracepointHook::create(const TracepointTarget& target,
                                                                const oct_gen_config& config,
                                                                const ProcessSensor& shared,
                                                                const TracepointHook* pending_from,
                                                                const std::vector<oct_gen_inmap_key>& inmap) {
  std::string name = target.subsystem + "/" + target.event;
  OCTAGON_TRY(ensure_tracefs());
  OCTAGON_ASSIGN_OR_RETURN(GenericSkeleton skel, GenericSkeleton::open("generic " + name));
  OCTAGON_TRY(reuse(skel->maps.process_events, shared.ring_buffer_fd(), "ring buffer"));
  OCTAGON_TRY(reuse(skel->maps.process_map, shared.process_map_fd(), "process map"));
  OCTAGON_TRY(reuse(skel->maps.process_missed, shared.missed_map_fd(), "loss counters"));
  if (pending_from) OCTAGON_TRY(reuse(skel->maps.gen_pending, pending_from->pending_fd(), "entry map"));
  if (auto r = skel.load("generic " + name); !r) return make_error(r.error());

  uint32_t zero = 0;
  if (bpf_map_update_elem(bpf_map__fd(skel->maps.gen_config), &zero, &config, BPF_ANY) != 0)
    return make_error(errno, "write plan of " + name);
  uint8_t present = 1;
  for (const oct_gen_inmap_key& k : inmap)
    if (bpf_map_update_elem(bpf_map__fd(skel->maps.gen_inmap), &k, &present, BPF_ANY) != 0)
      return make_error(errno, "write InMap values of " + name);
  std::unique_ptr<TracepointHook> hook(new TracepointHook());
  hook->target_ = target;
  hook->link_.reset(bpf_program__attach_tracepoint(skel->progs.oct_gen_tp, target.subsystem.c_str(),
                                                   target.event.c_str()));
  if (!hook->link_) return make_error(errno, "attach tracepoint " + name);
  hook->skel_ = skel.release();
  return hook;
}

int TracepointHook::pending_fd() const { return bpf_map__fd(skel_->maps.gen_pending); }

void TracepointHook::read_stats(uint64_t (&out)[OCT_GEN_MAX_SELECTORS + 1][OCT_GS_MAX]) const {
  int ncpu = libbpf_num_possible_cpus();
  std::vector<uint64_t> vals(ncpu > 0 ? size_t(ncpu) : 1);
  int fd = bpf_map__fd(skel_->maps.gen_stats);
  for (uint32_t s = 0; s <= OCT_GEN_MAX_SELECTORS; s++) {
    for (uint32_t k = 0; k < OCT_GS_MAX; k++) {
      uint32_t key = s * OCT_GS_MAX + k;
      out[s][k] = 0;
      if (bpf_map_lookup_elem(fd, &key, vals.data()) != 0) continue;
      for (uint64_t v : vals) out[s][k] += v;
    }
  }
}

uint64_t TracepointHook::memory_bytes() const {
  uint64_t total = 0;
  for (bpf_map* m : {skel_->maps.gen_config, skel_->maps.gen_pending, skel_->maps.gen_stats,
                     skel_->maps.gen_scratch, skel_->maps.process_heap}) {
    uint64_t per = uint64_t(bpf_map__key_size(m)) + bpf_map__value_size(m);
    uint64_t n = bpf_map__max_entries(m);
    if (bpf_map__type(m) == BPF_MAP_TYPE_PERCPU_ARRAY) n *= uint64_t(libbpf_num_possible_cpus());
    total += per * n;
  }
  return total;
}

}  // namespace octagon::sensors
