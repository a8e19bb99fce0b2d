// The malformed corpus: every file in tests/fixtures/policies/malformed/ is refused with the
// error below, at the given line:column and field path. The corpus and this table must match.
#include "test_helpers.h"
#include "unit/policy/policy_test_util.h"

#include <set>

namespace octagon::policy {
namespace {

struct Case {
  const char* file;  // under tests/fixtures/policies/malformed/, without ".yaml"
  const char* where; // "line:col: path" (path left out for document-level errors)
  const char* problem;
  const char* hint; // a substring of the hint
};

const Case kCases[] = {
    // YAML syntax and document shape
    {"yaml_syntax", "7:1", "invalid YAML: end of map flow not found", "indentation"},
    {"empty_file", "", "no policy in this file", "apiVersion"},
    {"two_documents", "8:1", "a second YAML document: one policy per file", "own file"},
    {"duplicate_key", "14:5: spec.kprobes[0].syscall", "field appears twice", "keep one"},
    // unknown fields, with "did you mean"
    {"unknown_top_field", "5:1: specs", "unknown field 'specs'", "did you mean 'spec'?"},
    {"unknown_hook_field", "8:5: spec.kprobes[0].retrun", "unknown field 'retrun'",
     "did you mean 'return'?"},
    {"unknown_selector_field", "14:7: spec.kprobes[0].selectors[0].matchBinary",
     "unknown field 'matchBinary'", "did you mean 'matchBinaries'?"},
    {"removed_field", "16:9: spec.kprobes[0].selectors[0].matchActions[0].argName",
     "field is no longer supported", "type fd"},
    // wrong types
    {"wrong_type_list", "8:11: spec.kprobes[0].args", "expected a list, got a single value",
     "'- item'"},
    {"wrong_type_mapping", "3:11: metadata", "expected a mapping of fields, got a single value",
     "indented"},
    {"not_a_boolean", "8:14: spec.kprobes[0].syscall", "expected true or false, got 'maybe'",
     "true or false"},
    // missing or wrong required fields
    {"missing_api_version", "1:1: apiVersion", "missing required field", "cilium.io/v1alpha1"},
    {"wrong_api_version", "1:13: apiVersion", "unsupported apiVersion 'cilium.io/v1'",
     "cilium.io/v1alpha1"},
    {"wrong_kind", "2:7: kind", "unsupported kind 'TracingPolicies'",
     "did you mean 'TracingPolicy'?"},
    {"missing_name", "4:3: metadata.name", "missing required field", "unique name"},
    {"invalid_name", "4:9: metadata.name", "invalid policy name 'Bad_Policy'", "lower-case"},
    {"namespaced_without_namespace", "4:3: metadata.namespace", "missing required field",
     "namespace"},
    {"namespaced_host_selector", "7:17: spec.hostSelector",
     "not allowed in a TracingPolicyNamespaced", "remove hostSelector"},
    {"missing_call", "7:5: spec.kprobes[0].call", "missing required field", "sys_openat"},
    {"missing_subsystem", "7:5: spec.tracepoints[0].subsystem", "missing required field",
     "raw_syscalls"},
    {"missing_uprobe_path", "7:5: spec.uprobes[0].path", "missing required field", "/bin/bash"},
    {"missing_usdt_name", "7:5: spec.usdts[0].name", "missing required field", "usdt3"},
    {"lsm_security_prefix", "7:11: spec.lsmhooks[0].hook",
     "LSM hook names have no 'security_' prefix", "hook: file_open"},
    // invalid enum values
    {"wrong_arg_type", "10:13: spec.kprobes[0].args[0].type", "unknown argument type 'chr_buf'",
     "did you mean 'char_buf'?"},
    {"wrong_operator", "16:19: spec.kprobes[0].selectors[0].matchArgs[0].operator",
     "unknown operator 'Equals'", "did you mean 'Equal'?"},
    {"wrong_action", "15:17: spec.kprobes[0].selectors[0].matchActions[0].action",
     "unknown action 'Sigkil'", "did you mean 'Sigkill'?"},
    {"removed_action", "15:17: spec.kprobes[0].selectors[0].matchActions[0].action",
     "action 'FollowFD' was removed", "type fd"},
    {"wrong_namespace", "15:20: spec.kprobes[0].selectors[0].matchNamespaces[0].namespace",
     "unknown namespace 'Mount'", "did you mean 'Mnt'?"},
    {"wrong_capability", "17:11: spec.kprobes[0].selectors[0].matchCapabilities[0].values[0]",
     "unknown capability 'CAP_SYS_ADMN'", "did you mean 'CAP_SYS_ADMIN'?"},
    {"wrong_rate_limit_scope", "17:25: spec.kprobes[0].selectors[0].matchActions[0].rateLimitScope",
     "invalid value 'cluster'", "thread, process, global"},
    {"wrong_rate_limit", "16:20: spec.kprobes[0].selectors[0].matchActions[0].rateLimit",
     "invalid rateLimit '5d'", "minutes ('1m')"},
    {"wrong_list_type", "8:11: spec.lists[0].type", "unknown list type 'syscall'",
     "did you mean 'syscalls'?"},
    {"unknown_option", "7:11: spec.options[0].name", "unknown option 'policy-mod'",
     "did you mean 'policy-mode'?"},
    {"wrong_policy_mode", "8:12: spec.options[0].value", "invalid policy mode 'audit'",
     "enforce or monitor"},
    // limits
    {"too_many_selectors", "29:7: spec.kprobes[0].selectors[5]", "more than 5 selectors",
     "at most 5 selectors"},
    {"too_many_args", "19:7: spec.kprobes[0].args[5]", "more than 5 arguments", "at most 5"},
    {"too_many_tags", "25:7: spec.kprobes[0].tags[16]", "more than 16 tags", "at most 16"},
    {"message_too_long", "8:14: spec.kprobes[0].message", "message is 300 bytes long", "256 bytes"},
    {"two_match_binaries", "17:9: spec.kprobes[0].selectors[0].matchBinaries[1]",
     "more than one matchBinaries entry in a selector", "values of one entry"},
    {"two_enforcers", "8:5: spec.enforcers[1]", "more than one enforcer", "at most one enforcer"},
    // field combinations
    {"return_without_return_arg", "7:5: spec.kprobes[0].returnArg",
     "'return: true' needs a returnArg", "returnArg: {index: 0"},
    {"uprobe_symbols_and_offsets", "9:14: spec.uprobes[0].offsets",
     "symbols and offsets cannot be used together", "exactly one"},
    {"size_arg_index_out_of_range", "11:21: spec.kprobes[0].args[0].sizeArgIndex",
     "sizeArgIndex 7 is out of range", "1-based"},
    {"follow_children_prefix",
     "16:25: spec.kprobes[0].selectors[0].matchBinaries[0].followChildren",
     "followChildren works with In and NotIn only", "In or NotIn"},
    {"return_args_without_return", "15:9: spec.kprobes[0].selectors[0].matchReturnArgs[0]",
     "matchReturnArgs needs 'return: true' and a returnArg", "return: true"},
    {"signal_without_arg_sig", "15:9: spec.kprobes[0].selectors[0].matchActions[0].argSig",
     "action Signal needs argSig", "argSig: 9"},
    {"notify_enforcer_without_enforcer",
     "11:17: spec.tracepoints[0].selectors[0].matchActions[0].action",
     "NotifyEnforcer needs an enforcer", "enforcers:"},
    {"match_args_index_not_an_arg", "15:16: spec.kprobes[0].selectors[0].matchArgs[0].index",
     "no entry of args has index 3", "indexes 0, 1"},
    {"operator_not_for_type", "16:19: spec.kprobes[0].selectors[0].matchArgs[0].operator",
     "operator Prefix does not apply to int arguments", "integers take"},
    // macros and lists
    {"unknown_macro", "19:16: spec.kprobes[0].selectors[0].macros[0]",
     "unknown selector macro 'shell'", "did you mean 'shells'?"},
    {"macro_field_conflict", "19:16: spec.kprobes[0].selectors[0].macros[0]",
     "macro 'shells' sets matchBinaries, which the selector already sets", "one place only"},
    {"undefined_list_call", "11:11: spec.kprobes[0].call", "list 'dup' is not defined",
     "did you mean 'dups'?"},
    {"undefined_list_inmap", "16:18: spec.tracepoints[0].selectors[0].matchArgs[0].values[0]",
     "list 'dups' is not defined", "spec.lists"},
    {"duplicate_list", "10:11: spec.lists[1].name", "list 'dups' is defined twice", "own name"},
    // values that must be numbers (or addresses, digests)
    {"pid_not_a_number", "18:11: spec.kprobes[0].selectors[0].matchPIDs[0].values[1]",
     "expected a process ID, got 'init'", "non-negative"},
    {"arg_error_not_a_number", "16:19: spec.kprobes[0].selectors[0].matchActions[0].argError",
     "expected an integer, got 'EPERM'", "0x hex"},
    {"arg_sig_not_a_number", "16:17: spec.kprobes[0].selectors[0].matchActions[0].argSig",
     "expected an integer, got 'SIGKILL'", "0x hex"},
    {"in_range_not_numbers", "17:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]",
     "expected a range 'min:max', got 'low:high'", "min <= max"},
    {"wrong_cidr", "16:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]",
     "'/33' is not a prefix length of an IPv4 address", "from 0 to 32"},
    {"wrong_digest", "9:21: spec.uprobes[0].binaryDigests[0]", "invalid sha256 digest",
     "64 hex digits"},
};

std::string malformed_dir() {
  return testing::fixtures_dir() + "/malformed";
}

TEST(PolicyMalformedTest, EachFileGetsItsError) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.file);
    const std::string path = malformed_dir() + "/" + c.file + ".yaml";
    Result<TracingPolicy> r = load_policy_file(path);
    ASSERT_FALSE(r.has_value()) << "parsed: " << path;
    EXPECT_EQ(r.error().code(), EINVAL);
    const std::string& msg = r.error().message();
    std::string expected = path + ":" + c.where + ": " + c.problem;
    if (std::string(c.where).empty())
      expected = path + ": " + c.problem;
    EXPECT_EQ(msg.substr(0, expected.size()), expected) << msg;
    const size_t hint = msg.find("; hint: ");
    ASSERT_NE(hint, std::string::npos) << msg;
    EXPECT_NE(msg.find(c.hint, hint), std::string::npos) << msg;
  }
}

TEST(PolicyMalformedTest, CorpusAndTableMatch) {
  std::set<std::string> in_table;
  for (const Case& c : kCases)
    EXPECT_TRUE(in_table.insert(std::string(c.file) + ".yaml").second);
  const std::vector<std::string> files = testing::yaml_files(malformed_dir());
  EXPECT_EQ(std::set<std::string>(files.begin(), files.end()), in_table);
  EXPECT_GE(files.size(), 25u);
}

} // namespace
} // namespace octagon::policy
