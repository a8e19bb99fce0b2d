// Cross-field rules of a parsed policy, after macro expansion: list references, what each
// filter reads (ArgFilter::targets), return probes, and which actions a hook type can run.
#include <octagon/policy/parse_internal.h>

namespace octagon::policy::detail {
namespace {

enum class HookKind { kKprobe, kFentry, kTracepoint, kUprobe, kUsdt, kLsm };

// What the selector checks need to know about the hook that owns them.
struct HookView {
  HookKind kind;
  const HookCommon* hook;
  const std::vector<KProbeArg>* data = nullptr;
  const std::optional<KProbeArg>* return_arg = nullptr;
  bool return_probe = false;
};

std::string_view kind_name(HookKind k) {
  switch (k) {
  case HookKind::kKprobe:
    return "kprobe";
  case HookKind::kFentry:
    return "fentry";
  case HookKind::kTracepoint:
    return "tracepoint";
  case HookKind::kUprobe:
    return "uprobe";
  case HookKind::kUsdt:
    return "usdt";
  case HookKind::kLsm:
    return "LSM hook";
  }
  return "hook";
}

std::string index_list(const std::vector<KProbeArg>& args) {
  std::string out;
  for (const KProbeArg& a : args)
    out += (out.empty() ? "" : ", ") + std::to_string(a.index);
  return out;
}

class Validator {
public:
  Validator(ParseContext& ctx, TracingPolicy& policy) : ctx_(ctx), policy_(policy) {}

  Result<void> run() {
    for (KProbeSpec& k : policy_.kprobes)
      OCTAGON_TRY(kprobe(k, HookKind::kKprobe));
    for (KProbeSpec& k : policy_.fentries)
      OCTAGON_TRY(kprobe(k, HookKind::kFentry));
    for (TracepointSpec& t : policy_.tracepoints) {
      OCTAGON_TRY(selectors(HookView{HookKind::kTracepoint, &t}, t.selectors));
    }
    for (UProbeSpec& u : policy_.uprobes) {
      OCTAGON_TRY(selectors(HookView{HookKind::kUprobe, &u, &u.data, &u.return_arg, u.return_probe},
                            u.selectors));
    }
    for (UsdtSpec& u : policy_.usdts) {
      OCTAGON_TRY(selectors(HookView{HookKind::kUsdt, &u}, u.selectors));
    }
    for (LsmHookSpec& l : policy_.lsmhooks) {
      OCTAGON_TRY(selectors(HookView{HookKind::kLsm, &l}, l.selectors));
    }
    for (const EnforcerSpec& e : policy_.enforcers) {
      for (size_t i = 0; i < e.calls.size(); ++i) {
        OCTAGON_TRY(list_ref(e.calls[i], field_pos(e.pos, "calls[" + std::to_string(i) + "]")));
      }
    }
    return ok();
  }

private:
  // "list:NAME" must name a list of spec.lists.
  Result<const ListSpec*> list_ref(const std::string& value, const SourcePos& pos) {
    if (value.rfind("list:", 0) != 0)
      return static_cast<const ListSpec*>(nullptr);
    const std::string name = value.substr(5);
    if (const ListSpec* l = find_list(policy_, name))
      return l;
    std::vector<std::string_view> names;
    for (const ListSpec& l : policy_.lists)
      names.push_back(l.name);
    return ctx_.fail(pos, "list '" + name + "' is not defined",
                     names.empty() ? std::string("define it under spec.lists")
                                   : suggest(name, names));
  }

  Result<void> kprobe(KProbeSpec& k, HookKind kind) {
    OCTAGON_TRY(list_ref(k.call, field_pos(k.pos, "call")));
    return selectors(HookView{kind, &k, &k.data, &k.return_arg, k.return_probe}, k.selectors);
  }

  Result<void> selectors(const HookView& h, std::vector<Selector>& sels) {
    for (Selector& s : sels) {
      if (s.match_args.size() + s.match_data.size() > kMaxArgFilters) {
        return ctx_.fail(s.pos, "more than 5 matchArgs and matchData entries in one selector",
                         "combine filters on the same argument, or split the selector");
      }
      for (ArgFilter& f : s.match_args)
        OCTAGON_TRY(arg_filter(h, f, h.hook->args, "args"));
      if (!s.match_data.empty() && (h.data == nullptr || h.data->empty())) {
        return ctx_.fail(s.match_data[0].pos, "matchData needs data entries on the hook",
                         "add a 'data:' list to the hook");
      }
      for (ArgFilter& f : s.match_data)
        OCTAGON_TRY(arg_filter(h, f, *h.data, "data"));
      const bool has_return = h.return_probe && h.return_arg && h.return_arg->has_value();
      if (!s.match_return_args.empty() && !has_return) {
        return ctx_.fail(s.match_return_args[0].pos,
                         "matchReturnArgs needs 'return: true' and a returnArg on the hook",
                         h.kind == HookKind::kKprobe || h.kind == HookKind::kUprobe
                             ? "add 'return: true' and 'returnArg: {index: 0, type: int}'"
                             : "only kprobes, fentries and uprobes have return values");
      }
      for (ArgFilter& f : s.match_return_args)
        OCTAGON_TRY(return_filter(h, f));
      if (!s.match_return_actions.empty() && !h.return_probe) {
        return ctx_.fail(s.match_return_actions[0].pos,
                         "matchReturnActions needs 'return: true' on the hook",
                         "return actions run when the function returns");
      }
      for (const Action& a : s.match_actions)
        OCTAGON_TRY(action(h, a));
      for (const Action& a : s.match_return_actions)
        OCTAGON_TRY(action(h, a));
    }
    return ok();
  }

