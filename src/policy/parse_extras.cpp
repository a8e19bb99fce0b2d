// spec.lists, enforcers, options, selectorsMacros and the workload (label) selectors.
#include <octagon/policy/numbers.h>
#include <octagon/policy/parse_internal.h>

#include <algorithm>
#include <cctype>

namespace octagon::policy::detail {
namespace {

const std::vector<std::string_view> kListFields = {"name", "type", "values", "pattern",
                                                   "validated"};
const std::vector<std::string_view> kOptionFields = {"name", "value"};
const std::vector<std::string_view> kOptionNames = {"policy-mode", "disable-kprobe-multi",
                                                    "disable-uprobe-multi", "override-method",
                                                    "sleepable-preload-size"};
const std::vector<std::string_view> kLabelSelectorFields = {"matchLabels", "matchExpressions"};
const std::vector<std::string_view> kRequirementFields = {"key", "operator", "values"};
const std::vector<std::string_view> kContainerKeys = {"name", "repo"};

Result<ListSpec> parse_list_spec(ParseContext& ctx, const YAML::Node& node, SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kListFields));
  ListSpec l;
  OCTAGON_ASSIGN_OR_RETURN(l.name, map.string("name", true,
                                              "name the list, then use it as "
                                              "'list:NAME'"));
  OCTAGON_ASSIGN_OR_RETURN(std::string type, map.string("type", false));
  std::string lower;
  for (char c : type)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  std::optional<ListType> t = parse_enum<ListType>(lower);
  if (!t) {
    return ctx.fail(map.field("type"), "unknown list type '" + type + "'",
                    suggest(type, {"syscalls", "generated_syscalls", "generated_ftrace"}));
  }
  l.type = *t;
  OCTAGON_ASSIGN_OR_RETURN(l.values, map.strings("values"));
  if (map.has("pattern")) {
    OCTAGON_ASSIGN_OR_RETURN(std::string pattern, map.string("pattern", false));
    l.pattern = pattern;
  }
  OCTAGON_ASSIGN_OR_RETURN(l.validated, map.boolean("validated", false));
  const bool generated =
      l.type == ListType::kGeneratedSyscalls || l.type == ListType::kGeneratedFtrace;
  // validated: true marks a list already generated (Tetragon then uses its values as they are).
  if (generated && !l.values.empty() && !l.validated) {
    return ctx.fail(map.field("values"), "a generated list cannot have values",
                    "remove 'values', or use type syscalls to list them yourself");
  }
  if (l.type == ListType::kGeneratedFtrace && l.pattern.value_or("").empty() && !l.validated) {
    return ctx.fail(map.field("pattern"), "a generated_ftrace list needs a pattern",
                    "give a regular expression over available_filter_functions, e.g. "
                    "'pattern: ^vfs_*'");
  }
  if (!generated && l.values.empty()) {
    ctx.warn(map.field("values"), "the list is empty");
  }
  l.pos = map.pos();
  return l;
}

Result<EnforcerSpec> parse_enforcer(ParseContext& ctx, const YAML::Node& node, SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, {"calls"}));
  EnforcerSpec e;
  OCTAGON_ASSIGN_OR_RETURN(e.calls, map.strings("calls"));
  if (e.calls.empty()) {
    return ctx.fail(map.field("calls"), "missing required field",
                    "list the syscalls to enforce on, e.g. 'calls: [\"list:dups\"]'");
  }
  e.pos = map.pos();
  return e;
}

