// Redaction (--redaction-filters, Tetragon's RedactionFilter): newline-separated JSON objects
// {"binary_regex":[...], "redact":[...]}. For a process whose binary matches one of a filter's
// binary_regex (none: every process), every capture group of every match of each `redact`
// RE2 expression in the process arguments is replaced by "*****". The arguments are redacted
// once, where the event processor builds the process (exec records and /proc seeding), so every
// output (JSON, compact, gRPC, parent and ancestors) only ever sees the redacted text. Octagon
// does not export environment variables, so there is nothing else to redact.
// The deprecated `match` field (an event Filter) is refused: Tetragon replaced it with
// binary_regex. A `redact` expression without a capture group would redact nothing: refused.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <octagon/base/result.h>

#include <re2/stringpiece.h>

namespace re2 {
class RE2;
}

namespace octagon::daemon {

inline constexpr std::string_view kRedactedText = "*****";

class Redaction {
public:
  // Parses the option text; errors name the line and the cause (not the flag). No filter in
  // the text (empty, blank lines): returns null, nothing to redact.
  static Result<std::unique_ptr<Redaction>> create(std::string_view text);
  ~Redaction();

  // Redacts `args` (the arguments of a process running `binary`) in place; true when changed.
  // Not thread-safe (reuses a scratch buffer): called on the event reader thread only.
  bool apply(std::string_view binary, std::string& args) const;

private:
  struct Filter {
    std::vector<std::unique_ptr<re2::RE2>> binaries; // empty: every binary
    std::vector<std::unique_ptr<re2::RE2>> redact;
  };
  Redaction() = default;
  bool redact_matches(const re2::RE2& re, std::string& s) const;

  std::vector<Filter> filters_;
  mutable std::string scratch_;
  mutable std::vector<re2::StringPiece> pieces_;
};

} // namespace octagon::daemon
