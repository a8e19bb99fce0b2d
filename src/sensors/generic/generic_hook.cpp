#include <octagon/sensors/generic/generic_hook.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include <octagon/bpf/libbpf_log.h>
#include <octagon/sensors/generic/reject_prefilter.h>
#include <octagon/sensors/process/process_sensor.h>

#include "generic_fentry_bpf.skel.h"
#include "generic_fexit_bpf.skel.h"
#include "generic_fmod_ret_bpf.skel.h"
#include "generic_kprobe_bpf.skel.h"
#include "generic_kprobe_multi_bpf.skel.h"
#include "generic_kprobe_override_bpf.skel.h"
#include "generic_lsm_bpf.skel.h"
#include "generic_raw_tp_bpf.skel.h"
#include "generic_tp_bpf.skel.h"
#include "generic_uprobe_bpf.skel.h"

namespace octagon::sensors {
namespace {

// One BPF object family: how to open, load and destroy its skeleton, and its program.
struct Family {
  const char* name;
  void* (*open)();
  int (*load)(void*);
  void (*destroy)(void*);
  bpf_object* (*object)(void*);
  const char* program;
  // The family's program for the exit half of a syscall pair (OCT_MODE_EXIT, EXIT_DEFER), which
  // checks for saved entries before it reads the plan; nullptr: `program` serves both.
  const char* exit_program = nullptr;
  // Before load: let the program deny with the Override's error (LSM); null elsewhere.
  void (*allow_deny)(void*) = nullptr;
  // LSM: the sleepable program that adds Post imaHash's hash (loaded only for such hooks),
  // and, before load, what the hook's first argument is (AttachTarget::ima_file).
  const char* ima_program = nullptr;
  void (*set_ima_file)(void*, uint8_t) = nullptr;
};

template <typename S, S* (*Open)(), int (*Load)(S*), void (*Destroy)(S*)>
constexpr Family family(const char* name, const char* program, const char* exit_program = nullptr) {
  return Family{
      name,
      [] { return static_cast<void*>(Open()); },
      [](void* s) { return Load(static_cast<S*>(s)); },
      [](void* s) { Destroy(static_cast<S*>(s)); },
      [](void* s) { return static_cast<S*>(s)->obj; },
      program,
      exit_program,
  };
}

const Family kTracepointFamily =
    family<generic_tp_bpf, generic_tp_bpf__open, generic_tp_bpf__load, generic_tp_bpf__destroy>(
        "tracepoint", "oct_gen_tp", "oct_gen_tp_exit");

const Family kUprobeFamily =
    family<generic_uprobe_bpf, generic_uprobe_bpf__open, generic_uprobe_bpf__load,
           generic_uprobe_bpf__destroy>("uprobe", "oct_gen_uprobe");

const Family kRawTracepointFamily =
    family<generic_raw_tp_bpf, generic_raw_tp_bpf__open, generic_raw_tp_bpf__load,
           generic_raw_tp_bpf__destroy>("raw tracepoint", "oct_gen_raw_tp");

const Family kKprobeFamily =
    family<generic_kprobe_bpf, generic_kprobe_bpf__open, generic_kprobe_bpf__load,
           generic_kprobe_bpf__destroy>("kprobe", "oct_gen_kprobe");

const Family kKprobeMultiFamily =
    family<generic_kprobe_multi_bpf, generic_kprobe_multi_bpf__open, generic_kprobe_multi_bpf__load,
           generic_kprobe_multi_bpf__destroy>("kprobe.multi", "oct_gen_kprobe_multi");

const Family kFentryFamily =
    family<generic_fentry_bpf, generic_fentry_bpf__open, generic_fentry_bpf__load,
           generic_fentry_bpf__destroy>("fentry", "oct_gen_fentry");

const Family kFexitFamily =
    family<generic_fexit_bpf, generic_fexit_bpf__open, generic_fexit_bpf__load,
           generic_fexit_bpf__destroy>("fexit", "oct_gen_fexit");

Family lsm_family() {
  Family f = family<generic_lsm_bpf, generic_lsm_bpf__open, generic_lsm_bpf__load, generic_lsm_bpf__destroy>(
      "lsm", "oct_gen_lsm");
  f.allow_deny = [](void* s) { static_cast<generic_lsm_bpf*>(s)->rodata->oct_lsm_may_deny = 1; };
  f.ima_program = "oct_gen_lsm_ima";
  f.set_ima_file = [](void* s, uint8_t v) { static_cast<generic_lsm_bpf*>(s)->rodata->oct_lsm_ima_file = v; };
  return f;
}
const Family kLsmFamily = lsm_family();

const Family kFmodRetFamily =
    family<generic_fmod_ret_bpf, generic_fmod_ret_bpf__open, generic_fmod_ret_bpf__load,
           generic_fmod_ret_bpf__destroy>("fmod_ret", "oct_gen_fmod_ret");

const Family kKprobeOverrideFamily =
    family<generic_kprobe_override_bpf, generic_kprobe_override_bpf__open, generic_kprobe_override_bpf__load,
           generic_kprobe_override_bpf__destroy>("kprobe override", "oct_gen_kprobe_override");

Result<const Family*> family_for(const policy::AttachTarget& t) {
  switch (t.kind) {
    case policy::AttachTarget::Kind::kTracepoint: return &kTracepointFamily;
    case policy::AttachTarget::Kind::kUprobe: return &kUprobeFamily;
    case policy::AttachTarget::Kind::kRawTracepoint: return &kRawTracepointFamily;
    case policy::AttachTarget::Kind::kKprobe: return &kKprobeFamily;
    case policy::AttachTarget::Kind::kFentry: return &kFentryFamily;
    case policy::AttachTarget::Kind::kFexit: return &kFexitFamily;
    case policy::AttachTarget::Kind::kLsm: return &kLsmFamily;
    case policy::AttachTarget::Kind::kFmodRet: return &kFmodRetFamily;
    case policy::AttachTarget::Kind::kKprobeOverride: return &kKprobeOverrideFamily;
    case policy::AttachTarget::Kind::kKprobeMulti: return &kKprobeMultiFamily;
  }
  return make_error(ENOTSUP, policy::describe(t) + ": this hook family is not built into Octagon yet");
}

bool needs_btf_target(const policy::AttachTarget& t) {
  return t.kind == policy::AttachTarget::Kind::kFentry || t.kind == policy::AttachTarget::Kind::kFexit ||
         t.kind == policy::AttachTarget::Kind::kLsm || t.kind == policy::AttachTarget::Kind::kFmodRet;
}

// The config with its summary bits (oct_gen_config.hot, oct_gen_selector.has_proc) set from
// the fields they summarise, so the kernel's reject path need not read those.
oct_gen_config with_hot_summary(oct_gen_config c) {
  c.hot = 0;
  if (c.proc_needs) c.hot |= OCT_GCH_PROC;
  for (const auto& r : c.resolve)
    if (r.nsteps) c.hot |= OCT_GCH_RESOLVE;
  for (uint8_t src : c.arg_source)
    if (src != OCT_GEN_SRC_CONTEXT) c.hot |= OCT_GCH_RESOLVE;  // read with resolve[]
  for (auto& sel : c.selectors)
    sel.has_proc = sel.npid_filters || sel.nns_filters || sel.ncap_filters || sel.ncapchg_filters ||
                   sel.nschg_op || sel.bin_op || sel.pbin_op;
  c.pre = reject_prefilter(c);
  return c;
}

// A tracepoint entry program that reads the prefilter's argument with a plain context load
// (tracepoint.bpf.c oct_gen_tp_w<word>): the 8-byte word of the record the argument starts
// (an aligned word of a syscall record's arguments, 16..56). Empty: the plain program.
// OCTAGON_TP_DIRECT_WORD=0 keeps the plain program (bench/filter_cost A/B runs).
std::string direct_word_program(const policy::AttachTarget& t, const oct_gen_config& c) {
  if (const char* e = getenv("OCTAGON_TP_DIRECT_WORD"); e && strcmp(e, "0") == 0) return "";
  // Syscall records hold their arguments in whole words: the word is inside the record.
  if (t.kind != policy::AttachTarget::Kind::kTracepoint || (t.subsystem != "syscalls" && t.subsystem != "raw_syscalls"))
    return "";
  uint32_t arg = OCT_GEN_MAX_ARGS;
  if (c.pre.flags & OCT_PRE_INT)
    arg = c.pre.int_arg;
  else if (c.pre.flags & OCT_PRE_STR)
    arg = c.pre.str_arg;
  if (arg >= OCT_GEN_MAX_ARGS || arg >= c.nargs) return "";
  const oct_gen_arg& a = c.args[arg];
  const bool whole = a.size == 1 || a.size == 2 || a.size == 4 || a.size == 8;  // its low bytes
  if (!whole || a.offset % 8 || a.offset < 16 || a.offset > 56 || a.kind == OCT_GA_CONST ||
      a.kind == OCT_GA_USER_DEREF)
    return "";
  return "oct_gen_tp_w" + std::to_string(a.offset / 8);
}

bool uses_rate_limit(const oct_gen_config& c) {
  for (uint32_t s = 0; s < c.nselectors && s < OCT_GEN_MAX_SELECTORS; s++)
    if (c.selectors[s].rate_limit_ns) return true;
  return false;
}

// TrackSock/UntrackSock, returnArgAction or a sock argument whose owner may be tracked.
bool uses_sock_owners(const oct_gen_config& c) {
  if (c.ret_sock_action || c.sock_owner_arg) return true;
  for (uint32_t s = 0; s < c.nselectors && s < OCT_GEN_MAX_SELECTORS; s++)
    if (c.selectors[s].sock_action) return true;
  return false;
}

Result<void> reuse(bpf_map* map, int fd, const char* what) {
  if (!map) return make_error(ENOENT, std::string("BPF object has no map for ") + what);
  if (int e = bpf_map__reuse_fd(map, fd)) return make_error(-e, std::string("share ") + what);
  return ok();
}

Result<bpf_link*> attach(bpf_program* prog, const policy::AttachTarget& t) {
  bpf_link* link = nullptr;
  switch (t.kind) {
    case policy::AttachTarget::Kind::kTracepoint:
      link = bpf_program__attach_tracepoint(prog, t.subsystem.c_str(), t.event.c_str());
      break;
    case policy::AttachTarget::Kind::kRawTracepoint:
      link = bpf_program__attach_raw_tracepoint(prog, t.event.c_str());
      break;
    case policy::AttachTarget::Kind::kUprobe: {
      LIBBPF_OPTS(bpf_uprobe_opts, opts, .ref_ctr_offset = size_t(t.ref_ctr_offset),
                  .retprobe = t.retprobe);
      link = bpf_program__attach_uprobe_opts(prog, -1, t.binary.c_str(), size_t(t.offset), &opts);
      break;
    }
    case policy::AttachTarget::Kind::kKprobe:
    case policy::AttachTarget::Kind::kKprobeOverride: {
      LIBBPF_OPTS(bpf_kprobe_opts, opts, .retprobe = t.retprobe);
      link = bpf_program__attach_kprobe_opts(prog, t.function.c_str(), &opts);
      break;
    }
    case policy::AttachTarget::Kind::kFentry:
    case policy::AttachTarget::Kind::kFexit:
    case policy::AttachTarget::Kind::kLsm:
    case policy::AttachTarget::Kind::kFmodRet:
      link = bpf_program__attach(prog);  // the target was set before loading
      break;
    case policy::AttachTarget::Kind::kKprobeMulti: {
      if (t.cookies.size() != t.functions.size())
        return make_error(EINVAL, "attach " + policy::describe(t) + ": a hook id is needed per function");
      std::vector<const char*> syms;
      for (const std::string& f : t.functions) syms.push_back(f.c_str());
      std::vector<__u64> cookies(t.cookies.begin(), t.cookies.end());
      LIBBPF_OPTS(bpf_kprobe_multi_opts, opts, .syms = syms.data(), .cookies = cookies.data(),
                  .cnt = syms.size());
      link = bpf_program__attach_kprobe_multi_opts(prog, nullptr, &opts);
      break;
    }
  }
  if (!link) return make_error(errno, "attach " + policy::describe(t));
  return link;
}

// Post imaHash (LSM): the sleepable program is loaded only for a hook that asks for the hash
// (elsewhere the kernel may lack bpf_ima_file_hash), with its target, and the pending map sized.
constexpr uint32_t kImaPendingEntries = 32;  // threads whose event waits for its hash at once

}  // namespace

Result<void> GenericHook::prepare_ima(const void* family, const policy::AttachTarget& target, GenericHook& hook,
                                      const std::string& name) {
  const Family& fam = *static_cast<const Family*>(family);
  if (!fam.ima_program) {
    if (target.ima_file) return make_error(ENOTSUP, name + ": imaHash needs an LSM hook");
    return ok();
  }
  bpf_program* p = bpf_object__find_program_by_name(hook.obj_, fam.ima_program);
  if (!p) return make_error(ENOENT, std::string("BPF object has no program ") + fam.ima_program);
  if (!target.ima_file) {
    bpf_program__set_autoload(p, false);
    return ok();
  }
  if (int e = bpf_program__set_attach_target(p, 0, target.function.c_str()))
    return make_error(-e, "set the attach target of the imaHash program of " + name);
  fam.set_ima_file(hook.skel_, target.ima_file);
  if (int e = bpf_map__set_max_entries(hook.map("gen_ima_pending"), kImaPendingEntries))
    return make_error(-e, "size the imaHash map of " + name);
  return ok();
}

Result<void> ensure_tracefs() {
  if (access("/sys/kernel/tracing/events", F_OK) == 0 ||
      access("/sys/kernel/debug/tracing/events", F_OK) == 0)
    return ok();
  if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0)
    return make_error(errno, "tracefs is not mounted and mounting it on /sys/kernel/tracing failed");
  return ok();
}

