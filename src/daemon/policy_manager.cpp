#include <octagon/daemon/policy_manager.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <octagon/base/log.h>
#include <octagon/policy/kernel/syscalls.h>
#include <octagon/policy/kernel/tracefs_format.h>
#include <octagon/policy/parser.h>

namespace octagon::daemon {

struct PolicyManager::Loaded {
  policy::CompiledPolicy compiled;
  std::vector<uint32_t> hook_ids;
  std::vector<std::unique_ptr<sensors::GenericHook>> hooks;  // enter, [exit], enter, ...
};

namespace {

// Per compiled hook, its selectors' counters over its loaded instances (enter and exit half).
std::vector<HookStatus> hook_status(const PolicyManager::Loaded& p) {
  std::vector<HookStatus> out;
  size_t instance = 0;
  for (const policy::HookPlan& plan : p.compiled.hooks) {
    HookStatus hs;
    hs.mechanism = plan.mechanism;
    hs.selectors.resize(std::max<size_t>(1, plan.enter.config.nselectors));
    size_t halves = plan.exit ? 2 : 1;
    for (size_t k = 0; k < halves && instance < p.hooks.size(); k++, instance++) {
      uint64_t st[OCT_GEN_MAX_SELECTORS + 1][OCT_GS_MAX];
      p.hooks[instance]->read_stats(st);
      for (size_t sel = 0; sel < hs.selectors.size() && sel < OCT_GEN_MAX_SELECTORS; sel++) {
        SelectorCounters& c = hs.selectors[sel];
        c.posted += st[sel][OCT_GS_POST];
        c.signals += st[sel][OCT_GS_SIGNAL];
        c.monitor_signals += st[sel][OCT_GS_MONITOR_SIGNAL];
        c.signal_failed += st[sel][OCT_GS_SIGNAL_FAILED];
        c.nopost += st[sel][OCT_GS_NOPOST];
        c.rate_limited += st[sel][OCT_GS_RATE_LIMITED];
        c.ringbuf_full += st[sel][OCT_GS_RB_FULL];
      }
    }
    out.push_back(std::move(hs));
  }
  return out;
}

}  // namespace

PolicyManager::PolicyManager(const sensors::ProcessSensor& sensor, HookRegistry& registry,
                             policy::KernelFacts& kernel)
    : sensor_(sensor), registry_(registry), kernel_(kernel) {}

PolicyManager::~PolicyManager() {
  std::lock_guard l(mu_);
  for (auto& [name, p] : loaded_) {
    p->hooks.clear();
    for (uint32_t id : p->hook_ids) registry_.remove(id);
  }
}

Result<std::string> PolicyManager::add_file(const std::string& path) {
  OCTAGON_ASSIGN_OR_RETURN(policy::TracingPolicy p, policy::load_policy_file(path));
  return add(p);
}

Result<std::vector<std::string>> PolicyManager::add_dir(const std::string& dir) {
  OCTAGON_ASSIGN_OR_RETURN(std::vector<policy::TracingPolicy> all, policy::load_policy_dir(dir));
  std::vector<std::string> names;
  for (const auto& p : all) {
    OCTAGON_ASSIGN_OR_RETURN(std::string n, add(p));
    names.push_back(n);
  }
  return names;
}

Result<std::string> PolicyManager::add(const policy::TracingPolicy& p,
                                       const policy::CompileOptions& opts) {
  {
    std::lock_guard l(mu_);
    if (loaded_.count(p.name))
      return make_error(EEXIST, "policy " + p.name + " is already loaded");
  }
  OCTAGON_ASSIGN_OR_RETURN(policy::CompiledPolicy compiled, policy::compile_policy(p, kernel_, opts));
  auto loaded = std::make_unique<Loaded>();
  auto undo = [&] {
    loaded->hooks.clear();
    for (uint32_t id : loaded->hook_ids) registry_.remove(id);
  };
  for (policy::HookPlan& h : compiled.hooks) {
    uint32_t id = registry_.add(h.render);
    loaded->hook_ids.push_back(id);
    h.enter.config.hook_id = id;
    auto enter = sensors::GenericHook::create(h.enter.target, h.enter.config,
                                                 sensor_, nullptr, h.enter.inmap,
                                                 h.enter.binaries);
    if (!enter) {
      undo();
      return make_error(enter.error().wrap("policy " + p.name + ": load " + h.mechanism));
    }
    const sensors::GenericHook* pair = enter->get();
    loaded->hooks.push_back(std::move(*enter));
    if (h.exit) {
      h.exit->config.hook_id = id;
      auto exit = sensors::GenericHook::create(h.exit->target, h.exit->config,
                                                  sensor_, pair, h.exit->inmap,
                                                  h.exit->binaries);
      if (!exit) {
        undo();
        return make_error(exit.error().wrap("policy " + p.name + ": load " + h.mechanism));
      }
      loaded->hooks.push_back(std::move(*exit));
    }
  }
  for (const auto& n : compiled.notes) OCTAGON_LOG_INFO("policy %s: %s", p.name.c_str(), n.c_str());
  loaded->compiled = std::move(compiled);
  std::lock_guard l(mu_);
  loaded_[p.name] = std::move(loaded);
  return p.name;
}

Result<void> PolicyManager::remove(const std::string& name) {
  std::unique_ptr<Loaded> p;
  {
    std::lock_guard l(mu_);
    auto it = loaded_.find(name);
    if (it == loaded_.end()) return make_error(ENOENT, "no policy " + name);
    p = std::move(it->second);
    loaded_.erase(it);
  }
  p->hooks.clear();  // detaches and frees every program and map of the policy
  for (uint32_t id : p->hook_ids) registry_.remove(id);
  return ok();
}

std::vector<PolicyStatus> PolicyManager::status() const {
  std::lock_guard l(mu_);
  std::vector<PolicyStatus> out;
  for (const auto& [name, p] : loaded_) {
    PolicyStatus s;
    s.name = name;
    s.mode = p->compiled.mode == policy::PolicyMode::kMonitor ? "monitor" : "enforce";
    for (const auto& h : p->compiled.hooks) s.mechanisms.push_back(h.mechanism);
    s.notes = p->compiled.notes;
    for (const auto& h : p->hooks) s.kernel_memory_bytes += h->memory_bytes();
    s.hooks = hook_status(*p);
    for (const HookStatus& h : s.hooks) {
      for (const SelectorCounters& c : h.selectors) {
        s.posted += c.posted;
        s.signals += c.signals;
        s.monitor_signals += c.monitor_signals;
        s.nopost += c.nopost;
        s.ringbuf_full += c.ringbuf_full;
        s.rate_limited += c.rate_limited;
        s.signal_failed += c.signal_failed;
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::unique_ptr<TracefsKernelFacts>> TracefsKernelFacts::create() {
  OCTAGON_TRY(sensors::ensure_tracefs());
  std::string root = policy::kernel::find_tracefs_root();
  if (root.empty()) return make_error(ENOENT, "no tracefs with events/ found after mounting it");
  auto k = std::make_unique<TracefsKernelFacts>();
  k->root_ = root;
  return k;
}

Result<std::vector<policy::FormatField>> TracefsKernelFacts::tracepoint_fields(
    const std::string& subsystem, const std::string& event) {
  policy::kernel::KernelInfo info(root_);
  OCTAGON_ASSIGN_OR_RETURN(policy::kernel::TracepointFormat f, info.tracepoint_format(subsystem, event));
  std::vector<policy::FormatField> out;
  for (const auto& x : f.fields) out.push_back({x.name, x.type, x.offset, x.size, x.is_signed});
  return out;
}

std::optional<int> TracefsKernelFacts::syscall_number(const std::string& name) const {
  return policy::kernel::KernelInfo(root_).syscall_number(name);
}

// The host's namespaces are pid 1's. When /proc/1/ns cannot be read (no ptrace access to
// pid 1), the initial namespaces have fixed inode numbers (include/linux/proc_ns.h); the mount
// and network ones only since Linux 6.18, recognised when this process is in them.
std::optional<uint32_t> TracefsKernelFacts::host_namespace(policy::NamespaceType t) const {
  struct Ns {
    const char* file;
    uint32_t initial;  // 0: none on every kernel
  };
  static const Ns kNs[] = {{"uts", 0xEFFFFFFE}, {"ipc", 0xEFFFFFFF},  {"mnt", 0xEFFFFFF8},
                           {"pid", 0xEFFFFFFC}, {"pid_for_children", 0xEFFFFFFC},
                           {"net", 0xEFFFFFF9}, {"time", 0xEFFFFFFA}, {"time_for_children", 0xEFFFFFFA},
                           {"cgroup", 0xEFFFFFFB}, {"user", 0xEFFFFFFD}};
  size_t i = size_t(t);
  if (i >= std::size(kNs)) return std::nullopt;
  struct stat st{};
  if (stat((std::string("/proc/1/ns/") + kNs[i].file).c_str(), &st) == 0) return uint32_t(st.st_ino);
  if (t == policy::NamespaceType::kMnt || t == policy::NamespaceType::kNet) {
    if (stat((std::string("/proc/self/ns/") + kNs[i].file).c_str(), &st) != 0 || st.st_ino != kNs[i].initial)
      return std::nullopt;
  }
  return kNs[i].initial;
}

std::string TracefsKernelFacts::syscall_prefix() const { return policy::kernel::KernelInfo(root_).arch_prefix(); }

}  // namespace octagon::daemon
