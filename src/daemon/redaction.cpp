#include <octagon/daemon/redaction.h>

#include <octagon/daemon/json_lines.h>
#include <re2/re2.h>
#include <tetragon/events.pb.h>

#include <algorithm>

namespace octagon::daemon {
namespace {

Result<std::unique_ptr<re2::RE2>> compile(const std::string& pattern, const char* field) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<re2::RE2>(pattern, opts);
  if (!re->ok()) {
    return make_error(EINVAL, std::string(field) + ": invalid regular expression '" + pattern +
                                  "': " + re->error());
  }
  return re;
}

Result<void> check(const tetragon::RedactionFilter& f) {
  // `match` is read through reflection: its generated accessors are marked deprecated.
  const auto* match = f.GetDescriptor()->FindFieldByName("match");
  if (match && f.GetReflection()->FieldSize(f, match) > 0) {
    return make_error(EINVAL, "'match' is deprecated and not supported (Tetragon replaced it "
                              "with binary_regex): select processes with \"binary_regex\"");
  }
  if (f.redact_size() == 0)
    return make_error(EINVAL, "no 'redact' expression");
  for (const std::string& p : f.binary_regex())
    OCTAGON_TRY(compile(p, "binary_regex"));
  for (const std::string& p : f.redact()) {
    OCTAGON_ASSIGN_OR_RETURN(auto re, compile(p, "redact"));
    if (re->NumberOfCapturingGroups() == 0) {
      return make_error(EINVAL, "redact: '" + p + "' has no capture group, so it would redact "
                                "nothing (put the secret in parentheses, e.g. "
                                "--password(?:\\s+|=)(\\S*))");
    }
  }
  return ok();
}

} // namespace

Redaction::~Redaction() = default;

Result<std::unique_ptr<Redaction>> Redaction::create(std::string_view text) {
  OCTAGON_ASSIGN_OR_RETURN(auto parsed, parse_json_lines<tetragon::RedactionFilter>(
                                            text, "RedactionFilter", check));
  if (parsed.empty())
    return std::unique_ptr<Redaction>();
  std::unique_ptr<Redaction> r(new Redaction());
  for (const tetragon::RedactionFilter& f : parsed) {
    Filter out;
    for (const std::string& p : f.binary_regex())
      out.binaries.push_back(std::move(*compile(p, "binary_regex"))); // checked above
    for (const std::string& p : f.redact())
      out.redact.push_back(std::move(*compile(p, "redact")));
    r->filters_.push_back(std::move(out));
  }
  return r;
}

// Replaces the text of every participating capture group of every (non-overlapping, leftmost)
// match of `re` in `s`. A group nested in one already replaced is part of it.
bool Redaction::redact_matches(const re2::RE2& re, std::string& s) const {
  const int groups = re.NumberOfCapturingGroups();
  const int n = groups + 1;
  pieces_.resize(static_cast<size_t>(n));
  re2::StringPiece* m = pieces_.data();
  const re2::StringPiece text(s);
  size_t pos = 0, copied = 0;
  bool changed = false;
  scratch_.clear();
  while (pos <= s.size() && re.Match(text, pos, s.size(), re2::RE2::UNANCHORED, m, n)) {
    const size_t start = static_cast<size_t>(m[0].data() - s.data());
    const size_t end = start + m[0].size();
    for (int g = 1; g < n; g++) {
      if (m[g].data() == nullptr)
        continue; // the group did not take part in this match
      const size_t gs = static_cast<size_t>(m[g].data() - s.data());
      if (gs < copied)
        continue;
      scratch_.append(s, copied, gs - copied);
      scratch_ += kRedactedText;
      copied = gs + m[g].size();
      changed = true;
    }
    pos = end > start ? end : end + 1; // an empty match moves on by one byte
  }
  if (!changed)
    return false;
  scratch_.append(s, copied, std::string::npos);
  s.swap(scratch_);
  return true;
}

bool Redaction::apply(std::string_view binary, std::string& args) const {
  bool changed = false;
  for (const Filter& f : filters_) {
    if (!f.binaries.empty() &&
        std::none_of(f.binaries.begin(), f.binaries.end(), [&](const auto& re) {
          return re2::RE2::PartialMatch(re2::StringPiece(binary.data(), binary.size()), *re);
        }))
      continue;
    for (const auto& re : f.redact)
      changed |= redact_matches(*re, args);
  }
  return changed;
}

} // namespace octagon::daemon
