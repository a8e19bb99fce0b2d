// selectors[] (and selectorsMacros values): the process, argument and workload filters.
// Actions are in parse_actions.cpp.
#include <octagon/policy/numbers.h>
#include <octagon/policy/parse_internal.h>

#include <cctype>
#include <limits>

namespace octagon::policy::detail {
namespace {

const std::vector<std::string_view> kSelectorFields = {"label",
                                                       "matchPIDs",
                                                       "matchArgs",
                                                       "matchData",
                                                       "matchReturnArgs",
                                                       "matchActions",
                                                       "matchReturnActions",
                                                       "matchBinaries",
                                                       "matchParentBinaries",
                                                       "matchNamespaces",
                                                       "matchNamespaceChanges",
                                                       "matchCapabilities",
                                                       "matchCapabilityChanges",
                                                       "matchWorkloads",
                                                       "macros"};
const std::vector<std::string_view> kArgFilterFields = {"index", "args", "operator", "values"};
const std::vector<std::string_view> kPidFields = {"operator", "values", "isNamespacePID",
                                                  "followForks"};
const std::vector<std::string_view> kBinaryFields = {"operator", "values", "followChildren"};
const std::vector<std::string_view> kNamespaceFields = {"namespace", "operator", "values"};
const std::vector<std::string_view> kNsChangeFields = {"operator", "values"};
const std::vector<std::string_view> kCapFields = {"type", "operator", "isNamespaceCapability",
                                                  "values"};
const std::vector<std::string_view> kWorkloadFields = {"podSelector", "containerSelector",
                                                       "hostSelector"};

std::string item_key(std::string_view key, size_t i) {
  return std::string(key) + "[" + std::to_string(i) + "]";
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// In/NotIn, plus Prefix/NotPrefix/Postfix/NotPostfix for binaries.
Result<SetOperator> set_operator(MapReader& map, bool binaries) {
  OCTAGON_ASSIGN_OR_RETURN(std::string text, map.string("operator", true, "write In or NotIn"));
  std::optional<SetOperator> op = parse_enum<SetOperator>(text);
  const bool in_set = op && (*op == SetOperator::kIn || *op == SetOperator::kNotIn);
  if (!op || (!binaries && !in_set)) {
    std::vector<std::string_view> allowed = {"In", "NotIn"};
    if (binaries)
      allowed = enum_names<SetOperator>();
    return map.ctx().fail(map.field("operator"), "invalid operator '" + text + "'",
                          suggest(text, allowed));
  }
  return *op;
}

Result<std::vector<std::string>> required_values(MapReader& map, std::string_view hint) {
  OCTAGON_ASSIGN_OR_RETURN(std::vector<std::string> values, map.strings("values"));
  if (values.empty())
    return map.ctx().fail(map.field("values"), "needs at least one value", hint);
  return values;
}

Result<NamespaceType> namespace_type(MapReader& map, const std::string& text, SourcePos pos) {
  for (const auto& s : enum_spellings<NamespaceType>()) {
    if (iequals(s.name, text))
      return s.value;
  }
  return map.ctx().fail(pos, "unknown namespace '" + text + "'",
                        suggest(text, enum_names<NamespaceType>()));
}

Result<ArgFilter> parse_arg_filter(ParseContext& ctx, const YAML::Node& node, SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kArgFilterFields));
  ArgFilter f;
  OCTAGON_ASSIGN_OR_RETURN(std::string op, map.string("operator", true, "e.g. 'operator: Equal'"));
  std::optional<ArgOperator> parsed = parse_enum<ArgOperator>(op);
  if (!parsed) {
    return ctx.fail(map.field("operator"), "unknown operator '" + op + "'",
                    suggest(op, enum_names<ArgOperator>()));
  }
  f.op = *parsed;
  OCTAGON_ASSIGN_OR_RETURN(std::optional<int64_t> index,
                           map.integer("index", 0, std::numeric_limits<int32_t>::max()));
  if (index)
    f.index = static_cast<uint32_t>(*index);
  OCTAGON_ASSIGN_OR_RETURN(std::vector<std::string> args, map.strings("args"));
  for (size_t i = 0; i < args.size(); ++i) {
    std::optional<uint64_t> v = parse_uint64(args[i]);
    if (!v || *v >= kMaxArgs) {
      return ctx.fail(map.field(item_key("args", i)), "invalid args position '" + args[i] + "'",
                      "args lists positions in the hook's args list, from 0 to 4");
    }
    f.args.push_back(static_cast<uint32_t>(*v));
  }
  OCTAGON_ASSIGN_OR_RETURN(f.values, map.strings("values"));
  f.pos = map.pos();
  return f;
}

Result<PidFilter> parse_pid_filter(ParseContext& ctx, const YAML::Node& node, SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kPidFields));
  PidFilter f;
  OCTAGON_ASSIGN_OR_RETURN(f.op, set_operator(map, false));
  OCTAGON_ASSIGN_OR_RETURN(std::vector<std::string> values,
                           required_values(map, "list the process IDs to match"));
  if (values.size() > kMaxPidValues) {
    return ctx.fail(map.field(item_key("values", kMaxPidValues)), "more than 4 PIDs",
                    "split them over several matchPIDs entries");
  }
  for (size_t i = 0; i < values.size(); ++i) {
    std::optional<uint64_t> v = parse_uint64(values[i]);
    if (!v || *v > std::numeric_limits<uint32_t>::max()) {
      return ctx.fail(map.field(item_key("values", i)),
                      "expected a process ID, got '" + values[i] + "'",
                      "PIDs are non-negative integers");
    }
    f.values.push_back(static_cast<uint32_t>(*v));
  }
  OCTAGON_ASSIGN_OR_RETURN(f.is_namespace_pid, map.boolean("isNamespacePID", false));
  OCTAGON_ASSIGN_OR_RETURN(f.follow_forks, map.boolean("followForks", false));
  f.pos = map.pos();
  return f;
}

