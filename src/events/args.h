// Tetragon's `arguments` string from raw argv bytes.
//
// Input: the argument area of a process, NUL-separated as in /proc/<pid>/cmdline or the
// kernel record (argv[0] included). The rules reproduce what Tetragon prints
// (pkg/process ArgsDecoder), quirks included, because users match on this string:
//   - one NUL that ends the buffer is a terminator, not an empty last argument;
//   - arguments are joined by single spaces;
//   - an argument containing a space (0x20; tabs and newlines do not count) is wrapped in
//     double quotes, with a space before the opening quote even when it is the first
//     argument: {"a b", "c"} -> ` "a b" c` (leading space, as Tetragon prints it). Quotes
//     inside an argument are not escaped;
//   - an empty argument adds nothing but its separator: {"x", "", "y"} -> `x  y` (two spaces),
//     {"x", ""} -> `x ` and empty arguments before the first non-empty one vanish:
//     {"", "y"} -> `y`. (Rendering them as `""` would be more faithful to argv, but no
//     Tetragon user has ever seen that.)
// Bytes are copied raw, invalid UTF-8 included: escaping is the JSON encoder's job.
#pragma once

#include <string>
#include <string_view>

namespace octagon::events {

// Joins NUL-separated argv bytes as described above; skip_argv0 drops the first argument.
std::string join_arguments(std::string_view argv_bytes, bool skip_argv0);

}  // namespace octagon::events