GenericHook::~GenericHook() {
  link_.reset();
  ima_link_.reset();
  if (skel_) destroy_(skel_);
}

bpf_map* GenericHook::map(const char* name) const {
  return bpf_object__find_map_by_name(obj_, name);
}

Result<std::unique_ptr<GenericHook>> GenericHook::create(const policy::AttachTarget& target,
                                                          const oct_gen_config& config,
                                                          const ProcessSensor& shared,
                                                          const GenericHook* pending_from,
                                                          const std::vector<oct_gen_inmap_key>& inmap,
                                                          const std::vector<oct_gen_lpm_key>& binaries) {
  std::string name = policy::describe(target);
  OCTAGON_ASSIGN_OR_RETURN(const Family* fam, family_for(target));
  if (target.kind == policy::AttachTarget::Kind::kTracepoint) OCTAGON_TRY(ensure_tracefs());

  std::unique_ptr<GenericHook> hook(new GenericHook());
  hook->target_ = target;
  bpf::clear_libbpf_log();
  hook->skel_ = fam->open();
  if (!hook->skel_) return make_error(errno ? errno : EINVAL, "open BPF object for " + name);
  hook->destroy_ = fam->destroy;
  hook->obj_ = fam->object(hook->skel_);
  OCTAGON_TRY(reuse(hook->map("process_events"), shared.ring_buffer_fd(), "ring buffer"));
  OCTAGON_TRY(reuse(hook->map("process_map"), shared.process_map_fd(), "process map"));
  OCTAGON_TRY(reuse(hook->map("process_missed"), shared.missed_map_fd(), "loss counters"));
  hook->owns_pending_ = pending_from == nullptr;
  OCTAGON_TRY(reuse(hook->map("process_execinfo"), shared.exec_info_map_fd(), "exec-info map"));
  if (pending_from) {
    OCTAGON_TRY(reuse(hook->map("gen_pending"), bpf_map__fd(pending_from->map("gen_pending")), "entry map"));
    OCTAGON_TRY(reuse(hook->map("gen_pending_n"), bpf_map__fd(pending_from->map("gen_pending_n")),
                      "entry map count"));
    // One rate-limit window per key whichever half posts the event.
    OCTAGON_TRY(reuse(hook->map("gen_ratelimit"), bpf_map__fd(pending_from->map("gen_ratelimit")),
                      "rate-limit map"));
  } else if (uses_rate_limit(config)) {
    if (int e = bpf_map__set_max_entries(hook->map("gen_ratelimit"), OCT_GEN_RL_ENTRIES))
      return make_error(-e, "size the rate-limit map of " + name);
  }
  if (uses_sock_owners(config)) {
    OCTAGON_ASSIGN_OR_RETURN(int owners, shared.sock_owner_map_fd());
    OCTAGON_TRY(reuse(hook->map("gen_socktrack"), owners, "socket owner map"));
  }
  // Only the program this hook runs is loaded (and verified); the imaHash one is prepare_ima's.
  const oct_gen_config plan = with_hot_summary(config);
  bool exit_half = config.mode == OCT_MODE_EXIT || config.mode == OCT_MODE_EXIT_DEFER;
  std::string word_program = exit_half ? "" : direct_word_program(target, plan);
  const char* program = !word_program.empty()            ? word_program.c_str()
                        : exit_half && fam->exit_program ? fam->exit_program
                                                         : fam->program;
  bpf_program* each = nullptr;
  bpf_object__for_each_program(each, hook->obj_) {
    const char* n = bpf_program__name(each);
    if (strcmp(n, program) != 0 && !(fam->ima_program && strcmp(n, fam->ima_program) == 0))
      bpf_program__set_autoload(each, false);
  }
  if (needs_btf_target(target)) {
    // fentry/fexit/lsm programs are verified against their target's BTF prototype: it is
    // part of the load (libbpf adds the bpf_lsm_ prefix for LSM hooks).
    bpf_program* p = bpf_object__find_program_by_name(hook->obj_, program);
    if (!p) return make_error(ENOENT, std::string("BPF object has no program ") + program);
    if (int e = bpf_program__set_attach_target(p, 0, target.function.c_str()))
      return make_error(-e, "set the attach target of " + name);
  }
  if (target.lsm_may_deny && fam->allow_deny) fam->allow_deny(hook->skel_);
  OCTAGON_TRY(prepare_ima(fam, target, *hook, name));
  bpf::clear_libbpf_log();
  if (int err = fam->load(hook->skel_))
    return make_error(-err, "load BPF object for " + name + " (libbpf log tail: " + bpf::libbpf_log_tail(600) + ")");

  uint32_t zero = 0;
  if (bpf_map_update_elem(bpf_map__fd(hook->map("gen_config")), &zero, &plan, BPF_ANY) != 0)
    return make_error(errno, "write plan of " + name);
  uint8_t present = 1;
  for (const oct_gen_inmap_key& k : inmap)
    if (bpf_map_update_elem(bpf_map__fd(hook->map("gen_inmap")), &k, &present, BPF_ANY) != 0)
      return make_error(errno, "write InMap values of " + name);
  for (const oct_gen_lpm_key& k : binaries)
    if (bpf_map_update_elem(bpf_map__fd(hook->map("gen_binaries")), &k, &present, BPF_ANY) != 0)
      return make_error(errno, "write binary paths of " + name);
  bpf_program* prog = bpf_object__find_program_by_name(hook->obj_, program);
  if (!prog) return make_error(ENOENT, std::string("BPF object has no program ") + program);
  if (target.ima_file) {
    // Attached first so that it runs after the main program (a BPF trampoline runs the most
    // recently attached program first), which leaves it the event.
    bpf_program* ima = bpf_object__find_program_by_name(hook->obj_, fam->ima_program);
    if (!ima) return make_error(ENOENT, std::string("BPF object has no program ") + fam->ima_program);
    OCTAGON_ASSIGN_OR_RETURN(bpf_link* l, attach(ima, target));
    hook->ima_link_.reset(l);
  }
  OCTAGON_ASSIGN_OR_RETURN(bpf_link* link, attach(prog, target));
  hook->link_.reset(link);
  return hook;
}