Result<BinaryFilter> parse_binary_filter(ParseContext& ctx, const YAML::Node& node, SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kBinaryFields));
  BinaryFilter f;
  OCTAGON_ASSIGN_OR_RETURN(f.op, set_operator(map, true));
  OCTAGON_ASSIGN_OR_RETURN(f.values, required_values(map, "list the executable paths"));
  OCTAGON_ASSIGN_OR_RETURN(f.follow_children, map.boolean("followChildren", false));
  if (f.follow_children && f.op != SetOperator::kIn && f.op != SetOperator::kNotIn) {
    return ctx.fail(map.field("followChildren"), "followChildren works with In and NotIn only",
                    "use operator In or NotIn, or remove followChildren");
  }
  f.pos = map.pos();
  return f;
}

Result<NamespaceFilter> parse_namespace_filter(ParseContext& ctx, const YAML::Node& node,
                                               SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kNamespaceFields));
  NamespaceFilter f;
  OCTAGON_ASSIGN_OR_RETURN(std::string ns, map.string("namespace", true, "e.g. 'namespace: Pid'"));
  OCTAGON_ASSIGN_OR_RETURN(f.ns, namespace_type(map, ns, map.field("namespace")));
  OCTAGON_ASSIGN_OR_RETURN(f.op, set_operator(map, false));
  OCTAGON_ASSIGN_OR_RETURN(f.values,
                           required_values(map, "list namespace inode numbers or host_ns"));
  if (f.values.size() > kMaxNamespaceValues) {
    return ctx.fail(map.field(item_key("values", kMaxNamespaceValues)),
                    "more than 4 namespace values", "split them over several entries");
  }
  for (size_t i = 0; i < f.values.size(); ++i) {
    std::optional<uint64_t> v = parse_uint64(f.values[i]);
    if (f.values[i] != "host_ns" && (!v || *v > std::numeric_limits<uint32_t>::max())) {
      return ctx.fail(map.field(item_key("values", i)),
                      "expected a namespace inode number or host_ns, got '" + f.values[i] + "'",
                      "see 'ls -l /proc/self/ns' for inode numbers");
    }
  }
  f.pos = map.pos();
  return f;
}

Result<NamespaceChangeFilter> parse_ns_change_filter(ParseContext& ctx, const YAML::Node& node,
                                                     SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kNsChangeFields));
  NamespaceChangeFilter f;
  OCTAGON_ASSIGN_OR_RETURN(f.op, set_operator(map, false));
  OCTAGON_ASSIGN_OR_RETURN(std::vector<std::string> values,
                           required_values(map, "list namespace types, e.g. [Mnt, Pid]"));
  for (size_t i = 0; i < values.size(); ++i) {
    OCTAGON_ASSIGN_OR_RETURN(NamespaceType t,
                             namespace_type(map, values[i], map.field(item_key("values", i))));
    f.values.push_back(t);
  }
  f.pos = map.pos();
  return f;
}

Result<CapabilityFilter> parse_cap_filter(ParseContext& ctx, const YAML::Node& node,
                                          SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kCapFields));
  CapabilityFilter f;
  OCTAGON_ASSIGN_OR_RETURN(std::optional<CapabilitySet> type,
                           map.enumerated<CapabilitySet>("type"));
  f.type = type.value_or(CapabilitySet::kEffective);
  OCTAGON_ASSIGN_OR_RETURN(f.op, set_operator(map, false));
  OCTAGON_ASSIGN_OR_RETURN(f.is_namespace_capability, map.boolean("isNamespaceCapability", false));
  OCTAGON_ASSIGN_OR_RETURN(std::vector<std::string> values,
                           required_values(map, "list capabilities, e.g. [CAP_SYS_ADMIN]"));
  for (size_t i = 0; i < values.size(); ++i) {
    std::optional<uint8_t> cap = parse_capability(values[i]);
    if (!cap) {
      return ctx.fail(map.field(item_key("values", i)), "unknown capability '" + values[i] + "'",
                      suggest(values[i], capability_names()));
    }
    f.values.push_back(*cap);
  }
  f.pos = map.pos();
  return f;
}

