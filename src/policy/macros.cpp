// selectorsMacros expansion: each macro a selector names in `macros` has its fields merged into
// the selector. A field set both by the selector and by a macro (or by two macros) is an error,
// as in Tetragon. Filters keep the position of the macro they came from.
#include <octagon/policy/parse_internal.h>

#include <map>

namespace octagon::policy::detail {
namespace {

class MacroExpander {
public:
  MacroExpander(ParseContext& ctx, const TracingPolicy& policy) : ctx_(ctx), policy_(policy) {}

  Result<void> expand(std::vector<Selector>& selectors) {
    for (Selector& sel : selectors) {
      origin_.clear();
      for (size_t i = 0; i < sel.macros.size(); ++i) {
        const SourcePos ref = field_pos(sel.pos, "macros[" + std::to_string(i) + "]");
        const SelectorMacro* macro = find(sel.macros[i]);
        if (macro == nullptr) {
          std::vector<std::string_view> names;
          for (const SelectorMacro& m : policy_.selectors_macros)
            names.push_back(m.name);
          return ctx_.fail(ref, "unknown selector macro '" + sel.macros[i] + "'",
                           names.empty() ? std::string("define it under spec.selectorsMacros")
                                         : suggest(sel.macros[i], names));
        }
        OCTAGON_TRY(merge(sel, *macro, ref));
      }
    }
    return ok();
  }

private:
  const SelectorMacro* find(const std::string& name) const {
    for (const SelectorMacro& m : policy_.selectors_macros) {
      if (m.name == name)
        return &m;
    }
    return nullptr;
  }

  Result<void> claim(Selector& sel, const SelectorMacro& macro, std::string_view field,
                     const SourcePos& ref) {
    if (!has_field(macro.selector.pos, field))
      return ok(); // the macro does not set it
    if (has_field(sel.pos, field)) {
      auto it = origin_.find(std::string(field));
      const std::string where = it == origin_.end() ? "the selector" : "macro '" + it->second + "'";
      return ctx_.fail(ref,
                       "macro '" + macro.name + "' sets " + std::string(field) + ", which " +
                           where + " already sets",
                       "a macro's fields are merged into the selector; set " + std::string(field) +
                           " in one place only");
    }
    sel.pos.fields.emplace_back(std::string(field), field_pos(macro.selector.pos, field).mark);
    origin_[std::string(field)] = macro.name;
    return ok();
  }

  template <typename T>
  Result<void> take(Selector& sel, const SelectorMacro& macro, std::string_view field,
                    T Selector::*member, const SourcePos& ref) {
    if (!has_field(macro.selector.pos, field))
      return ok();
    OCTAGON_TRY(claim(sel, macro, field, ref));
    sel.*member = macro.selector.*member;
    return ok();
  }

  Result<void> merge(Selector& sel, const SelectorMacro& m, const SourcePos& ref) {
    OCTAGON_TRY(take(sel, m, "label", &Selector::label, ref));
    OCTAGON_TRY(take(sel, m, "matchPIDs", &Selector::match_pids, ref));
    OCTAGON_TRY(take(sel, m, "matchArgs", &Selector::match_args, ref));
    OCTAGON_TRY(take(sel, m, "matchData", &Selector::match_data, ref));
    OCTAGON_TRY(take(sel, m, "matchReturnArgs", &Selector::match_return_args, ref));
    OCTAGON_TRY(take(sel, m, "matchActions", &Selector::match_actions, ref));
    OCTAGON_TRY(take(sel, m, "matchReturnActions", &Selector::match_return_actions, ref));
    OCTAGON_TRY(take(sel, m, "matchBinaries", &Selector::match_binaries, ref));
    OCTAGON_TRY(take(sel, m, "matchParentBinaries", &Selector::match_parent_binaries, ref));
    OCTAGON_TRY(take(sel, m, "matchNamespaces", &Selector::match_namespaces, ref));
    OCTAGON_TRY(take(sel, m, "matchNamespaceChanges", &Selector::match_namespace_changes, ref));
    OCTAGON_TRY(take(sel, m, "matchCapabilities", &Selector::match_capabilities, ref));
    OCTAGON_TRY(take(sel, m, "matchCapabilityChanges", &Selector::match_capability_changes, ref));
    OCTAGON_TRY(take(sel, m, "matchWorkloads", &Selector::match_workloads, ref));
    return ok();
  }

  ParseContext& ctx_;
  const TracingPolicy& policy_;
  std::map<std::string, std::string> origin_; // selector field -> macro that set it
};

template <typename Hook> Result<void> expand_hooks(MacroExpander& ex, std::vector<Hook>& hooks) {
  for (Hook& h : hooks)
    OCTAGON_TRY(ex.expand(h.selectors));
  return ok();
}

} // namespace

Result<void> expand_macros(ParseContext& ctx, TracingPolicy& policy) {
  MacroExpander ex(ctx, policy);
  OCTAGON_TRY(expand_hooks(ex, policy.kprobes));
  OCTAGON_TRY(expand_hooks(ex, policy.fentries));
  OCTAGON_TRY(expand_hooks(ex, policy.tracepoints));
  OCTAGON_TRY(expand_hooks(ex, policy.uprobes));
  OCTAGON_TRY(expand_hooks(ex, policy.usdts));
  OCTAGON_TRY(expand_hooks(ex, policy.lsmhooks));
  return ok();
}

} // namespace octagon::policy::detail
