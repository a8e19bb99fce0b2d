#include <octagon/sensors/process/process_sensor.h>

#include <abi/generic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>

#include <octagon/bpf/libbpf_log.h>
#include <octagon/bpf/skeleton.h>

#include "process_bpf.skel.h"

namespace octagon::sensors {
namespace {

using ProcessSkeleton =
    bpf::Skeleton<process_bpf, process_bpf__open, process_bpf__load, process_bpf__destroy>;

struct HookPrograms {
  const char* hook;
  const char* tracepoint;
  bpf_program* btf;
  bpf_program* raw;
};

std::vector<HookPrograms> hook_programs(process_bpf* s) {
  return {
      {"process exec", "sched_process_exec", s->progs.oct_exec_btf, s->progs.oct_exec_raw},
      {"process fork", "sched_process_fork", s->progs.oct_fork_btf, s->progs.oct_fork_raw},
      {"process exit", "sched_process_exit", s->progs.oct_exit_btf, s->progs.oct_exit_raw},
  };
}

const char* mechanism_prefix(HookMechanism m) { return m == HookMechanism::kTpBtf ? "tp_btf/" : "raw_tp/"; }

}  // namespace

const char* miss_reason_name(uint32_t reason) {
  switch (reason) {
    case OCT_MISS_RB_FULL: return "ringbuf_full";
    case OCT_MISS_NO_HEAP: return "no_scratch";
    case OCT_MISS_MAP_FULL: return "process_map_full";
    case OCT_MISS_READ: return "read_error";
  }
  return "unknown";
}

const char* msg_op_name(uint32_t op) {
  switch (op) {
    case OCT_MSG_EXEC: return "exec";
    case OCT_MSG_EXIT: return "exit";
    case OCT_MSG_CLONE: return "clone";
    case OCT_MSG_GENERIC: return "policy";
    case OCT_MSG_GENERIC_DATA: return "policy_data";
  }
  return "unknown";
}

ProcessSensor::~ProcessSensor() {
  links_.clear();
  if (skel_) process_bpf__destroy(skel_);
}

Result<std::unique_ptr<ProcessSensor>> ProcessSensor::create(const ProcessSensorConfig& config,
                                                              bpf::FeatureProbe& probe) {
  if (!probe.has(bpf::Feature::kBtf))
    return make_error(ENOTSUP, "process sensor needs kernel BTF: " + probe.get(bpf::Feature::kBtf).detail);
  if (!probe.has(bpf::Feature::kRingBuf))
    return make_error(ENOTSUP, "process sensor needs the BPF ring buffer: " +
                                   probe.get(bpf::Feature::kRingBuf).detail);
  if (!probe.has(bpf::Feature::kBpfLoop))
    return make_error(ENOTSUP, "process sensor path walks need bpf_loop: " +
                                   probe.get(bpf::Feature::kBpfLoop).detail);
  if (config.args_cap == 0 || config.args_cap > OCT_ARGS_MAX)
    return make_error(EINVAL, "argument cap must be 1.." + std::to_string(OCT_ARGS_MAX));

  std::unique_ptr<ProcessSensor> sensor(new ProcessSensor());
  std::vector<HookMechanism> order;
  std::string note;
  if (config.mechanism != HookMechanism::kAuto) {
    order.push_back(config.mechanism);
  } else if (probe.has(bpf::Feature::kTpBtf)) {
    order = {HookMechanism::kTpBtf, HookMechanism::kRawTp};
  } else {
    order = {HookMechanism::kRawTp};
    note = "tp_btf unavailable (" + probe.get(bpf::Feature::kTpBtf).detail + ")";
  }
  Error last;
  for (HookMechanism m : order) {
    auto r = sensor->load_and_attach(config, m, false);
    if (!r && sensor->load_and_attach(config, m, true)) {
      // Kernels before 6.1 refuse non-preallocated hash maps in tracing programs.
      std::string why = r.error().describe();
      r = ok();
      for (auto& h : sensor->hooks_) h.note = "exec-info map preallocated (" + why + ")";
    }
    if (r) {
      if (!note.empty())
        for (auto& h : sensor->hooks_) h.note = note;
      return sensor;
    }
    last = r.error();
    note = std::string(mechanism_prefix(m)) + " failed: " + last.describe();
  }
  return make_error(last.wrap("process sensor"));
}

Result<void> ProcessSensor::load_and_attach(const ProcessSensorConfig& config, HookMechanism mech,
                                            bool prealloc_exec_info) {
  links_.clear();
  hooks_.clear();
  if (skel_) process_bpf__destroy(skel_);
  skel_ = nullptr;

  OCTAGON_ASSIGN_OR_RETURN(ProcessSkeleton skel, ProcessSkeleton::open("process_bpf"));
  skel->rodata->oct_args_cap = config.args_cap;
  skel->rodata->oct_wakeup_bytes = config.ring_buffer_bytes / 4;
  if (int e = bpf_map__set_max_entries(skel->maps.process_events, config.ring_buffer_bytes))
    return make_error(-e, "set ring buffer size to " + std::to_string(config.ring_buffer_bytes));
  if (int e = bpf_map__set_max_entries(skel->maps.process_map, config.process_map_entries))
    return make_error(-e, "set process map size");
  if (int e = bpf_map__set_max_entries(skel->maps.process_execinfo, config.process_map_entries))
    return make_error(-e, "set exec-info map size");
  if (prealloc_exec_info) {
    uint32_t flags = bpf_map__map_flags(skel->maps.process_execinfo) & ~uint32_t(BPF_F_NO_PREALLOC);
    if (int e = bpf_map__set_map_flags(skel->maps.process_execinfo, flags))
      return make_error(-e, "set exec-info map flags");
  }
  bool btf = mech == HookMechanism::kTpBtf;
  for (auto& h : hook_programs(skel.get())) {
    bpf_program__set_autoload(h.btf, btf);
    bpf_program__set_autoload(h.raw, !btf);
  }
  OCTAGON_TRY(skel.load("process_bpf"));
  for (auto& h : hook_programs(skel.get())) {
    bpf_program* prog = btf ? h.btf : h.raw;
    bpf::Link link(bpf_program__attach(prog));
    if (!link) {
      return make_error(errno, std::string("attach ") + mechanism_prefix(mech) + h.tracepoint);
    }
    links_.push_back(std::move(link));
    hooks_.push_back({h.hook, std::string(mechanism_prefix(mech)) + h.tracepoint, ""});
  }
  skel_ = skel.release();  // the sensor owns the object from here; links stay valid
  return ok();
}

int ProcessSensor::ring_buffer_fd() const { return bpf_map__fd(skel_->maps.process_events); }
int ProcessSensor::process_map_fd() const { return bpf_map__fd(skel_->maps.process_map); }
int ProcessSensor::exec_info_map_fd() const { return bpf_map__fd(skel_->maps.process_execinfo); }
int ProcessSensor::missed_map_fd() const { return bpf_map__fd(skel_->maps.process_missed); }

Result<int> ProcessSensor::sock_owner_map_fd() const {
  std::lock_guard lock(sock_owners_mu_);
  if (!sock_owners_.valid()) {
    int fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "gen_socktrack", sizeof(uint64_t), sizeof(oct_sock_owner),
                            OCT_SOCKTRACK_ENTRIES, nullptr);
    if (fd < 0) return make_error(errno, "create the socket owner map (TrackSock)");
    sock_owners_.reset(fd);
  }
  return sock_owners_.get();
}

MissedCounters ProcessSensor::read_missed() const {
  MissedCounters out{};
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return out;
  std::vector<uint64_t> values(static_cast<size_t>(ncpu));
  int fd = bpf_map__fd(skel_->maps.process_missed);
  for (uint32_t op = 0; op < OCT_MSG_OP_MAX; op++) {
    for (uint32_t reason = 0; reason < OCT_MISS_MAX; reason++) {
      uint32_t key = op * OCT_MISS_MAX + reason;
      if (bpf_map_lookup_elem(fd, &key, values.data()) != 0) continue;
      uint64_t sum = 0;
      for (uint64_t v : values) sum += v;
      out[op][reason] = sum;
    }
  }
  return out;
}

std::optional<oct_proc_key> ProcessSensor::lookup_process(uint32_t tgid) const {
  oct_proc_entry e{};
  if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.process_map), &tgid, &e) != 0) return std::nullopt;
  return e.key;
}

uint32_t ProcessSensor::process_map_size() const {
  int fd = bpf_map__fd(skel_->maps.process_map);
  uint32_t key = 0, next = 0, n = 0;
  uint32_t* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    n++;
    key = next;
    prev = &key;
  }
  return n;
}

}  // namespace octagon::sensors