Result<WorkloadFilter> parse_workload(ParseContext& ctx, const YAML::Node& node, SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kWorkloadFields));
  WorkloadFilter w;
  for (std::string_view key : kWorkloadFields) {
    if (!map.present(key))
      continue;
    if (key == "hostSelector" && !map.has(key))
      continue; // null: no host filter
    OCTAGON_ASSIGN_OR_RETURN(
        LabelSelector sel,
        parse_label_selector(ctx, map.node(key), map.field(key), key == "containerSelector"));
    if (key == "podSelector")
      w.pod_selector = std::move(sel);
    if (key == "containerSelector")
      w.container_selector = std::move(sel);
    if (key == "hostSelector")
      w.host_selector = std::move(sel);
  }
  w.pos = map.pos();
  return w;
}

// Parses each item of list field `key` with `parse` and appends it to `out`.
template <typename T, typename F>
Result<void> parse_list(MapReader& map, std::string_view key, std::vector<T>& out, F parse) {
  return map.each(key, [&](const YAML::Node& n, SourcePos pos) -> Result<void> {
    OCTAGON_ASSIGN_OR_RETURN(T item, parse(map.ctx(), n, pos));
    out.push_back(std::move(item));
    return ok();
  });
}

} // namespace

Result<Selector> parse_selector(ParseContext& ctx, const YAML::Node& node, SourcePos pos,
                                bool in_macro) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kSelectorFields));
  Selector s;
  OCTAGON_ASSIGN_OR_RETURN(s.label, map.string("label", false));
  OCTAGON_TRY(parse_list(map, "matchPIDs", s.match_pids, parse_pid_filter));
  OCTAGON_TRY(parse_list(map, "matchArgs", s.match_args, parse_arg_filter));
  OCTAGON_TRY(parse_list(map, "matchData", s.match_data, parse_arg_filter));
  OCTAGON_TRY(parse_list(map, "matchReturnArgs", s.match_return_args, parse_arg_filter));
  OCTAGON_TRY(parse_list(map, "matchActions", s.match_actions, parse_action));
  OCTAGON_TRY(parse_list(map, "matchReturnActions", s.match_return_actions, parse_action));
  OCTAGON_TRY(parse_list(map, "matchBinaries", s.match_binaries, parse_binary_filter));
  OCTAGON_TRY(parse_list(map, "matchParentBinaries", s.match_parent_binaries, parse_binary_filter));
  for (std::string_view key : {"matchBinaries", "matchParentBinaries"}) {
    const size_t n =
        key == "matchBinaries" ? s.match_binaries.size() : s.match_parent_binaries.size();
    if (n > 1) {
      return ctx.fail(field_pos(map.pos(), std::string(key) + "[1]"),
                      "more than one " + std::string(key) + " entry in a selector",
                      "list all paths in the values of one entry, or use another selector");
    }
  }
  OCTAGON_TRY(parse_list(map, "matchNamespaces", s.match_namespaces, parse_namespace_filter));
  OCTAGON_TRY(
      parse_list(map, "matchNamespaceChanges", s.match_namespace_changes, parse_ns_change_filter));
  OCTAGON_TRY(parse_list(map, "matchCapabilities", s.match_capabilities, parse_cap_filter));
  OCTAGON_TRY(
      parse_list(map, "matchCapabilityChanges", s.match_capability_changes, parse_cap_filter));
  if (map.has("matchWorkloads") && map.node("matchWorkloads").IsMap()) {
    OCTAGON_ASSIGN_OR_RETURN(WorkloadFilter w, parse_workload(ctx, map.node("matchWorkloads"),
                                                              map.field("matchWorkloads")));
    s.match_workloads.push_back(std::move(w));
  } else {
    OCTAGON_TRY(parse_list(map, "matchWorkloads", s.match_workloads, parse_workload));
  }
  OCTAGON_ASSIGN_OR_RETURN(s.macros, map.strings("macros"));
  if (in_macro && !s.macros.empty()) {
    return ctx.fail(map.field("macros"), "a selector macro cannot use other macros",
                    "list all the macros in the selector that uses this one");
  }
  s.pos = map.pos();
  return s;
}

} // namespace octagon::policy::detail
