#include <octagon/api/event_filter.h>

#include <octagon/api/label_selector.h>

#include <re2/re2.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <unordered_set>

namespace octagon::api {

using tetragon::GetEventsResponse;
using tetragon::Process;

namespace {

const std::string kEmpty;

const google::protobuf::RepeatedPtrField<Process>* event_ancestors(const GetEventsResponse& e) {
  switch (e.event_case()) {
  case GetEventsResponse::kProcessExec:
    return &e.process_exec().ancestors();
  case GetEventsResponse::kProcessExit:
    return &e.process_exit().ancestors();
  case GetEventsResponse::kProcessKprobe:
    return &e.process_kprobe().ancestors();
  case GetEventsResponse::kProcessTracepoint:
    return &e.process_tracepoint().ancestors();
  case GetEventsResponse::kProcessUprobe:
    return &e.process_uprobe().ancestors();
  case GetEventsResponse::kProcessUsdt:
    return &e.process_usdt().ancestors();
  case GetEventsResponse::kProcessLsm:
    return &e.process_lsm().ancestors();
  case GetEventsResponse::kProcessLoader:
    return &e.process_loader().ancestors();
  default:
    return nullptr;
  }
}

// Which string of an event a regex field matches.
enum class Target {
  kBinary,
  kArguments,
  kParentBinary,
  kParentArguments,
  kPodName,
  kDocker,
  kContainerName,
  kNamespace,
  kAncestorBinary,
};

struct RegexField {
  Target target;
  std::vector<std::unique_ptr<RE2>> regexes;
};

std::vector<std::string_view> target_values(const GetEventsResponse& e, Target t) {
  const Process* p = event_process(e);
  const Process* parent = event_parent(e);
  switch (t) {
  case Target::kBinary:
    return {p ? p->binary() : kEmpty};
  case Target::kArguments:
    return {p ? p->arguments() : kEmpty};
  case Target::kParentBinary:
    return {parent ? parent->binary() : kEmpty};
  case Target::kParentArguments:
    return {parent ? parent->arguments() : kEmpty};
  case Target::kPodName:
    return {p && p->has_pod() ? p->pod().name() : kEmpty};
  case Target::kDocker:
    return {p ? p->docker() : kEmpty};
  case Target::kContainerName:
    return {p && p->has_pod() ? p->pod().container().name() : kEmpty};
  case Target::kNamespace:
    return {p && p->has_pod() ? p->pod().namespace_() : kEmpty};
  case Target::kAncestorBinary: {
    std::vector<std::string_view> out;
    if (const auto* a = event_ancestors(e))
      for (const Process& anc : *a)
        out.push_back(anc.binary());
    return out;
  }
  }
  return {};
}

} // namespace

// One CapFilterSet: exactly one of any/all/exactly/none is set (checked when compiling).
struct CapSetFilter {
  enum class Kind { kAny, kAll, kExactly, kNone } kind = Kind::kAny;
  uint64_t bits = 0;

  bool matches(const google::protobuf::RepeatedField<int>& caps) const {
    uint64_t have = 0;
    for (int c : caps)
      if (c >= 0 && c < 64)
        have |= 1ull << c;
    switch (kind) {
    case Kind::kAny: return (have & bits) != 0;
    case Kind::kAll: return (have & bits) == bits;
    case Kind::kExactly: return have == bits;
    case Kind::kNone: return (have & bits) == 0;
    }
    return false;
  }
};

struct CompiledFilter {
  std::vector<RegexField> regex_fields;
  std::vector<LabelSelector> label_selectors; // OR across selectors
  bool has_labels = false;
  std::optional<CapSetFilter> cap_permitted, cap_effective, cap_inheritable;
  bool has_caps = false;
  std::optional<bool> in_init_tree;
  std::vector<std::string> namespaces;
  bool has_health_check = false, health_check = false;
  std::vector<uint32_t> pids;
  std::unordered_set<uint32_t> pid_set; // grows with descendants
  bool has_pid_set = false;
  std::vector<int> event_set;
  std::vector<std::string> policy_names;

