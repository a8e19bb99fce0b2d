#include <octagon/daemon/policy_manager.h>

#include <algorithm>
#include <cerrno>

#include <octagon/base/log.h>
#include <octagon/policy/parser.h>

namespace octagon::daemon {
namespace {

const char* mode_name(policy::PolicyMode m) {
  return m == policy::PolicyMode::kMonitor ? "monitor" : "enforce";
}

}  // namespace

const char* policy_state_name(PolicyState s) {
  switch (s) {
    case PolicyState::kEnabled: return "enabled";
    case PolicyState::kDisabled: return "disabled";
    case PolicyState::kLoadError: return "load_error";
    case PolicyState::kError: return "error";
    case PolicyState::kUnknown: break;
  }
  return "unknown";
}

struct PolicyManager::Entry {
  uint64_t id = 0;
  policy::TracingPolicy spec;
  policy::CompileOptions opts;  // mode_override: the load-time, then runtime, mode
  policy::CompiledPolicy compiled;
  PolicyState state = PolicyState::kUnknown;
  std::string error;
  std::vector<uint32_t> hook_ids;
  std::vector<std::unique_ptr<sensors::GenericHook>> hooks;  // enter, [exit], enter, ...
  std::string loader_mechanism;  // non-empty while the policy holds the loader sensor
};

namespace {

// Per compiled hook, its selectors' counters over its loaded instances (enter and exit half).
std::vector<HookStatus> hook_status(const PolicyManager::Entry& p) {
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
        c.overrides += st[sel][OCT_GS_OVERRIDE];
        c.monitor_overrides += st[sel][OCT_GS_MONITOR_OVERRIDE];
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
  for (auto& [name, e] : policies_) unload(*e);
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

void PolicyManager::unload(Entry& e) {
  e.hooks.clear();  // detaches and frees every program and map of the policy
  for (uint32_t id : e.hook_ids) registry_.remove(id);
  e.hook_ids.clear();
  if (!e.loader_mechanism.empty() && loader_) loader_->release();
  e.loader_mechanism.clear();
}

Result<void> PolicyManager::load(Entry& e) {
  OCTAGON_ASSIGN_OR_RETURN(e.compiled, policy::compile_policy(e.spec, kernel_, e.opts));
  for (policy::HookPlan& h : e.compiled.hooks) {
    uint32_t id = 0;
    if (h.enter.target.kind == policy::AttachTarget::Kind::kKprobeMulti) {
      // One program for many functions: a hook id (its events' function_name) per function,
      // which the kernel hands the program as the call's attach cookie.
      h.enter.target.cookies.clear();
      for (const std::string& fn : h.enter.target.functions) {
        policy::HookRender r = h.render;
        r.function_name = fn;
        id = registry_.add(r);
        e.hook_ids.push_back(id);
        h.enter.target.cookies.push_back(id);
      }
    } else {
      id = registry_.add(h.render);
      e.hook_ids.push_back(id);
    }
    h.enter.config.hook_id = id;
    auto enter = sensors::GenericHook::create(h.enter.target, h.enter.config, sensor_, nullptr,
                                              h.enter.inmap, h.enter.binaries);
    if (!enter) {
      unload(e);
      return make_error(enter.error().wrap("policy " + e.spec.name + ": load " + h.mechanism));
    }
    const sensors::GenericHook* pair = enter->get();
    e.hooks.push_back(std::move(*enter));
    if (h.exit) {
      h.exit->config.hook_id = id;
      auto exit = sensors::GenericHook::create(h.exit->target, h.exit->config, sensor_, pair,
                                               h.exit->inmap, h.exit->binaries);
      if (!exit) {
        unload(e);
        return make_error(exit.error().wrap("policy " + e.spec.name + ": load " + h.mechanism));
      }
      e.hooks.push_back(std::move(*exit));
    }
  }
  if (e.compiled.loader) {
    if (!loader_) {
      unload(e);
      return make_error(ENOTSUP, "policy " + e.spec.name + ": loader: true needs the agent's loader sensor");
    }
    auto m = loader_->acquire();
    if (!m) {
      unload(e);
      return make_error(m.error().wrap("policy " + e.spec.name + ": start the loader sensor"));
    }
    e.loader_mechanism = "loader: " + *m;
  }
  for (const auto& n : e.compiled.notes) OCTAGON_LOG_INFO("policy %s: %s", e.spec.name.c_str(), n.c_str());
  return ok();
}

PolicyManager::Entry* PolicyManager::find(const std::string& name) {
  auto it = policies_.find(name);
  return it == policies_.end() ? nullptr : it->second.get();
}

Result<std::string> PolicyManager::add(const policy::TracingPolicy& p,
                                       const policy::CompileOptions& opts) {
  std::lock_guard l(mu_);
  if (policies_.count(p.name)) return make_error(EEXIST, "policy " + p.name + " is already loaded");
  auto e = std::make_unique<Entry>();
  e->spec = p;
  e->opts = opts;
  OCTAGON_TRY(load(*e));
  e->state = PolicyState::kEnabled;
  e->id = next_id_++;
  policies_[p.name] = std::move(e);
  return p.name;
}

Result<void> PolicyManager::remove(const std::string& name) {
  std::lock_guard l(mu_);
  auto it = policies_.find(name);
  if (it == policies_.end()) return make_error(ENOENT, "no policy " + name);
  unload(*it->second);
  policies_.erase(it);
  return ok();
}

Result<void> PolicyManager::enable(const std::string& name) {
  std::lock_guard l(mu_);
  Entry* e = find(name);
  if (!e) return make_error(ENOENT, "no policy " + name);
  if (e->state == PolicyState::kEnabled) return ok();
  if (auto r = load(*e); !r) {
    e->state = PolicyState::kError;
    e->error = r.error().message();
    return r;
  }
  e->state = PolicyState::kEnabled;
  e->error.clear();
  return ok();
}

Result<void> PolicyManager::disable(const std::string& name) {
  std::lock_guard l(mu_);
  Entry* e = find(name);
  if (!e) return make_error(ENOENT, "no policy " + name);
  unload(*e);
  e->state = PolicyState::kDisabled;
  return ok();
}

Result<void> PolicyManager::set_mode(const std::string& name, policy::PolicyMode mode) {
  std::lock_guard l(mu_);
  Entry* e = find(name);
  if (!e) return make_error(ENOENT, "no policy " + name);
  // A hook loaded in monitor mode on a mechanism that cannot return an error (the kernel had
  // none for its Override) cannot start enforcing: refuse instead of pretending.
  if (mode == policy::PolicyMode::kEnforce)
    for (const auto& h : e->compiled.hooks)
      for (uint32_t s = 0; s < h.enter.config.nselectors && s < OCT_GEN_MAX_SELECTORS; s++)
        if (h.enter.config.selectors[s].override && !h.enter.config.override_ok)
          return make_error(ENOTSUP, "policy " + name + " cannot enforce: the Override on " + h.mechanism +
                                         " cannot run on this kernel (see the policy notes); it stays in monitor mode");
  e->opts.mode_override = mode;
  e->compiled.mode = mode;
  for (auto& h : e->hooks) OCTAGON_TRY(h->set_monitor(mode == policy::PolicyMode::kMonitor));
  return ok();
}

std::vector<PolicyStatus> PolicyManager::status() const {
  std::lock_guard l(mu_);
  std::vector<PolicyStatus> out;
  for (const auto& [name, e] : policies_) {
    PolicyStatus s;
    s.id = e->id;
    s.name = name;
    s.namespace_ = e->spec.namespace_name;
    s.state = e->state;
    s.error = e->error;
    s.mode = mode_name(e->opts.mode_override.value_or(
        e->spec.options.policy_mode.value_or(policy::PolicyMode::kEnforce)));
    for (const auto& h : e->compiled.hooks) s.mechanisms.push_back(h.mechanism);
    if (!e->loader_mechanism.empty()) s.mechanisms.push_back(e->loader_mechanism);
    s.notes = e->compiled.notes;
    for (const auto& h : e->hooks) s.kernel_memory_bytes += h->memory_bytes();
    s.hooks = hook_status(*e);
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

}  // namespace octagon::daemon
