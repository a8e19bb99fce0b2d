#include <octagon/daemon/policy_manager.h>

#include <unistd.h>

#include <cerrno>

#include <octagon/base/log.h>
#include <octagon/policy/kernel/syscalls.h>
#include <octagon/policy/kernel/tracefs_format.h>
#include <octagon/policy/parser.h>

namespace octagon::daemon {

namespace {

sensors::HookTarget target_of(const policy::HookAttach& a) {
  sensors::HookTarget t;
  switch (a.kind) {
    case policy::HookAttach::Kind::kTracepoint: t.kind = sensors::HookTarget::Kind::kTracepoint; break;
    case policy::HookAttach::Kind::kRawTracepoint: t.kind = sensors::HookTarget::Kind::kRawTracepoint; break;
    case policy::HookAttach::Kind::kUprobe: t.kind = sensors::HookTarget::Kind::kUprobe; break;
  }
  t.subsystem = a.subsystem;
  t.event = a.event;
  t.binary = a.binary;
  t.offset = a.offset;
  t.ref_ctr_offset = a.ref_ctr_offset;
  t.retprobe = a.retprobe;
  return t;
}

}  // namespace

struct PolicyManager::Loaded {
  policy::CompiledPolicy compiled;
  std::vector<uint32_t> hook_ids;
  std::vector<std::unique_ptr<sensors::GenericHook>> hooks;  // enter, [exit], enter, ...
};

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
    auto enter = sensors::GenericHook::create(target_of(h.enter), h.enter.config,
                                                 sensor_, nullptr, h.enter.inmap);
    if (!enter) {
      undo();
      return make_error(enter.error().wrap("policy " + p.name + ": load " + h.mechanism));
    }
    const sensors::GenericHook* pair = enter->get();
    loaded->hooks.push_back(std::move(*enter));
    if (h.exit) {
      h.exit->config.hook_id = id;
      auto exit = sensors::GenericHook::create(target_of(*h.exit), h.exit->config,
                                                  sensor_, pair, h.exit->inmap);
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
    for (const auto& h : p->hooks) {
      s.kernel_memory_bytes += h->memory_bytes();
      uint64_t st[OCT_GEN_MAX_SELECTORS + 1][OCT_GS_MAX];
      h->read_stats(st);
      for (auto& row : st) {
        s.posted += row[OCT_GS_POST];
        s.signals += row[OCT_GS_SIGNAL];
        s.monitor_signals += row[OCT_GS_MONITOR_SIGNAL];
        s.nopost += row[OCT_GS_NOPOST];
        s.ringbuf_full += row[OCT_GS_RB_FULL];
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
  for (const auto& x : f.fields) out.push_back({x.name, x.type, x.offset, x.size, x.is_signed, x.is_array});
  return out;
}

std::optional<int> TracefsKernelFacts::syscall_number(const std::string& name) const {
  return policy::kernel::KernelInfo(root_).syscall_number(name);
}

std::string TracefsKernelFacts::syscall_prefix() const { return policy::kernel::KernelInfo(root_).arch_prefix(); }

policy::BtfFacts* TracefsKernelFacts::btf() {
  if (!btf_tried_) {
    btf_tried_ = true;
    auto b = sensors::KernelBtf::load();
    if (b) btf_ = std::move(*b);
    else OCTAGON_LOG_WARN("%s", b.error().message().c_str());
  }
  return btf_.get();
}

}  // namespace octagon::daemon
