// Where a policy node came from, so that every stage (parser, compiler, loader) can report
// "file:line:col: spec.kprobes[0].selectors[1].matchArgs[0].operator: problem; hint: ...".
#pragma once

#include <octagon/base/result.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace octagon::policy {

// A position in the YAML text, 1-based; line 0 means unknown.
struct Mark {
  uint32_t line = 0;
  uint32_t column = 0;
};

// The position of one node of the model: its field path from the document root
// ("spec.kprobes[0].selectors[1]"), where it starts, and where the value of each key it had
// starts. Scalar items of a list are recorded as "values[2]", "symbols[0]"...
struct SourcePos {
  std::string path;
  Mark mark;
  std::vector<std::pair<std::string, Mark>> fields;
};

// True when the node had `field` (a key, or a list item such as "values[2]").
bool has_field(const SourcePos& pos, std::string_view field);

// The position of `field` of the node: path "<path>.<field>", the field's own mark when it was
// present, else the node's mark (a missing field is reported where its parent starts).
SourcePos field_pos(const SourcePos& pos, std::string_view field);

// "file:line:col: path: problem; hint: hint" (":line:col" and "; hint: " left out when unknown).
std::string format_diagnostic(std::string_view file, const SourcePos& pos, std::string_view problem,
                              std::string_view hint = {});

// An EINVAL Error carrying format_diagnostic(). Stages after the parser use this to report
// problems at the position of the node the user wrote.
Error policy_error(std::string_view file, const SourcePos& pos, std::string_view problem,
                   std::string_view hint = {});

// Something accepted but worth telling the user (a parameter the chosen action does not use...).
struct Diagnostic {
  SourcePos pos;
  std::string problem;
  std::string hint;
};

std::string format_diagnostic(std::string_view file, const Diagnostic& d);

// The closest candidate to `name` by edit distance (case-insensitive), or "" when none is close.
std::string_view closest_name(std::string_view name,
                              const std::vector<std::string_view>& candidates);

// "did you mean 'X'?" when a candidate is close, else "expected one of: a, b, c".
std::string suggest(std::string_view name, const std::vector<std::string_view>& candidates);

} // namespace octagon::policy