Result<void> GenericHook::set_monitor(bool monitor) {
  uint32_t zero = 0;
  int fd = bpf_map__fd(map("gen_config"));
  oct_gen_config cfg{};
  if (bpf_map_lookup_elem(fd, &zero, &cfg) != 0) return make_error(errno, "read plan of " + policy::describe(target_));
  cfg.monitor = monitor ? 1 : 0;
  if (bpf_map_update_elem(fd, &zero, &cfg, BPF_EXIST) != 0)
    return make_error(errno, "write plan of " + policy::describe(target_));
  return ok();
}

void GenericHook::read_stats(uint64_t (&out)[OCT_GEN_MAX_SELECTORS + 1][OCT_GS_MAX]) const {
  int ncpu = libbpf_num_possible_cpus();
  std::vector<uint64_t> vals(ncpu > 0 ? size_t(ncpu) : 1);
  int fd = bpf_map__fd(map("gen_stats"));
  for (uint32_t s = 0; s <= OCT_GEN_MAX_SELECTORS; s++) {
    for (uint32_t k = 0; k < OCT_GS_MAX; k++) {
      uint32_t key = s * OCT_GS_MAX + k;
      out[s][k] = 0;
      if (bpf_map_lookup_elem(fd, &key, vals.data()) != 0) continue;
      for (uint64_t v : vals) out[s][k] += v;
    }
  }
}

uint64_t GenericHook::memory_bytes() const {
  uint64_t total = 0;
  for (const char* name : {"gen_config", "gen_pending", "gen_pending_n", "gen_stats", "gen_scratch", "gen_inmap",
                           "gen_binaries", "gen_chunk_heap", "process_heap", "gen_ratelimit", "gen_ima_pending"}) {
    bpf_map* m = map(name);
    // The exit half of a pair shares its entry's maps: count them once.
    std::string_view nm = name;
    bool shared = nm == "gen_pending" || nm == "gen_pending_n" || nm == "gen_ratelimit";
    if (!m || (!owns_pending_ && shared)) continue;
    uint64_t per = uint64_t(bpf_map__key_size(m)) + bpf_map__value_size(m);
    uint64_t n = bpf_map__max_entries(m);
    if (bpf_map__type(m) == BPF_MAP_TYPE_PERCPU_ARRAY) n *= uint64_t(libbpf_num_possible_cpus());
    total += per * n;
  }
  return total;
}

}  // namespace octagon::sensors
