// TracingPolicy YAML -> validated model (spec.h). yaml-cpp exceptions stop here: every function
// returns a Result, and every error is EINVAL (or the errno of a failed file operation) with the
// message "<file>:<line>:<col>: <field path>: <problem>; hint: <hint>".
//
// One policy per file, as Tetragon reads --tracing-policy files: a second YAML document (after
// "---") that is not empty is an error rather than silently dropped.
//
// Strict where Tetragon (which validates files against its CRD schema) is strict: unknown fields
// anywhere, missing required fields (apiVersion, kind, metadata.name, args[].index, call...),
// invalid enum values and DNS-1123 policy names are errors. Lenient where Kubernetes' YAML reader
// is: quoted and unquoted scalars are interchangeable ("1" for an integer, 1 for a string),
// booleans are YAML 1.1 (yes/no/on/off too), "<<" merge keys work, action names ignore case.
// Accepted fields that have no effect (a parameter the chosen action does not use, returnArg
// without return: true...) become TracingPolicy::warnings, never silence.
#pragma once

#include <octagon/base/result.h>
#include <octagon/policy/spec.h>

#include <string>
#include <string_view>
#include <vector>

namespace octagon::policy {

inline constexpr size_t kMaxPolicyFileBytes = 4u << 20;

// Parses one policy. `source_name` is used in error messages and stored as policy.source.
[[nodiscard]] Result<TracingPolicy> parse_policy(std::string_view yaml_text,
                                                 std::string_view source_name);

// Reads and parses one file (at most kMaxPolicyFileBytes).
[[nodiscard]] Result<TracingPolicy> load_policy_file(const std::string& path);

// Tetragon's --tracing-policy-dir: every *.yaml / *.yml file in `dir` and in its immediate
// subdirectories, in byte order of their paths relative to `dir`. Names starting with '.' are
// skipped (Kubernetes ConfigMap mounts keep the real files in "..data" directories). The first
// failing file fails the whole directory, as does a policy name used twice.
[[nodiscard]] Result<std::vector<TracingPolicy>> load_policy_dir(const std::string& dir);

} // namespace octagon::policy