  bool matches(const GetEventsResponse& e) {
    if (!event_set.empty() && std::find(event_set.begin(), event_set.end(),
                                        static_cast<int>(e.event_case())) == event_set.end())
      return false;
    const Process* p = event_process(e);
    if (has_health_check && health_check)
      return false; // no health-check events exist
    if (!pids.empty() &&
        (!p || std::find(pids.begin(), pids.end(), p->pid().value()) == pids.end()))
      return false;
    if (has_pid_set && !match_pid_set(e, p))
      return false;
    if (!namespaces.empty()) {
      const std::string& ns = p && p->has_pod() ? p->pod().namespace_() : kEmpty;
      if (std::find(namespaces.begin(), namespaces.end(), ns) == namespaces.end())
        return false;
    }
    if (has_labels && !match_labels(p))
      return false;
    if (has_caps && !match_caps(p))
      return false;
    // Unset in_init_tree reads as false, as in Tetragon (a BoolValue's GetValue()).
    if (in_init_tree && (p && p->in_init_tree().value()) != *in_init_tree)
      return false;
    if (!policy_names.empty() && std::find(policy_names.begin(), policy_names.end(),
                                           event_policy_name(e)) == policy_names.end())
      return false;
    for (const RegexField& f : regex_fields) {
      bool any = false;
      for (std::string_view v : target_values(e, f.target)) {
        for (const auto& re : f.regexes) {
          if (RE2::PartialMatch(v, *re)) {
            any = true;
            break;
          }
        }
        if (any)
          break;
      }
      if (!any)
        return false;
    }
    return true;
  }

  // Events without a pod (all host processes) never match a label filter, not even the empty
  // selector (Tetragon).
  bool match_labels(const Process* p) const {
    if (!p || !p->has_pod())
      return false;
    for (const LabelSelector& s : label_selectors)
      if (s.matches(p->pod().pod_labels()))
        return true;
    return false;
  }

  // A process without `cap` (no --enable-process-cred) never matches.
  bool match_caps(const Process* p) const {
    if (!p || !p->has_cap())
      return false;
    const auto& c = p->cap();
    return (!cap_effective || cap_effective->matches(c.effective())) &&
           (!cap_inheritable || cap_inheritable->matches(c.inheritable())) &&
           (!cap_permitted || cap_permitted->matches(c.permitted()));
  }

