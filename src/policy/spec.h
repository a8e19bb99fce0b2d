// The TracingPolicy model: value types that mirror Tetragon's cilium.io/v1alpha1 schema after
// parsing and validation (see parser.h). Every node keeps its SourcePos, so that the compiler,
// which decides what this kernel can run, reports errors at the line the user wrote.
//
// Invariants after parse_policy():
//  - selector macros are expanded (Selector::macros only records which were applied);
//  - every "list:NAME" reference names a list of spec.lists (the lists are not expanded: that
//    needs the kernel's syscall table);
//  - every enumerated string is an enum; numbers are numbers; limits (5 selectors, 5 args,
//    16 tags, 256-byte message, 1 matchBinaries...) hold;
//  - ArgFilter::targets holds the positions in the hook's args (or data) list a filter reads.
#pragma once

#include <octagon/policy/enums.h>
#include <octagon/policy/source_pos.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace octagon::policy {

inline constexpr size_t kMaxSelectors = 5;  // per hook
inline constexpr size_t kMaxArgs = 5;       // args + data per hook (MAX_POSSIBLE_ARGS)
inline constexpr size_t kMaxArgFilters = 5; // matchArgs + matchData per selector
inline constexpr size_t kMaxTags = 16;
inline constexpr size_t kMaxMessageBytes = 256;
inline constexpr size_t kMaxPidValues = 4;       // per matchPIDs entry
inline constexpr size_t kMaxNamespaceValues = 4; // per matchNamespaces entry

// args[], data[], returnArg.
struct KProbeArg {
  SourcePos pos;
  uint32_t index = 0; // function argument (kprobes...) or format field (tracepoints)
  ArgType type = ArgType::kAuto;
  std::string type_name;       // as written ("int32", "long"...); "auto" when omitted
  std::string resolve;         // BTF field path, "" = none
  uint32_t size_arg_index = 0; // 1-based function argument holding the size; 0 = none
  bool return_copy = false;
  bool max_data = false;
  std::string label;
  DataSource source = DataSource::kNone; // data[] entries only
  std::string btf_type;
  std::string btf_type_module;
};

// matchArgs / matchData / matchReturnArgs entry.
struct ArgFilter {
  SourcePos pos;
  std::optional<uint32_t> index; // as written
  std::vector<uint32_t> args;    // as written: positions in the hook's args list
  ArgOperator op = ArgOperator::kEqual;
  std::vector<std::string> values; // as written (numbers checked, "list:NAME" names checked)
  std::vector<uint32_t> targets;   // resolved: positions in args (data for matchData; empty for
                                   // matchReturnArgs, which reads returnArg)
};

struct PidFilter {
  SourcePos pos;
  SetOperator op = SetOperator::kIn; // In | NotIn
  std::vector<uint32_t> values;
  bool is_namespace_pid = false;
  bool follow_forks = false;
};

struct BinaryFilter {
  SourcePos pos;
  SetOperator op = SetOperator::kIn;
  std::vector<std::string> values;
  bool follow_children = false;
};

struct NamespaceFilter {
  SourcePos pos;
  NamespaceType ns = NamespaceType::kMnt;
  SetOperator op = SetOperator::kIn;
  std::vector<std::string> values; // decimal inode numbers or "host_ns"
};

struct NamespaceChangeFilter {
  SourcePos pos;
  SetOperator op = SetOperator::kIn;
  std::vector<NamespaceType> values;
};

struct CapabilityFilter {
  SourcePos pos;
  CapabilitySet type = CapabilitySet::kEffective;
  SetOperator op = SetOperator::kIn;
  bool is_namespace_capability = false;
  std::vector<uint8_t> values; // capability numbers (capability_name() gives CAP_*)
};

// rateLimit as Tetragon means it: after an event is posted, identical events (same key for the
// scope, same first 40 bytes of each argument) are dropped until `window_seconds` have passed,
// i.e. at most `events_per_window` (always 1) per window. "N" and "Ns" are seconds, "Nm"
// minutes, "Nh" hours.
struct RateLimit {
  uint64_t window_seconds = 0;
  uint32_t events_per_window = 1;
  std::string text; // as written
};

struct Action {
  SourcePos pos;
  ActionType type = ActionType::kPost;
  std::optional<int32_t> arg_error;  // Override, NotifyEnforcer
  std::optional<uint32_t> arg_sig;   // Signal, NotifyEnforcer
  std::optional<uint32_t> arg_sock;  // TrackSock, UntrackSock
  std::optional<uint32_t> arg_index; // Set
  std::optional<int32_t> arg_value;  // Set
  std::string arg_url;               // GetUrl
  std::string arg_fqdn;              // DnsLookup
  std::vector<std::string> arg_regs; // Override on uprobes ("rax=11", "rip=8(%rsp)")
  std::string arg_new_symbol;        // Override on uprobes (at most one of the three)
  std::optional<uint64_t> arg_new_addr;
  std::optional<uint64_t> arg_new_offset;
  std::optional<RateLimit> rate_limit; // Post
  RateLimitScope rate_limit_scope = RateLimitScope::kThread;
  bool kernel_stack_trace = false; // Post
  bool user_stack_trace = false;   // Post
  bool ima_hash = false;           // Post
};

struct LabelRequirement {
  SourcePos pos;
  std::string key;
  LabelOperator op = LabelOperator::kIn;
  std::vector<std::string> values;
};

