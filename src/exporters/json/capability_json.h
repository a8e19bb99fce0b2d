// Capability sets as JSON arrays of names (CapabilitiesType), shared by the process fields of
// every event and by cred/capability arguments. Internal to exporters/json.
#pragma once

#include <octagon/events/capabilities.h>
#include <octagon/exporters/json/tetragon_names.h>

#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>

namespace octagon::exporters::json_detail {

// Each capability name pre-quoted with its trailing comma, in a fixed 32-byte slot so that the
// copy is one fixed-size (inlined) memcpy.
struct QuotedName {
  char text[32];
  uint8_t len;
};
inline constexpr auto kQuotedCapNames = [] {
  std::array<QuotedName, std::size(events::kCapabilityNames)> t{};
  for (size_t i = 0; i < t.size(); ++i) {
    size_t n = 0;
    t[i].text[n++] = '"';
    for (char c : capability_name(static_cast<unsigned>(i)))
      t[i].text[n++] = c;
    t[i].text[n++] = '"';
    t[i].text[n++] = ',';
    t[i].len = static_cast<uint8_t>(n);
  }
  return t;
}();

// A repeated CapabilitiesType field; omitted when empty (protojson). The array is assembled in a
// stack buffer and appended once: a root process carries all 41 names, twice.
template <size_t N>
inline void put_cap_list(std::string& out, const char (&key)[N], uint64_t mask, bool& first) {
  if (mask == 0)
    return;
  char buf[N + 64 * sizeof(QuotedName::text) + 2];
  char* w = buf;
  if (!first)
    *w++ = ',';
  first = false;
  std::memcpy(w, key, N - 1);
  w += N - 1;
  *w++ = '[';
  for (; mask != 0; mask &= mask - 1) {
    const auto bit = static_cast<unsigned>(std::countr_zero(mask));
    if (bit < kQuotedCapNames.size()) {
      std::memcpy(w, kQuotedCapNames[bit].text, sizeof(QuotedName::text));
      w += kQuotedCapNames[bit].len;
    } else {
      w = std::to_chars(w, buf + sizeof(buf), bit).ptr; // unknown enum value: a number
      *w++ = ',';
    }
  }
  w[-1] = ']'; // replaces the last comma
  out.append(buf, static_cast<size_t>(w - buf));
}

} // namespace octagon::exporters::json_detail