  bool match_pid_set(const GetEventsResponse& e, const Process* p) {
    if (!p)
      return false;
    const uint32_t pid = p->pid().value();
    if (pid_set.count(pid))
      return true;
    const Process* parent = event_parent(e);
    if (parent && pid_set.count(parent->pid().value())) {
      pid_set.insert(pid); // a descendant: follow it from now on
      return true;
    }
    return false;
  }
};

namespace {

Result<void> add_regexes(const google::protobuf::RepeatedPtrField<std::string>& patterns,
                         const char* field, Target target, CompiledFilter& out) {
  if (patterns.empty())
    return ok();
  RegexField rf{target, {}};
  for (const std::string& pat : patterns) {
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_unique<RE2>(pat, opts);
    if (!re->ok())
      return make_error(EINVAL, std::string("invalid ") + field + " '" + pat + "': " + re->error());
    rf.regexes.push_back(std::move(re));
  }
  out.regex_fields.push_back(std::move(rf));
  return ok();
}

Result<std::optional<CapSetFilter>> compile_cap_set(bool has, const tetragon::CapFilterSet& set,
                                                     const char* name) {
  if (!has)
    return std::optional<CapSetFilter>();
  using Kind = CapSetFilter::Kind;
  std::vector<std::pair<const char*, std::pair<Kind, const google::protobuf::RepeatedField<int>*>>>
      defined;
  if (!set.any().empty())
    defined.push_back({"any", {Kind::kAny, &set.any()}});
  if (!set.all().empty())
    defined.push_back({"all", {Kind::kAll, &set.all()}});
  if (!set.exactly().empty())
    defined.push_back({"exactly", {Kind::kExactly, &set.exactly()}});
  if (!set.none().empty())
    defined.push_back({"none", {Kind::kNone, &set.none()}});
  const std::string where = std::string("capabilities.") + name;
  if (defined.empty())
    return make_error(EINVAL, where + ": a capability filter must define exactly one match set "
                                      "(any, all, exactly or none)");
  if (defined.size() > 1) {
    std::string names;
    for (const auto& d : defined)
      names += (names.empty() ? "" : ", ") + std::string(d.first);
    return make_error(EINVAL, where + ": a capability filter may only define one match set, got: " +
                                  names);
  }
  CapSetFilter out;
  out.kind = defined[0].second.first;
  for (int cap : *defined[0].second.second) {
    if (!tetragon::CapabilitiesType_IsValid(cap) || cap >= 64)
      return make_error(EINVAL, where + ": unknown capability " + std::to_string(cap));
    out.bits |= 1ull << cap;
  }
  return std::optional<CapSetFilter>(out);
}

Result<std::unique_ptr<CompiledFilter>> compile(const tetragon::Filter& f,
                                                const FilterOptions& options) {
  if (!f.cel_expression().empty())
    return make_error(ENOSYS, "filter field 'cel_expression' is not supported by Octagon (no CEL "
                              "evaluator); use the regex, namespace, label and capability fields");
  auto c = std::make_unique<CompiledFilter>();
  for (const std::string& text : f.labels()) {
    auto sel = LabelSelector::parse(text);
    if (!sel)
      return make_error(EINVAL, "invalid pod label filter: " + sel.error().message());
    c->label_selectors.push_back(std::move(*sel));
  }
  c->has_labels = !f.labels().empty();
  if (f.has_capabilities()) {
    if (!options.process_cred)
      return make_error(EINVAL, "capabilities are not enabled in process events, cannot configure "
                                "capability filter (start the agent with --enable-process-cred)");
    const tetragon::CapFilter& cf = f.capabilities();
    OCTAGON_ASSIGN_OR_RETURN(c->cap_permitted,
                             compile_cap_set(cf.has_permitted(), cf.permitted(), "permitted"));
    OCTAGON_ASSIGN_OR_RETURN(c->cap_effective,
                             compile_cap_set(cf.has_effective(), cf.effective(), "effective"));
    OCTAGON_ASSIGN_OR_RETURN(
        c->cap_inheritable, compile_cap_set(cf.has_inheritable(), cf.inheritable(), "inheritable"));
    c->has_caps = true;
  }
  if (f.has_in_init_tree())
    c->in_init_tree = f.in_init_tree().value();
  OCTAGON_TRY(add_regexes(f.binary_regex(), "binary_regex", Target::kBinary, *c));
  OCTAGON_TRY(add_regexes(f.arguments_regex(), "arguments_regex", Target::kArguments, *c));
  OCTAGON_TRY(
      add_regexes(f.parent_binary_regex(), "parent_binary_regex", Target::kParentBinary, *c));
  OCTAGON_TRY(add_regexes(f.parent_arguments_regex(), "parent_arguments_regex",
                          Target::kParentArguments, *c));
  OCTAGON_TRY(add_regexes(f.pod_regex(), "pod_regex", Target::kPodName, *c));
  OCTAGON_TRY(add_regexes(f.container_id(), "container_id", Target::kDocker, *c));
  OCTAGON_TRY(
      add_regexes(f.container_name_regex(), "container_name_regex", Target::kContainerName, *c));
  OCTAGON_TRY(add_regexes(f.namespace_regex(), "namespace_regex", Target::kNamespace, *c));
  OCTAGON_TRY(
      add_regexes(f.ancestor_binary_regex(), "ancestor_binary_regex", Target::kAncestorBinary, *c));
  c->namespaces.assign(f.namespace_().begin(), f.namespace_().end());
  c->has_health_check = f.has_health_check();
  c->health_check = f.health_check().value();
  c->pids.assign(f.pid().begin(), f.pid().end());
  c->has_pid_set = !f.pid_set().empty();
  c->pid_set.insert(f.pid_set().begin(), f.pid_set().end());
  for (int t : f.event_set()) {
    if (t == tetragon::UNDEF || !tetragon::EventType_IsValid(t))
      return make_error(EINVAL, "event_set: unknown event type " + std::to_string(t));
    c->event_set.push_back(t);
  }
  c->policy_names.assign(f.policy_names().begin(), f.policy_names().end());
  return c;
}

} // namespace

EventFilter::EventFilter() = default;
EventFilter::EventFilter(EventFilter&&) noexcept = default;
EventFilter& EventFilter::operator=(EventFilter&&) noexcept = default;
EventFilter::~EventFilter() = default;

Result<EventFilter>
EventFilter::create(const google::protobuf::RepeatedPtrField<tetragon::Filter>& allow,
                    const google::protobuf::RepeatedPtrField<tetragon::Filter>& deny,
                    const FilterOptions& options) {
  EventFilter ef;
  for (int i = 0; i < allow.size(); i++) {
    auto c = compile(allow[i], options);
    if (!c)
      return make_error(c.error().wrap("allow_list[" + std::to_string(i) + "]"));
    ef.allow_.push_back(std::move(*c));
  }
  for (int i = 0; i < deny.size(); i++) {
    auto c = compile(deny[i], options);
    if (!c)
      return make_error(c.error().wrap("deny_list[" + std::to_string(i) + "]"));
    ef.deny_.push_back(std::move(*c));
  }
  return ef;
}

Result<EventFilter> EventFilter::create(const tetragon::GetEventsRequest& request,
                                        const FilterOptions& options) {
  return create(request.allow_list(), request.deny_list(), options);
}

bool EventFilter::matches(const GetEventsResponse& event) {
  if (!allow_.empty()) {
    bool any = false;
    for (auto& f : allow_) {
      if (f->matches(event)) {
        any = true;
        break;
      }
    }
    if (!any)
      return false;
  }
  for (auto& f : deny_)
    if (f->matches(event))
      return false;
  return true;
}

const Process* event_process(const GetEventsResponse& e) {
  switch (e.event_case()) {
  case GetEventsResponse::kProcessExec:
    return &e.process_exec().process();
  case GetEventsResponse::kProcessExit:
    return &e.process_exit().process();
  case GetEventsResponse::kProcessKprobe:
    return &e.process_kprobe().process();
  case GetEventsResponse::kProcessTracepoint:
    return &e.process_tracepoint().process();
  case GetEventsResponse::kProcessUprobe:
    return &e.process_uprobe().process();
  case GetEventsResponse::kProcessUsdt:
    return &e.process_usdt().process();
  case GetEventsResponse::kProcessLsm:
    return &e.process_lsm().process();
  case GetEventsResponse::kProcessLoader:
    return &e.process_loader().process();
  default:
    return nullptr;
  }
}

const Process* event_parent(const GetEventsResponse& e) {
  const Process* p = nullptr;
  switch (e.event_case()) {
  case GetEventsResponse::kProcessExec:
    p = &e.process_exec().parent();
    break;
  case GetEventsResponse::kProcessExit:
    p = &e.process_exit().parent();
    break;
  case GetEventsResponse::kProcessKprobe:
    p = &e.process_kprobe().parent();
    break;
  case GetEventsResponse::kProcessTracepoint:
    p = &e.process_tracepoint().parent();
    break;
  case GetEventsResponse::kProcessUprobe:
    p = &e.process_uprobe().parent();
    break;
  case GetEventsResponse::kProcessUsdt:
    p = &e.process_usdt().parent();
    break;
  case GetEventsResponse::kProcessLsm:
    p = &e.process_lsm().parent();
    break;
  case GetEventsResponse::kProcessLoader:
    p = &e.process_loader().parent();
    break;
  default:
    return nullptr;
  }
  return p->has_pid() ? p : nullptr;
}

const std::string& event_policy_name(const GetEventsResponse& e) {
  switch (e.event_case()) {
  case GetEventsResponse::kProcessKprobe:
    return e.process_kprobe().policy_name();
  case GetEventsResponse::kProcessTracepoint:
    return e.process_tracepoint().policy_name();
  case GetEventsResponse::kProcessUprobe:
    return e.process_uprobe().policy_name();
  case GetEventsResponse::kProcessUsdt:
    return e.process_usdt().policy_name();
  case GetEventsResponse::kProcessLsm:
    return e.process_lsm().policy_name();
  default:
    return kEmpty;
  }
}

} // namespace octagon::api