// A Kubernetes label selector; an empty one ({}) selects everything.
struct LabelSelector {
  SourcePos pos;
  std::vector<std::pair<std::string, std::string>> match_labels;
  std::vector<LabelRequirement> match_expressions;
};

struct WorkloadFilter {
  SourcePos pos;
  std::optional<LabelSelector> pod_selector;
  std::optional<LabelSelector> container_selector;
  std::optional<LabelSelector> host_selector;
};

struct Selector {
  SourcePos pos;
  std::string label;
  std::vector<PidFilter> match_pids;
  std::vector<ArgFilter> match_args;
  std::vector<ArgFilter> match_data;
  std::vector<ArgFilter> match_return_args;
  std::vector<Action> match_actions;
  std::vector<Action> match_return_actions;
  std::vector<BinaryFilter> match_binaries;        // at most 1
  std::vector<BinaryFilter> match_parent_binaries; // at most 1
  std::vector<NamespaceFilter> match_namespaces;
  std::vector<NamespaceChangeFilter> match_namespace_changes;
  std::vector<CapabilityFilter> match_capabilities;
  std::vector<CapabilityFilter> match_capability_changes;
  std::vector<WorkloadFilter> match_workloads;
  std::vector<std::string> macros; // names of the macros merged in (already applied)
};

// What every hook type has.
struct HookCommon {
  SourcePos pos;
  std::vector<KProbeArg> args;
  std::vector<Selector> selectors;
  std::string message;
  std::vector<std::string> tags;
};

// kprobes[] and fentries[].
struct KProbeSpec : HookCommon {
  std::string call;          // function, "sys_*" short name, or "list:NAME"
  std::string call_list;     // NAME when call is "list:NAME"
  bool syscall = true;       // the CRD default
  bool return_probe = false; // `return`
  std::optional<KProbeArg> return_arg;
  ReturnArgAction return_arg_action = ReturnArgAction::kNone;
  std::vector<KProbeArg> data;
  bool ignore_call_not_found = false;
};

struct TracepointSpec : HookCommon {
  std::string subsystem;
  std::string event;
  bool raw = false;
};

struct BinaryDigest {
  SourcePos pos;
  DigestAlgorithm algorithm = DigestAlgorithm::kSha256;
  std::string hex; // lower case
};

struct UProbeSpec : HookCommon {
  std::string path;
  std::vector<std::string> symbols; // exactly one of symbols, offsets, addrs is non-empty
  std::vector<uint64_t> offsets;
  std::vector<uint64_t> addrs;
  std::vector<uint64_t> ref_ctr_offsets;
  std::string btf_path;
  bool return_probe = false;
  std::optional<KProbeArg> return_arg;
  std::vector<KProbeArg> data;
  std::vector<BinaryDigest> binary_digests;
  bool ignore_digest_verification_failure = false;
};

struct UsdtSpec : HookCommon {
  std::string path;
  std::string provider;
  std::string name;
  std::string btf_path;
};

struct LsmHookSpec : HookCommon {
  std::string hook; // without the security_ prefix
};

struct ListSpec {
  SourcePos pos;
  std::string name;
  ListType type = ListType::kNone;
  std::vector<std::string> values;
  std::optional<std::string> pattern; // generated_ftrace
  bool validated = false;
};

struct EnforcerSpec {
  SourcePos pos;
  std::vector<std::string> calls; // "sys_x", "security_x" or "list:NAME"
};

struct PolicyOptions {
  SourcePos pos; // of spec.options
  std::optional<PolicyMode> policy_mode;
  bool disable_kprobe_multi = false;
  bool disable_uprobe_multi = false;
  std::optional<OverrideMethod> override_method;
  std::optional<uint64_t> sleepable_preload_size;
};

struct SelectorMacro {
  std::string name;
  Selector selector; // pos.path is "spec.selectorsMacros.<name>"
};

struct TracingPolicy {
  std::string source; // file name (or the name given to parse_policy)
  SourcePos pos;      // the document root
  PolicyKind kind = PolicyKind::kTracingPolicy;
  std::string name;                                             // metadata.name
  std::string namespace_name;                                   // metadata.namespace
  std::vector<std::pair<std::string, std::string>> labels;      // metadata.labels
  std::vector<std::pair<std::string, std::string>> annotations; // metadata.annotations
  SourcePos metadata_pos;
  SourcePos spec_pos;

  std::vector<KProbeSpec> kprobes;
  std::vector<KProbeSpec> fentries;
  std::vector<TracepointSpec> tracepoints;
  std::vector<UProbeSpec> uprobes;
  std::vector<UsdtSpec> usdts;
  std::vector<LsmHookSpec> lsmhooks;
  std::vector<ListSpec> lists;
  std::vector<EnforcerSpec> enforcers; // at most 1
  PolicyOptions options;
  std::vector<SelectorMacro> selectors_macros;
  bool loader = false;
  std::optional<LabelSelector> pod_selector;
  std::optional<LabelSelector> container_selector;
  std::optional<LabelSelector> host_selector;
  std::optional<LabelSelector> node_selector;

  std::vector<Diagnostic> warnings; // accepted, but the user should know (format_diagnostic)
};

// Convenience for later stages: policy_error(policy.source, pos, ...).
inline Error policy_error(const TracingPolicy& policy, const SourcePos& pos,
                          std::string_view problem, std::string_view hint = {}) {
  return policy_error(policy.source, pos, problem, hint);
}

// The list named `name`, or nullptr.
const ListSpec* find_list(const TracingPolicy& policy, std::string_view name);

} // namespace octagon::policy