Result<void> parse_options(MapReader& spec, PolicyOptions& opts) {
  ParseContext& ctx = spec.ctx();
  opts.pos = spec.field("options");
  std::vector<std::string> seen;
  return spec.each("options", [&](const YAML::Node& n, SourcePos pos) -> Result<void> {
    OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, n, pos.path, kOptionFields));
    OCTAGON_ASSIGN_OR_RETURN(std::string name, map.string("name", true, "e.g. policy-mode"));
    if (std::find(kOptionNames.begin(), kOptionNames.end(), name) == kOptionNames.end()) {
      return ctx.fail(map.field("name"), "unknown option '" + name + "'",
                      suggest(name, kOptionNames));
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return ctx.fail(map.field("name"), "option '" + name + "' is set twice", "keep one");
    }
    seen.push_back(name);
    OCTAGON_ASSIGN_OR_RETURN(std::string value, map.string("value", true));
    const SourcePos at = map.field("value");
    if (name == "policy-mode") {
      std::optional<PolicyMode> m = parse_enum<PolicyMode>(value);
      if (!m)
        return ctx.fail(at, "invalid policy mode '" + value + "'", "write enforce or monitor");
      opts.policy_mode = *m;
    } else if (name == "override-method") {
      std::optional<OverrideMethod> m = parse_enum<OverrideMethod>(value);
      if (!m) {
        return ctx.fail(at, "invalid override method '" + value + "'",
                        "write fmod-ret or override-return");
      }
      opts.override_method = *m;
    } else if (name == "sleepable-preload-size") {
      std::optional<uint64_t> v = parse_uint64(value);
      if (!v)
        return ctx.fail(at, "expected a size in bytes, got '" + value + "'");
      opts.sleepable_preload_size = *v;
    } else {
      std::optional<bool> b = parse_go_bool(value);
      if (!b)
        return ctx.fail(at, "expected a boolean, got '" + value + "'", "write true or false");
      (name == "disable-kprobe-multi" ? opts.disable_kprobe_multi : opts.disable_uprobe_multi) = *b;
    }
    return ok();
  });
}

Result<void> parse_macros(MapReader& spec, TracingPolicy& policy) {
  ParseContext& ctx = spec.ctx();
  if (!spec.has("selectorsMacros"))
    return ok();
  YAML::Node macros = spec.node("selectorsMacros");
  if (!macros.IsMap()) {
    return ctx.fail(spec.field("selectorsMacros"),
                    std::string("expected a mapping of macro names to selectors, got ") +
                        kind_of(macros),
                    "write 'selectorsMacros: {name: {matchBinaries: [...]}}'");
  }
  for (const auto& kv : macros) {
    SourcePos pos = spec.field("selectorsMacros");
    pos.mark = mark_of(kv.first);
    const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (name.empty())
      return ctx.fail(pos, "a macro needs a name");
    pos.path += "." + name;
    for (const SelectorMacro& m : policy.selectors_macros) {
      if (m.name == name)
        return ctx.fail(pos, "macro '" + name + "' is defined twice");
    }
    if (mark_of(kv.second).line != 0)
      pos.mark = mark_of(kv.second);
    OCTAGON_ASSIGN_OR_RETURN(Selector sel, parse_selector(ctx, kv.second, pos, true));
    policy.selectors_macros.push_back(SelectorMacro{name, std::move(sel)});
  }
  return ok();
}

Result<std::optional<LabelSelector>> optional_selector(MapReader& spec, std::string_view key,
                                                       bool container) {
  if (!spec.has(key))
    return std::optional<LabelSelector>(); // absent or null
  OCTAGON_ASSIGN_OR_RETURN(LabelSelector sel, parse_label_selector(spec.ctx(), spec.node(key),
                                                                   spec.field(key), container));
  return std::optional<LabelSelector>(std::move(sel));
}

} // namespace

