#include <octagon/policy/numbers.h>

#include <limits>
#include <string>

namespace octagon::policy {
namespace {

int digit_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return 99;
}

// The magnitude of an unsigned number with base prefix; nullopt on error or overflow.
std::optional<uint64_t> parse_magnitude(std::string_view s) {
  if (s.empty())
    return std::nullopt;
  unsigned base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  uint64_t value = 0;
  for (char c : s) {
    const int d = digit_value(c);
    if (d >= static_cast<int>(base))
      return std::nullopt;
    if (value > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) / base) {
      return std::nullopt;
    }
    value = value * base + static_cast<uint64_t>(d);
  }
  return value;
}

} // namespace

std::optional<int64_t> parse_int64(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  std::optional<uint64_t> mag = parse_magnitude(text);
  if (!mag)
    return std::nullopt;
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (*mag > kMaxPositive + 1)
      return std::nullopt;
    if (*mag == kMaxPositive + 1)
      return std::numeric_limits<int64_t>::min();
    return -static_cast<int64_t>(*mag);
  }
  if (*mag > kMaxPositive)
    return std::nullopt;
  return static_cast<int64_t>(*mag);
}

std::optional<uint64_t> parse_uint64(std::string_view text) {
  if (!text.empty() && text[0] == '+')
    text.remove_prefix(1);
  return parse_magnitude(text);
}

std::optional<NumberRange> parse_range(std::string_view text, bool is_signed) {
  // The separator is the first ':' after the first character, so "-5:-1" works.
  const size_t colon = text.find(':', text.empty() ? 0 : 1);
  if (colon == std::string_view::npos)
    return std::nullopt;
  std::string_view lo = text.substr(0, colon);
  std::string_view hi = text.substr(colon + 1);
  NumberRange r;
  if (is_signed) {
    auto a = parse_int64(lo);
    auto b = parse_int64(hi);
    if (!a || !b || *a > *b)
      return std::nullopt;
    r.min_signed = *a;
    r.max_signed = *b;
  } else {
    auto a = parse_uint64(lo);
    auto b = parse_uint64(hi);
    if (!a || !b || *a > *b)
      return std::nullopt;
    r.min_unsigned = *a;
    r.max_unsigned = *b;
  }
  return r;
}

std::optional<RateLimit> parse_rate_limit(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  uint64_t multiplier = 1;
  std::string_view digits = text;
  switch (text.back()) {
  case 's':
  case 'S':
    multiplier = 1;
    digits.remove_suffix(1);
    break;
  case 'm':
  case 'M':
    multiplier = 60;
    digits.remove_suffix(1);
    break;
  case 'h':
  case 'H':
    multiplier = 3600;
    digits.remove_suffix(1);
    break;
  default:
    break;
  }
  if (digits.empty())
    return std::nullopt;
  uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9')
      return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
    if (n > std::numeric_limits<uint32_t>::max())
      return std::nullopt;
  }
  if (n == 0)
    return std::nullopt;
  RateLimit r;
  r.window_seconds = n * multiplier;
  r.events_per_window = 1;
  r.text = std::string(text);
  return r;
}

std::optional<bool> parse_yaml_bool(std::string_view t) {
  if (t == "true" || t == "True" || t == "TRUE" || t == "yes" || t == "Yes" || t == "YES" ||
      t == "on" || t == "On" || t == "ON") {
    return true;
  }
  if (t == "false" || t == "False" || t == "FALSE" || t == "no" || t == "No" || t == "NO" ||
      t == "off" || t == "Off" || t == "OFF") {
    return false;
  }
  return std::nullopt;
}

std::optional<bool> parse_go_bool(std::string_view t) {
  if (t == "1" || t == "t" || t == "T" || t == "TRUE" || t == "true" || t == "True")
    return true;
  if (t == "0" || t == "f" || t == "F" || t == "FALSE" || t == "false" || t == "False") {
    return false;
  }
  return std::nullopt;
}

} // namespace octagon::policy
