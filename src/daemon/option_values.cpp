#include <octagon/daemon/option_values.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <limits>
#include <vector>

namespace octagon::daemon {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// Parses the leading decimal digits of `text` into `value`; returns how many chars were used
// (0 when there is no digit), or npos on overflow.
size_t leading_uint(std::string_view text, uint64_t& value) {
  value = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::string_view::npos;
    value = value * 10 + digit;
  }
  return i;
}

Unexpected out_of_range(std::string_view text, const std::string& lo, const std::string& hi) {
  return make_error(ERANGE, quoted(text) + " is out of range (allowed " + lo + ".." + hi + ")");
}

// Multiplies value by unit, failing on overflow.
bool scale(uint64_t& value, uint64_t unit) {
  if (unit != 0 && value > std::numeric_limits<uint64_t>::max() / unit) return false;
  value *= unit;
  return true;
}

}  // namespace

Result<bool> parse_bool(std::string_view text) {
  const std::string t = lower(text);
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off") return false;
  return make_error(EINVAL, quoted(text) + " is not a boolean (use true or false)");
}

Result<uint64_t> parse_uint(std::string_view text, uint64_t min, uint64_t max) {
  uint64_t value = 0;
  size_t used = leading_uint(text, value);
  if (used == std::string_view::npos) return out_of_range(text, std::to_string(min), std::to_string(max));
  if (used == 0 || used != text.size()) return make_error(EINVAL, quoted(text) + " is not a number");
  if (value < min || value > max) return out_of_range(text, std::to_string(min), std::to_string(max));
  return value;
}

Result<uint64_t> parse_size(std::string_view text, uint64_t min, uint64_t max) {
  uint64_t value = 0;
  size_t used = leading_uint(text, value);
  if (used == std::string_view::npos) return out_of_range(text, format_size(min), format_size(max));
  const std::string suffix = lower(text.substr(used));
  uint64_t unit = 0;
  if (suffix.empty() || suffix == "b") {
    unit = 1;
  } else {
    const size_t power = std::string_view("kmg").find(suffix[0]);
    const std::string_view rest = std::string_view(suffix).substr(1);
    if (power != std::string_view::npos && (rest.empty() || rest == "b" || rest == "i" || rest == "ib")) {
      unit = uint64_t{1} << (10 * (power + 1));
    }
  }
  if (used == 0 || unit == 0) {
    return make_error(EINVAL, quoted(text) + " is not a size (a number with optional K, M or G)");
  }
  if (!scale(value, unit) || value < min || value > max) {
    return out_of_range(text, format_size(min), format_size(max));
  }
  return value;
}

Result<uint64_t> parse_duration_seconds(std::string_view text, uint64_t min, uint64_t max) {
  uint64_t value = 0;
  size_t used = leading_uint(text, value);
  auto range = [&] { return out_of_range(text, std::to_string(min) + "s", std::to_string(max) + "s"); };
  if (used == std::string_view::npos) return range();
  const std::string_view suffix = used == 0 ? text : text.substr(used);
  uint64_t unit = 0;
  if (suffix.empty() || suffix == "s") unit = 1;
  if (suffix == "m") unit = 60;
  if (suffix == "h") unit = 3600;
  if (used == 0 || unit == 0) {
    return make_error(EINVAL, quoted(text) + " is not a duration (seconds, or a number with s, m or h)");
  }
  if (!scale(value, unit) || value < min || value > max) return range();
  return value;
}

Result<uint64_t> parse_go_duration_ns(std::string_view text, uint64_t max_ns) {
  auto bad = [&] {
    return make_error(EINVAL, quoted(text) + " is not a duration (like 15s, 1m30s, 500ms)");
  };
  if (text == "0") return uint64_t{0};
  if (text.empty() || text.front() == '-' || text.front() == '+') return bad();
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"ns", 1.0}, {"us", 1e3}, {"\u00b5s", 1e3}, {"\u03bcs", 1e3}, {"ms", 1e6},
      {"s", 1e9},  {"m", 60e9}, {"h", 3600e9}};
  double total = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t n = 0;
    while (n < rest.size() && ((rest[n] >= '0' && rest[n] <= '9') || rest[n] == '.')) n++;
    if (n == 0 || rest.substr(0, n) == ".") return bad();
    double value = 0, frac_scale = 0;
    for (char c : rest.substr(0, n)) {
      if (c == '.') {
        if (frac_scale != 0) return bad();
        frac_scale = 1;
        continue;
      }
      if (frac_scale != 0) {
        frac_scale /= 10;
        value += (c - '0') * frac_scale;
      } else {
        value = value * 10 + (c - '0');
      }
    }
    rest.remove_prefix(n);
    size_t u = 0;
    while (u < rest.size() && !((rest[u] >= '0' && rest[u] <= '9') || rest[u] == '.')) u++;
    const std::string_view unit = rest.substr(0, u);
    rest.remove_prefix(u);
    auto it = std::find_if(std::begin(kUnits), std::end(kUnits),
                           [&](const auto& k) { return k.first == unit; });
    if (it == std::end(kUnits)) return bad();
    total += value * it->second;
    if (total > static_cast<double>(max_ns)) {
      return make_error(ERANGE, quoted(text) + " is too long (at most " +
                                    std::to_string(max_ns / 1000000000ull) + "s)");
    }
  }
  return static_cast<uint64_t>(total);
}

Result<uint32_t> parse_octal_mode(std::string_view text) {
  if (text.empty() || text.size() > 4 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; })) {
    return make_error(EINVAL, quoted(text) + " is not an octal file mode (like 600)");
  }
  uint32_t mode = 0;
  for (char c : text) mode = mode * 8 + static_cast<uint32_t>(c - '0');
  if (mode > 0777) return out_of_range(text, "000", "777");
  return mode;
}

Result<size_t> parse_choice(std::string_view text, std::initializer_list<const char*> choices) {
  std::string all;
  size_t i = 0;
  for (const char* c : choices) {
    if (text == c) return i;
    all += (i++ == 0 ? "" : "|");
    all += c;
  }
  return make_error(EINVAL, quoted(text) + " is not one of " + all);
}

std::string format_size(uint64_t bytes) {
  static constexpr const char* kSuffix[] = {"G", "M", "K"};
  for (int i = 0; i < 3; ++i) {
    const uint64_t unit = uint64_t{1} << (10 * (3 - i));
    if (bytes >= unit && bytes % unit == 0) return std::to_string(bytes / unit) + kSuffix[i];
  }
  return std::to_string(bytes);
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string_view closest_name(std::string_view name, std::span<const std::string_view> candidates) {
  std::string_view best;
  size_t best_distance = std::numeric_limits<size_t>::max();
  for (std::string_view c : candidates) {
    size_t d = edit_distance(name, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // A typo, not a different word: at most a third of the name (and at least 2 edits) away.
  const size_t limit = std::max<size_t>(2, name.size() / 3);
  return best_distance <= limit ? best : std::string_view();
}

}  // namespace octagon::daemon
