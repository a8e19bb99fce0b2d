// Number syntaxes of policy values, shared by the parser and the compiler.
#pragma once

#include <octagon/policy/spec.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace octagon::policy {

// Decimal, 0x/0X hex or 0-prefixed octal, with an optional sign (as Go's ParseInt(s, 0, 64)).
// nullopt on any other character, an empty number, or overflow.
std::optional<int64_t> parse_int64(std::string_view text);
std::optional<uint64_t> parse_uint64(std::string_view text); // no '-'; a leading '+' is allowed

// "min:max" with both ends numbers (InRange, NotInRange, InMap ranges, port ranges). Signed when
// `is_signed`, and min <= max.
struct NumberRange {
  int64_t min_signed = 0;
  int64_t max_signed = 0;
  uint64_t min_unsigned = 0;
  uint64_t max_unsigned = 0;
};
std::optional<NumberRange> parse_range(std::string_view text, bool is_signed);

// rateLimit: "N" / "Ns" seconds, "Nm" minutes, "Nh" hours (unit in either case), N >= 1.
std::optional<RateLimit> parse_rate_limit(std::string_view text);

// YAML 1.1 booleans as Kubernetes reads them: true/false, yes/no, on/off (lower, Title, UPPER).
std::optional<bool> parse_yaml_bool(std::string_view text);

// Go strconv.ParseBool, used by policy option values: 1 t T TRUE true True / 0 f F FALSE ...
std::optional<bool> parse_go_bool(std::string_view text);

} // namespace octagon::policy
