// Small appenders shared by the JSON encoder's translation units (json_encoder.cpp,
// policy_json_encoder.cpp, argument_json.cpp). Internal to exporters/json: not a public API.
//
// All of them append to a caller's buffer and never allocate beyond the buffer's growth.
#pragma once

#include <octagon/exporters/json/escape.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace octagon::exporters::json_detail {

// Appends a string literal without strlen.
template <size_t N> inline void put(std::string& out, const char (&s)[N]) {
  out.append(s, N - 1);
}

inline char* copy_to(char* w, std::string_view s) {
  std::memcpy(w, s.data(), s.size());
  return w + s.size();
}

inline void put_uint(std::string& out, uint64_t v) {
  char buf[20];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, static_cast<size_t>(r.ptr - buf));
}

inline void put_int(std::string& out, int64_t v) {
  char buf[21];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, static_cast<size_t>(r.ptr - buf));
}

// A protojson 64-bit integer: the decimal digits in quotes.
inline void put_quoted_uint(std::string& out, uint64_t v) {
  out.push_back('"');
  put_uint(out, v);
  out.push_back('"');
}

inline void put_quoted_int(std::string& out, int64_t v) {
  out.push_back('"');
  put_int(out, v);
  out.push_back('"');
}

// `key` carries its own separator (`,"cwd":`); nothing is written for an empty value (protojson
// omits empty strings).
template <size_t N>
void put_string_field(std::string& out, const char (&key)[N], std::string_view v) {
  if (v.empty())
    return;
  put(out, key);
  append_json_string(out, v);
}

// Writes `,` before every member but the first of an object whose members are all optional.
class FieldSep {
public:
  explicit FieldSep(std::string& out) : out_(out) {}
  // Appends the separator (when needed) and `key` (`"name":`).
  template <size_t N> void key(const char (&k)[N]) {
    if (!first_)
      out_.push_back(',');
    first_ = false;
    put(out_, k);
  }
  template <size_t N> void string(const char (&k)[N], std::string_view v) {
    if (v.empty())
      return;
    key(k);
    append_json_string(out_, v);
  }

private:
  std::string& out_;
  bool first_ = true;
};

} // namespace octagon::exporters::json_detail