Result<LabelSelector> parse_label_selector(ParseContext& ctx, const YAML::Node& node, SourcePos pos,
                                           bool container) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map,
                           MapReader::open(ctx, node, pos.path, kLabelSelectorFields));
  LabelSelector sel;
  OCTAGON_ASSIGN_OR_RETURN(sel.match_labels, map.string_map("matchLabels"));
  auto check_key = [&](const std::string& key, const SourcePos& at) -> Result<void> {
    if (container &&
        std::find(kContainerKeys.begin(), kContainerKeys.end(), key) == kContainerKeys.end()) {
      return ctx.fail(at, "containerSelector has no key '" + key + "'",
                      suggest(key, kContainerKeys));
    }
    return ok();
  };
  for (const auto& [key, value] : sel.match_labels) {
    OCTAGON_TRY(check_key(key, map.field("matchLabels")));
  }
  Result<void> parsed =
      map.each("matchExpressions", [&](const YAML::Node& n, SourcePos p) -> Result<void> {
        OCTAGON_ASSIGN_OR_RETURN(MapReader req,
                                 MapReader::open(ctx, n, p.path, kRequirementFields));
        LabelRequirement r;
        OCTAGON_ASSIGN_OR_RETURN(r.key, req.string("key", true, "the label to test"));
        OCTAGON_TRY(check_key(r.key, req.field("key")));
        OCTAGON_ASSIGN_OR_RETURN(std::string op,
                                 req.string("operator", true, "In, NotIn, Exists or DoesNotExist"));
        std::optional<LabelOperator> lop = parse_enum<LabelOperator>(op);
        if (!lop) {
          return ctx.fail(req.field("operator"), "invalid operator '" + op + "'",
                          suggest(op, enum_names<LabelOperator>()));
        }
        r.op = *lop;
        OCTAGON_ASSIGN_OR_RETURN(r.values, req.strings("values"));
        const bool set_op = r.op == LabelOperator::kIn || r.op == LabelOperator::kNotIn;
        if (set_op && r.values.empty()) {
          return ctx.fail(req.field("values"), "operator " + op + " needs values",
                          "list the label values to match");
        }
        if (!set_op && !r.values.empty()) {
          return ctx.fail(req.field("values"), "operator " + op + " takes no values",
                          "remove 'values'");
        }
        r.pos = req.pos();
        sel.match_expressions.push_back(std::move(r));
        return ok();
      });
  if (!parsed)
    return make_error(parsed.error());
  sel.pos = map.pos();
  return sel;
}

Result<void> parse_policy_extras(MapReader& spec, TracingPolicy& policy) {
  ParseContext& ctx = spec.ctx();
  OCTAGON_TRY(spec.each("lists", [&](const YAML::Node& n, SourcePos pos) -> Result<void> {
    OCTAGON_ASSIGN_OR_RETURN(ListSpec l, parse_list_spec(ctx, n, pos));
    if (find_list(policy, l.name) != nullptr) {
      return ctx.fail(field_pos(l.pos, "name"), "list '" + l.name + "' is defined twice",
                      "give each list its own name");
    }
    policy.lists.push_back(std::move(l));
    return ok();
  }));
  OCTAGON_TRY(spec.each("enforcers", [&](const YAML::Node& n, SourcePos pos) -> Result<void> {
    if (!policy.enforcers.empty()) {
      return ctx.fail(pos, "more than one enforcer",
                      "a policy has at most one enforcer; list "
                      "all its calls in the first one");
    }
    OCTAGON_ASSIGN_OR_RETURN(EnforcerSpec e, parse_enforcer(ctx, n, pos));
    policy.enforcers.push_back(std::move(e));
    return ok();
  }));
  OCTAGON_TRY(parse_options(spec, policy.options));
  OCTAGON_TRY(parse_macros(spec, policy));
  OCTAGON_ASSIGN_OR_RETURN(policy.pod_selector, optional_selector(spec, "podSelector", false));
  OCTAGON_ASSIGN_OR_RETURN(policy.container_selector,
                           optional_selector(spec, "containerSelector", true));
  OCTAGON_ASSIGN_OR_RETURN(policy.host_selector, optional_selector(spec, "hostSelector", false));
  OCTAGON_ASSIGN_OR_RETURN(policy.node_selector, optional_selector(spec, "nodeSelector", false));
  return ok();
}

} // namespace octagon::policy::detail

namespace octagon::policy {

const ListSpec* find_list(const TracingPolicy& policy, std::string_view name) {
  for (const ListSpec& l : policy.lists) {
    if (l.name == name)
      return &l;
  }
  return nullptr;
}

} // namespace octagon::policy
