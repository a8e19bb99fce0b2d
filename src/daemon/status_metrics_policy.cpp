// Policy metric families: load state, kernel memory and per-selector action counters.
#include <octagon/daemon/status_metrics.h>

#include <map>

#include <octagon/metrics/exposition.h>

namespace octagon::daemon {
namespace {

using metrics::MetricType;

// Hook labels: the hook's mechanism, with "#2", "#3" appended when a policy has the same one
// twice, so that every series stays unique.
std::vector<std::string> hook_labels(const PolicyStatus& p) {
  std::map<std::string, int> seen;
  std::vector<std::string> out;
  for (const auto& h : p.hooks) {
    int n = ++seen[h.mechanism];
    out.push_back(n == 1 ? h.mechanism : h.mechanism + "#" + std::to_string(n));
  }
  return out;
}

struct SelectorColumn {
  const char* label;
  uint64_t SelectorCounters::*field;
};

constexpr SelectorColumn kActions[] = {
    {"post", &SelectorCounters::posted},
    {"signal", &SelectorCounters::signals},
    {"monitor_signal", &SelectorCounters::monitor_signals},
    {"nopost", &SelectorCounters::nopost},
    {"override", &SelectorCounters::overrides},
    {"monitor_override", &SelectorCounters::monitor_overrides},
};
constexpr SelectorColumn kMissed[] = {
    {"ringbuf_full", &SelectorCounters::ringbuf_full},
    {"rate_limited", &SelectorCounters::rate_limited},
    {"signal_failed", &SelectorCounters::signal_failed},
};

template <size_t N>
void selector_family(const StatusSnapshot& s, metrics::ExpositionWriter& w, const char* label_name,
                     const SelectorColumn (&columns)[N]) {
  for (const PolicyStatus& p : s.policies) {
    std::vector<std::string> hooks = hook_labels(p);
    for (size_t h = 0; h < p.hooks.size(); h++) {
      for (size_t k = 0; k < p.hooks[h].selectors.size(); k++) {
        const std::string sel = std::to_string(k);
        for (const SelectorColumn& c : columns)
          w.sample({{"policy", p.name}, {"hook", hooks[h]}, {"selector", sel}, {label_name, c.label}},
                   p.hooks[h].selectors[k].*c.field);
      }
    }
  }
}

}  // namespace

void render_policy_metrics(const StatusSnapshot& s, metrics::ExpositionWriter& w) {
  w.family("tetragon_tracingpolicy_loaded", MetricType::kGauge, "Tracing policies, by state");
  for (PolicyState st : {PolicyState::kEnabled, PolicyState::kDisabled, PolicyState::kLoadError,
                         PolicyState::kError}) {
    uint64_t n = 0;
    for (const PolicyStatus& p : s.policies) n += p.state == st;
    w.sample({{"state", policy_state_name(st)}}, n);
  }
  w.family("octagon_tracingpolicy_info", MetricType::kGauge,
           "One series per tracing policy with its state and mode (always 1)");
  for (const PolicyStatus& p : s.policies)
    w.sample({{"policy", p.name}, {"state", policy_state_name(p.state)}, {"mode", p.mode}},
             uint64_t{1});
  w.family("tetragon_tracingpolicy_kernel_memory_bytes", MetricType::kGauge,
           "Kernel memory of a tracing policy's own BPF maps");
  for (const PolicyStatus& p : s.policies)
    w.sample({{"policy", p.name}}, p.kernel_memory_bytes);
  w.family("tetragon_policy_events_total", MetricType::kCounter,
           "Events a tracing policy's hooks posted");
  for (const PolicyStatus& p : s.policies) {
    std::vector<std::string> hooks = hook_labels(p);
    for (size_t h = 0; h < p.hooks.size(); h++) {
      uint64_t n = 0;
      for (const auto& sel : p.hooks[h].selectors) n += sel.posted;
      w.sample({{"policy", p.name}, {"hook", hooks[h]}}, n);
    }
  }
  w.family("tetragon_tracingpolicy_selector_actions_total", MetricType::kCounter,
           "Actions taken by each selector of a tracing policy in the kernel");
  selector_family(s, w, "action", kActions);
  w.family("octagon_tracingpolicy_selector_missed_total", MetricType::kCounter,
           "Selector matches whose event or action did not happen, by reason (ringbuf_full: "
           "event lost; rate_limited: suppressed by rateLimit; signal_failed: not enforced)");
  selector_family(s, w, "reason", kMissed);
}

}  // namespace octagon::daemon
