#include <octagon/policy/source_pos.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>

namespace octagon::policy {
namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive.
size_t edit_distance(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  const size_t m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= m; ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

} // namespace

bool has_field(const SourcePos& pos, std::string_view field) {
  return std::any_of(pos.fields.begin(), pos.fields.end(),
                     [&](const auto& f) { return f.first == field; });
}

SourcePos field_pos(const SourcePos& pos, std::string_view field) {
  SourcePos out;
  out.path = pos.path.empty() ? std::string(field) : pos.path + "." + std::string(field);
  out.mark = pos.mark;
  for (const auto& f : pos.fields) {
    if (f.first == field && f.second.line != 0) {
      out.mark = f.second;
      break;
    }
  }
  return out;
}

std::string format_diagnostic(std::string_view file, const SourcePos& pos, std::string_view problem,
                              std::string_view hint) {
  std::string out(file);
  if (pos.mark.line != 0) {
    out += ":" + std::to_string(pos.mark.line) + ":" + std::to_string(pos.mark.column);
  }
  out += ": ";
  if (!pos.path.empty())
    out += pos.path + ": ";
  out += problem;
  if (!hint.empty()) {
    out += "; hint: ";
    out += hint;
  }
  return out;
}

Error policy_error(std::string_view file, const SourcePos& pos, std::string_view problem,
                   std::string_view hint) {
  return Error(EINVAL, format_diagnostic(file, pos, problem, hint));
}

std::string format_diagnostic(std::string_view file, const Diagnostic& d) {
  return format_diagnostic(file, d.pos, d.problem, d.hint);
}

std::string_view closest_name(std::string_view name,
                              const std::vector<std::string_view>& candidates) {
  std::string_view best;
  size_t best_distance = SIZE_MAX;
  for (std::string_view c : candidates) {
    if (c.empty())
      continue;
    const size_t d = edit_distance(name, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // Close enough: a few typos, scaled with the length of the name.
  const size_t limit = std::max<size_t>(2, std::min(name.size(), best.size()) / 3);
  if (best.empty() || best_distance > limit || best_distance >= name.size())
    return {};
  return best;
}

std::string suggest(std::string_view name, const std::vector<std::string_view>& candidates) {
  std::string_view best = closest_name(name, candidates);
  if (!best.empty())
    return "did you mean '" + std::string(best) + "'?";
  std::string out = "expected one of: ";
  bool first = true;
  for (std::string_view c : candidates) {
    if (c.empty())
      continue;
    if (!first)
      out += ", ";
    out += c;
    first = false;
  }
  return out;
}

} // namespace octagon::policy
