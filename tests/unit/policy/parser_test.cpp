// Parser semantics: defaults, aliases, macros, options, label selectors, warnings.
#include "test_helpers.h"
#include "unit/policy/policy_test_util.h"

namespace octagon::policy {
namespace {

using testing::parse_error;
using testing::parse_ok;
using testing::policy_yaml;

const char kOpenat[] = "  kprobes:\n"
                       "  - call: sys_openat\n"
                       "    args:\n"
                       "    - {index: 1, type: string}\n"
                       "    - {index: 2, type: int32}\n";

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(PolicyParserTest, KprobeDefaults) {
  TracingPolicy p = parse_ok(policy_yaml("  kprobes:\n  - call: sys_unlink\n"
                                         "    args: [{index: 0, type: string}]\n"
                                         "    selectors:\n    - matchArgs:\n"
                                         "      - {operator: Prefix, values: [/etc]}\n"));
  const KProbeSpec& k = p.kprobes[0];
  EXPECT_TRUE(k.syscall); // the CRD default
  EXPECT_FALSE(k.return_probe);
  EXPECT_FALSE(k.ignore_call_not_found);
  EXPECT_EQ(k.return_arg_action, ReturnArgAction::kNone);
  const ArgFilter& f = k.selectors[0].match_args[0];
  EXPECT_FALSE(f.index.has_value());              // not written ...
  EXPECT_EQ(f.targets, std::vector<uint32_t>{0}); // ... so it reads function argument 0
  EXPECT_TRUE(k.selectors[0].match_actions.empty());
  EXPECT_TRUE(p.warnings.empty());
  // Without an argument of index 0, the default index names nothing.
  EXPECT_TRUE(contains(
      parse_error(policy_yaml(std::string(kOpenat) + "    selectors:\n    - matchArgs:\n"
                                                     "      - {operator: Equal, values: [x]}\n")),
      "no entry of args has index 0"));
}

TEST(PolicyParserTest, FilterTargetsByIndexOrPosition) {
  TracingPolicy p = parse_ok(policy_yaml(std::string(kOpenat) +
                                         "    selectors:\n    - matchArgs:\n"
                                         "      - {index: 2, operator: Mask, values: [0x40]}\n"
                                         "      - {args: [0], operator: Postfix, values: [wd]}\n"));
  const Selector& s = p.kprobes[0].selectors[0];
  EXPECT_EQ(s.match_args[0].targets, std::vector<uint32_t>{1}); // the arg whose index is 2
  EXPECT_EQ(s.match_args[1].targets, std::vector<uint32_t>{0}); // position 0 of args
}

TEST(PolicyParserTest, OperatorAndTypeAliases) {
  TracingPolicy p =
      parse_ok(policy_yaml("  kprobes:\n  - call: sys_x\n    args:\n    - {index: 0, type: long}\n"
                           "    - {index: 1, type: ulong}\n    - {index: 2, type: sint16}\n"
                           "    - {index: 3, type: string}\n"
                           "    selectors:\n    - matchArgs:\n"
                           "      - {index: 0, operator: gt, values: ['-5']}\n"
                           "      - {index: 1, operator: LessThan, values: ['0x10']}\n"
                           "      - {index: 2, operator: NotInRange, values: ['-10:010']}\n"
                           "      - {index: 3, operator: SubStringIgnoreCase, values: [Secret]}\n"
                           "      - {index: 3, operator: NotPostfix, values: [.so]}\n"));
  const KProbeSpec& k = p.kprobes[0];
  EXPECT_EQ(k.args[0].type, ArgType::kSint64);
  EXPECT_EQ(k.args[1].type, ArgType::kUint64);
  EXPECT_EQ(k.args[2].type, ArgType::kSint16);
  const auto& m = k.selectors[0].match_args;
  EXPECT_EQ(m[0].op, ArgOperator::kGreaterThan);
  EXPECT_EQ(m[1].op, ArgOperator::kLessThan);
  EXPECT_EQ(m[2].op, ArgOperator::kNotInRange);
  EXPECT_EQ(m[3].op, ArgOperator::kSubStringIgnCase);
  EXPECT_EQ(parse_enum<ArgOperator>("NotSportPriv"), ArgOperator::kNotSPortPriv);
  EXPECT_EQ(parse_enum<ArgOperator>("GT"), ArgOperator::kGreaterThan);
  EXPECT_EQ(parse_enum<ArgType>("int"), ArgType::kInt);
  EXPECT_EQ(enum_name(ArgType::kSint32), "int32");
  EXPECT_EQ(static_cast<int>(ActionType::kNotifyEnforcer), 13); // Tetragon's KprobeAction
}

TEST(PolicyParserTest, MacrosAreMergedAtParseTime) {
  TracingPolicy p = parse_ok(
      policy_yaml("  selectorsMacros:\n"
                  "    shells:\n"
                  "      matchBinaries: [{operator: In, values: [/bin/sh, /bin/bash]}]\n"
                  "    kill:\n"
                  "      matchActions: [{action: sigkill}]\n" +
                  std::string(kOpenat) +
                  "    selectors:\n"
                  "    - macros: [shells, kill]\n"
                  "      matchArgs: [{index: 1, operator: Equal, values: [/etc/shadow]}]\n"));
  const Selector& s = p.kprobes[0].selectors[0];
  EXPECT_EQ(s.macros, (std::vector<std::string>{"shells", "kill"}));
  ASSERT_EQ(s.match_binaries.size(), 1u);
  EXPECT_EQ(s.match_binaries[0].values.size(), 2u);
  EXPECT_EQ(s.match_binaries[0].pos.path, "spec.selectorsMacros.shells.matchBinaries[0]");
  ASSERT_EQ(s.match_actions.size(), 1u);
  EXPECT_EQ(s.match_actions[0].type, ActionType::kSigkill); // action names ignore case
  EXPECT_EQ(s.match_args.size(), 1u);
  ASSERT_EQ(p.selectors_macros.size(), 2u);
}

TEST(PolicyParserTest, TwoMacrosSettingOneField) {
  const std::string err =
      parse_error(policy_yaml("  selectorsMacros:\n"
                              "    a: {matchPIDs: [{operator: In, values: [1]}]}\n"
                              "    b: {matchPIDs: [{operator: NotIn, values: [2]}]}\n" +
                              std::string(kOpenat) + "    selectors:\n    - macros: [a, b]\n"));
  EXPECT_TRUE(contains(err, "spec.kprobes[0].selectors[0].macros[1]: macro 'b' sets matchPIDs, "
                            "which macro 'a' already sets"))
      << err;
  EXPECT_TRUE(contains(
      parse_error(policy_yaml("  selectorsMacros:\n    a: {macros: [b]}\n    b: {label: x}\n"
                              "  loader: true\n")),
      "a selector macro cannot use other macros"));
}

TEST(PolicyParserTest, OptionsAreTyped) {
  TracingPolicy p = parse_ok(policy_yaml("  options:\n"
                                         "  - {name: policy-mode, value: monitor}\n"
                                         "  - {name: disable-kprobe-multi, value: \"1\"}\n"
                                         "  - {name: disable-uprobe-multi, value: \"false\"}\n"
                                         "  - {name: override-method, value: fmod-ret}\n"
                                         "  - {name: sleepable-preload-size, value: \"0x1000\"}\n"
                                         "  loader: true\n"));
  EXPECT_EQ(p.options.policy_mode, PolicyMode::kMonitor);
  EXPECT_TRUE(p.options.disable_kprobe_multi);
  EXPECT_FALSE(p.options.disable_uprobe_multi);
  EXPECT_EQ(p.options.override_method, OverrideMethod::kFmodRet);
  EXPECT_EQ(p.options.sleepable_preload_size, 4096u);
  EXPECT_TRUE(contains(parse_error(policy_yaml("  options:\n  - {name: disable-kprobe-multi, "
                                               "value: sometimes}\n")),
                       "spec.options[0].value: expected a boolean"));
  EXPECT_TRUE(contains(parse_error(policy_yaml("  options:\n  - {name: policy-mode, value: "
                                               "enforce}\n  - {name: policy-mode, value: "
                                               "monitor}\n")),
                       "option 'policy-mode' is set twice"));
}

TEST(PolicyParserTest, WorkloadSelectors) {
  TracingPolicy p = parse_ok(
      "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicyNamespaced\n"
      "metadata: {name: ns-policy, namespace: prod}\nspec:\n"
      "  podSelector:\n    matchLabels: {app: web}\n"
      "    matchExpressions:\n    - {key: tier, operator: In, values: [front, back]}\n"
      "    - {key: canary, operator: DoesNotExist}\n"
      "  containerSelector: {matchLabels: {name: nginx}}\n" +
      std::string(kOpenat) +
      "    selectors:\n    - matchWorkloads:\n      - podSelector: {matchLabels: {app: db}}\n");
  EXPECT_EQ(p.kind, PolicyKind::kTracingPolicyNamespaced);
  EXPECT_EQ(p.namespace_name, "prod");
  ASSERT_TRUE(p.pod_selector.has_value());
  EXPECT_EQ(p.pod_selector->match_labels[0], (std::pair<std::string, std::string>{"app", "web"}));
  ASSERT_EQ(p.pod_selector->match_expressions.size(), 2u);
  EXPECT_EQ(p.pod_selector->match_expressions[1].op, LabelOperator::kDoesNotExist);
  EXPECT_FALSE(p.host_selector.has_value());
  ASSERT_EQ(p.kprobes[0].selectors[0].match_workloads.size(), 1u);
  EXPECT_TRUE(p.kprobes[0].selectors[0].match_workloads[0].pod_selector.has_value());

  TracingPolicy host = parse_ok(policy_yaml("  hostSelector: {}\n  loader: true\n"));
  ASSERT_TRUE(host.host_selector.has_value()); // {} = every host process
  EXPECT_TRUE(host.host_selector->match_labels.empty());
  EXPECT_FALSE(parse_ok(policy_yaml("  hostSelector: null\n  loader: true\n")).host_selector);
  EXPECT_TRUE(contains(parse_error(policy_yaml("  containerSelector: {matchLabels: {image: x}}\n")),
                       "containerSelector has no key 'image'"));
  EXPECT_TRUE(contains(parse_error(policy_yaml("  podSelector:\n    matchExpressions:\n"
                                               "    - {key: a, operator: Exists, values: [x]}\n")),
                       "operator Exists takes no values"));
}

TEST(PolicyParserTest, LenientScalarsAsKubernetesReadsThem) {
  TracingPolicy p = parse_ok(
      policy_yaml("  kprobes:\n  - call: sys_read\n    syscall: yes\n    return: \"true\"\n"
                  "    args: [{index: \"0\", type: int}]\n"
                  "    returnArg: {type: int}\n"
                  "    selectors:\n    - matchPIDs: [{operator: In, values: [\"42\", 0x10]}]\n"));
  EXPECT_TRUE(p.kprobes[0].return_probe);
  EXPECT_EQ(p.kprobes[0].return_arg->index, 0u); // returnArg.index defaults to 0
  EXPECT_EQ(p.kprobes[0].selectors[0].match_pids[0].values, (std::vector<uint32_t>{42, 16}));
}

TEST(PolicyParserTest, YamlMergeKeys) {
  // Kubernetes' YAML reader honours "<<"; the mapping's own fields win over merged ones.
  TracingPolicy p = parse_ok(policy_yaml("  kprobes:\n"
                                         "  - &base\n    call: sys_read\n"
                                         "    args: [{index: 0, type: int}]\n"
                                         "  - <<: *base\n    call: sys_write\n"
                                         "  - <<: [*base]\n    syscall: false\n"));
  ASSERT_EQ(p.kprobes.size(), 3u);
  EXPECT_EQ(p.kprobes[1].call, "sys_write");
  EXPECT_EQ(p.kprobes[1].args.size(), 1u);
  EXPECT_EQ(p.kprobes[2].call, "sys_read");
  EXPECT_FALSE(p.kprobes[2].syscall);
  EXPECT_TRUE(contains(parse_error(policy_yaml("  kprobes:\n  - <<: [1, 2]\n    call: x\n")),
                       "a merge key ('<<') takes a mapping or a list of mappings"));
}

TEST(PolicyParserTest, WarningsForAcceptedButUnusedFields) {
  TracingPolicy p =
      parse_ok("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n"
               "metadata: {name: w, namespace: default}\nspec:\n" +
               std::string(kOpenat) +
               "    returnArg: {index: 0, type: int}\n"
               "    selectors:\n    - matchActions: [{action: Post, argUrl: http://x}]\n");
  ASSERT_EQ(p.warnings.size(), 3u);
  EXPECT_EQ(p.warnings[0].pos.path, "metadata.namespace");
  EXPECT_EQ(p.warnings[1].pos.path, "spec.kprobes[0].selectors[0].matchActions[0].argUrl");
  EXPECT_EQ(p.warnings[2].pos.path, "spec.kprobes[0].returnArg");
  EXPECT_TRUE(contains(parse_ok(policy_yaml("  lists: []\n")).warnings.at(0).problem, "no hooks"));
}

TEST(PolicyParserTest, MultiDocumentFiles) {
  // A leading "---" and trailing empty documents are fine; a second policy is not.
  EXPECT_OK(parse_policy("---\n" + policy_yaml("  loader: true\n") + "---\n", "a.yaml"));
  EXPECT_ERR(
      parse_policy(policy_yaml("  loader: true\n") + "---\n" + policy_yaml("  loader: true\n"),
                   "b.yaml"),
      EINVAL, "^b\\.yaml:8:1: a second YAML document");
}

TEST(PolicyParserTest, UprobeAndActionDetails) {
  TracingPolicy p = parse_ok(policy_yaml(
      "  uprobes:\n  - path: /usr/lib/libssl.so\n    offsets: [0x10, 32]\n"
      "    refCtrOffsets: [0x100, 0x200]\n"
      "    binaryDigests: [\"sha1:" +
      std::string(40, 'A') +
      "\"]\n"
      "    ignore: {digestVerificationFailure: true}\n"
      "    args: [{index: 0, type: uint64}]\n"
      "    selectors:\n    - matchActions:\n"
      "      - {action: Override, argRegs: [\"rax=11\"], argNewOffset: 0x40}\n"
      "      - {action: Post, rateLimit: 2h, rateLimitScope: process, userStackTrace: true}\n"));
  const UProbeSpec& u = p.uprobes[0];
  EXPECT_EQ(u.offsets, (std::vector<uint64_t>{16, 32}));
  EXPECT_EQ(u.ref_ctr_offsets, (std::vector<uint64_t>{256, 512}));
  ASSERT_EQ(u.binary_digests.size(), 1u);
  EXPECT_EQ(u.binary_digests[0].algorithm, DigestAlgorithm::kSha1);
  EXPECT_EQ(u.binary_digests[0].hex, std::string(40, 'a'));
  EXPECT_TRUE(u.ignore_digest_verification_failure);
  const auto& acts = u.selectors[0].match_actions;
  EXPECT_EQ(acts[0].arg_regs, std::vector<std::string>{"rax=11"});
  EXPECT_EQ(acts[0].arg_new_offset, 0x40u);
  EXPECT_EQ(acts[1].rate_limit->window_seconds, 7200u);
  EXPECT_EQ(acts[1].rate_limit_scope, RateLimitScope::kProcess);
  EXPECT_TRUE(acts[1].user_stack_trace);
  EXPECT_TRUE(p.warnings.empty());
  EXPECT_TRUE(contains(
      parse_error(policy_yaml("  kprobes:\n  - call: x\n    syscall: false\n    selectors:\n"
                              "    - matchActions: [{action: Override, argRegs: [\"rax=1\"]}]\n")),
      "argRegs and argNew* apply to uprobes only"));
}

TEST(PolicyParserTest, HookRestrictions) {
  EXPECT_TRUE(contains(parse_error(policy_yaml("  fentries:\n  - call: x\n    syscall: false\n"
                                               "    selectors:\n    - matchActions: "
                                               "[{action: Sigkill}]\n")),
                       "Sigkill cannot run on an fentry hook"));
  EXPECT_TRUE(contains(parse_error(policy_yaml("  tracepoints:\n  - subsystem: a\n    event: b\n"
                                               "    selectors:\n    - matchActions: "
                                               "[{action: Override}]\n")),
                       "Override cannot change what a tracepoint returns"));
  EXPECT_TRUE(contains(parse_error(policy_yaml("  kprobes:\n  - call: x\n    args:\n"
                                               "    - {index: 0}\n")),
                       "spec.kprobes[0].args[0].type: missing argument type"));
  // Tracepoints infer types from the format file.
  TracingPolicy tp = parse_ok(policy_yaml("  tracepoints:\n  - {subsystem: sched, event: "
                                          "sched_switch, args: [{index: 7}]}\n"));
  EXPECT_EQ(tp.tracepoints[0].args[0].type, ArgType::kAuto);
}

} // namespace
} // namespace octagon::policy
