// Parsers for option values given as text (command line or YAML scalar). Error messages name the
// offending text but not the option; callers prefix "--name: " or "file:line:col: name: ".
// Syntax errors use EINVAL, out-of-range values ERANGE.
#pragma once

#include <octagon/base/result.h>

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace octagon::daemon {

// true/false, 1/0, yes/no, on/off (any case).
Result<bool> parse_bool(std::string_view text);

// Decimal integer within [min, max].
Result<uint64_t> parse_uint(std::string_view text, uint64_t min, uint64_t max);

// Byte count with an optional binary suffix: K, M, G (also KB/KiB, ...; any case), e.g. "8M".
// Must lie within [min, max].
Result<uint64_t> parse_size(std::string_view text, uint64_t min, uint64_t max);

// Seconds with an optional unit suffix s, m or h ("30", "30s", "5m"), within [min, max] seconds.
Result<uint64_t> parse_duration_seconds(std::string_view text, uint64_t min, uint64_t max);

// A Go time.Duration string ("15s", "1m30s", "1.5h", "300ms", "0"; units ns, us, µs, ms, s, m,
// h; no sign: negative durations are refused) in nanoseconds, at most `max_ns`.
Result<uint64_t> parse_go_duration_ns(std::string_view text, uint64_t max_ns);

// Octal permission bits like "600" or "0640", at most 0777.
Result<uint32_t> parse_octal_mode(std::string_view text);

// Index of `text` in `choices`, or an error listing the choices ("json|compact").
Result<size_t> parse_choice(std::string_view text, std::initializer_list<const char*> choices);

// "8M" for exact multiples of a binary unit, else the plain number.
std::string format_size(uint64_t bytes);

// Levenshtein distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate to `name` when it is plausibly a typo, else empty.
std::string_view closest_name(std::string_view name, std::span<const std::string_view> candidates);

}  // namespace octagon::daemon
