// Internal to the policy parser: the pieces parse_policy() is assembled from.
#pragma once

#include <octagon/policy/spec.h>
#include <octagon/policy/yaml_reader.h>

#include <string>

namespace octagon::policy::detail {

// Which list an argument spec sits in; decides the fields it may have.
enum class ArgRole { kArg, kData, kReturn };

// One args[] / data[] / returnArg entry. `type_required`: the hook cannot infer types (only
// tracepoints and USDTs have `auto`).
Result<KProbeArg> parse_arg(ParseContext& ctx, const YAML::Node& node, SourcePos pos, ArgRole role,
                            bool type_required);

// Fields every hook has (args, selectors, message, tags), read from an opened hook mapping.
Result<void> parse_hook_common(MapReader& map, HookCommon& hook, bool types_required);

// spec.kprobes / fentries / tracepoints / uprobes / usdts / lsmhooks.
Result<void> parse_hooks(MapReader& spec, TracingPolicy& policy);

// One selector (also a selectorsMacros value: `in_macro` forbids nested `macros`).
Result<Selector> parse_selector(ParseContext& ctx, const YAML::Node& node, SourcePos pos,
                                bool in_macro);

// One matchActions / matchReturnActions entry.
Result<Action> parse_action(ParseContext& ctx, const YAML::Node& node, SourcePos pos);

// A Kubernetes label selector. `container`: only the keys "name" and "repo" are meaningful.
Result<LabelSelector> parse_label_selector(ParseContext& ctx, const YAML::Node& node, SourcePos pos,
                                           bool container);

// spec.lists / enforcers / options / selectorsMacros and the workload selectors.
Result<void> parse_policy_extras(MapReader& spec, TracingPolicy& policy);

// Merges spec.selectorsMacros into every selector naming them in `macros`.
Result<void> expand_macros(ParseContext& ctx, TracingPolicy& policy);

// Cross-field rules: list references, filter targets, operators against argument types,
// return probes, per-hook restrictions. Runs after expand_macros().
Result<void> validate_policy(ParseContext& ctx, TracingPolicy& policy);

// Value checks of one filter against the type of the argument it reads (validate_values.cpp).
Result<void> validate_filter_values(ParseContext& ctx, const TracingPolicy& policy,
                                    const ArgFilter& filter, const KProbeArg* target);

} // namespace octagon::policy::detail