  // Resolves which entries of `list` (the hook's args or data) a filter reads.
  Result<void> arg_filter(const HookView& h, ArgFilter& f, const std::vector<KProbeArg>& list,
                          std::string_view list_name) {
    f.targets.clear();
    if (list.empty() && f.op != ArgOperator::kCelExpr) {
      return ctx_.fail(f.pos, "the hook has no " + std::string(list_name) + " to filter",
                       "add the argument to the hook's '" + std::string(list_name) + "' list");
    }
    if (!f.args.empty()) {
      for (size_t i = 0; i < f.args.size(); ++i) {
        if (f.args[i] >= list.size()) {
          return ctx_.fail(field_pos(f.pos, "args[" + std::to_string(i) + "]"),
                           "position " + std::to_string(f.args[i]) + " is past the end of " +
                               std::string(list_name) + " (" + std::to_string(list.size()) +
                               " entries)",
                           "args counts entries of the hook's list from 0");
        }
        f.targets.push_back(f.args[i]);
      }
    } else if (f.op != ArgOperator::kCelExpr) {
      const uint32_t index = f.index.value_or(0);
      if (h.kind == HookKind::kTracepoint) {
        // Tracepoint filters count entries of the spec's args list, not format fields.
        if (index >= list.size()) {
          return ctx_.fail(field_pos(f.pos, "index"),
                           "index " + std::to_string(index) + " is past the end of args (" +
                               std::to_string(list.size()) + " entries)",
                           "for tracepoints, a filter's index counts the entries of args");
        }
        f.targets.push_back(index);
      } else {
        for (size_t j = 0; j < list.size() && f.targets.empty(); ++j) {
          if (list[j].index == index)
            f.targets.push_back(static_cast<uint32_t>(j));
        }
        if (f.targets.empty()) {
          return ctx_.fail(field_pos(f.pos, "index"),
                           "no entry of " + std::string(list_name) + " has index " +
                               std::to_string(index),
                           std::string(list_name) + " has indexes " + index_list(list) +
                               "; add the argument there first");
        }
      }
    }
    for (uint32_t t : f.targets) {
      OCTAGON_TRY(validate_filter_values(ctx_, policy_, f, &list[t]));
    }
    if (f.targets.empty())
      OCTAGON_TRY(validate_filter_values(ctx_, policy_, f, nullptr));
    return ok();
  }

  Result<void> return_filter(const HookView& h, ArgFilter& f) {
    if (f.index.value_or(0) != 0 || !f.args.empty()) {
      return ctx_.fail(field_pos(f.pos, f.args.empty() ? "index" : "args"),
                       "matchReturnArgs reads the one return value",
                       "remove the field or write 'index: 0'");
    }
    f.targets.clear();
    return validate_filter_values(ctx_, policy_, f, &**h.return_arg);
  }

  Result<void> action(const HookView& h, const Action& a) {
    const SourcePos at = field_pos(a.pos, "action");
    const std::string name(enum_name(a.type));
    const bool enforcing = a.type == ActionType::kOverride || a.type == ActionType::kSigkill ||
                           a.type == ActionType::kSignal || a.type == ActionType::kNotifyEnforcer;
    if (h.kind == HookKind::kFentry && enforcing) {
      return ctx_.fail(at, name + " cannot run on an fentry hook",
                       "Tetragon does not enforce from fentries; use a kprobe for this hook");
    }
    if (a.type == ActionType::kOverride &&
        (h.kind == HookKind::kTracepoint || h.kind == HookKind::kUsdt)) {
      return ctx_.fail(
          at, "Override cannot change what a " + std::string(kind_name(h.kind)) + " returns",
          "use NotifyEnforcer with spec.enforcers, or Sigkill/Signal");
    }
    const bool redirects =
        !a.arg_regs.empty() || !a.arg_new_symbol.empty() || a.arg_new_addr || a.arg_new_offset;
    if (a.type == ActionType::kOverride && redirects && h.kind != HookKind::kUprobe) {
      return ctx_.fail(at, "argRegs and argNew* apply to uprobes only",
                       "on kprobes and LSM hooks, Override returns argError");
    }
    if (a.type == ActionType::kSet && h.kind != HookKind::kUsdt) {
      return ctx_.fail(at, "Set works on USDT hooks only", "remove the action");
    }
    if (a.type == ActionType::kNotifyEnforcer && policy_.enforcers.empty()) {
      return ctx_.fail(at, "NotifyEnforcer needs an enforcer",
                       "add 'enforcers: [{calls: [...]}]' to the spec with the syscalls to "
                       "enforce on");
    }
    return ok();
  }

  ParseContext& ctx_;
  TracingPolicy& policy_;
};

} // namespace

Result<void> validate_policy(ParseContext& ctx, TracingPolicy& policy) {
  return Validator(ctx, policy).run();
}

} // namespace octagon::policy::detail
