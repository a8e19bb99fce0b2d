// String escaping for the two text outputs: JSON (machine) and compact (terminal).
//
// Both take raw, untrusted bytes (argv, paths, hostnames) and never fail: whatever the input, the
// JSON output is valid UTF-8 JSON and the terminal output carries no raw control byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace octagon::exporters {

// Appends `s` as a quoted JSON string.
//   - `"` and `\` get a backslash; \b \f \n \r \t use their short forms; the other C0 controls
//     and DEL (0x7f) become \u00XX (lower-case hex, as Go's protojson writes them).
//   - U+2028 and U+2029 become \u2028 and \u2029 (they end lines in JavaScript).
//   - Each byte that does not start a well-formed UTF-8 sequence (stray continuation, overlong
//     form, surrogate, code point above U+10FFFF, truncated sequence) becomes U+FFFD, written
//     as the raw bytes EF BF BD; decoding then resumes at the next byte (Go's rule).
//   - Everything else, including valid multi-byte UTF-8, is copied in runs.
void append_json_string(std::string& out, std::string_view s);

// Appends `s` for a human terminal, the way Tetragon's compact output prints untrusted strings
// (Go's strconv.Quote). If `s` contains a space, `"`, `\`, a control character, an invalid
// UTF-8 byte or a non-printable rune, it is written double-quoted with Go escapes:
//   \a \b \f \n \r \t \v \\ \"; \xNN for other C0 controls, DEL and each invalid byte;
//   \uNNNN / \UNNNNNNNN for non-printable runes (C1 controls, format characters such as the
//   bidi overrides, non-ASCII spaces, line/paragraph separators, private use, noncharacters).
// Otherwise `s` is written as is. Printability is decided for assigned code points (Unicode
// 14 categories Cc Cf Co Cs Z*); unassigned code points pass unquoted, where Go would quote.
void append_terminal_safe(std::string& out, std::string_view s);

// `s` with each byte that does not start a well-formed UTF-8 sequence replaced by U+FFFD, the
// same rule as append_json_string (protobuf `string` fields must hold valid UTF-8, and the gRPC
// messages must equal the JSON export). Returns false and leaves `out` untouched when `s` is
// already valid (the common case: no copy).
bool to_valid_utf8(std::string_view s, std::string& out);

// True when a (valid) code point is printable in the sense used by append_terminal_safe.
bool is_printable_rune(uint32_t cp);

} // namespace octagon::exporters
