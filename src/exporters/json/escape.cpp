#include <octagon/exporters/json/escape.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace octagon::exporters {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kReplacement[] = "\xEF\xBF\xBD"; // U+FFFD

// Decodes one UTF-8 sequence at p[0..n). Returns its length (2..4) and sets `cp`, or 0 when
// p[0] does not start a well-formed sequence (Unicode Table 3-7). Callers pass a non-ASCII p[0].
inline size_t decode_utf8(const unsigned char* p, size_t n, uint32_t& cp) {
  const unsigned char c = p[0];
  auto cont = [](unsigned char b) { return (b & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) {
    if (n < 2 || !cont(p[1]))
      return 0;
    cp = (uint32_t(c & 0x1F) << 6) | (p[1] & 0x3F);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3)
      return 0;
    const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80; // E0: no overlongs
    const unsigned char hi = c == 0xED ? 0x9F : 0xBF; // ED: no surrogates
    if (p[1] < lo || p[1] > hi || !cont(p[2]))
      return 0;
    cp = (uint32_t(c & 0x0F) << 12) | (uint32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4)
      return 0;
    const unsigned char lo = c == 0xF0 ? 0x90 : 0x80; // F0: no overlongs
    const unsigned char hi = c == 0xF4 ? 0x8F : 0xBF; // F4: nothing above U+10FFFF
    if (p[1] < lo || p[1] > hi || !cont(p[2]) || !cont(p[3]))
      return 0;
    cp = (uint32_t(c & 0x07) << 18) | (uint32_t(p[1] & 0x3F) << 12) | (uint32_t(p[2] & 0x3F) << 6) |
         (p[3] & 0x3F);
    return 4;
  }
  return 0; // 80..C1 (continuation or overlong lead), F5..FF
}

// JSON byte classes: 0 copy, 1 escape, 2 start of a multi-byte sequence (or invalid).
constexpr std::array<uint8_t, 256> kJsonClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c)
    t[c] = 1;
  t['"'] = t['\\'] = t[0x7F] = 1;
  for (int c = 0x80; c < 0x100; ++c)
    t[c] = 2;
  return t;
}();

// Returns the index of the first byte at or after `i` that is not plain ASCII to copy as is
// (< 0x20, `"`, `\`, DEL or >= 0x80), or `n`. 16 bytes per step with SSE2 (baseline on x86-64),
// 8 with portable bit tricks ("Bit Twiddling Hacks": haszero/hasless) elsewhere.
inline size_t skip_plain(const unsigned char* p, size_t i, size_t n) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i bslash = _mm_set1_epi8('\\');
  const __m128i del = _mm_set1_epi8(0x7F);
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    // Signed compare: bytes >= 0x80 are negative, so "< 0x20" also flags them.
    const __m128i bad =
        _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, quote)),
                     _mm_or_si128(_mm_cmpeq_epi8(v, bslash), _mm_cmpeq_epi8(v, del)));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(bad));
    if (mask != 0)
      return i + static_cast<size_t>(std::countr_zero(mask));
  }
#else
  constexpr uint64_t k01 = 0x0101010101010101ull;
  constexpr uint64_t k80 = 0x8080808080808080ull;
  auto has_zero = [](uint64_t v) { return (v - k01) & ~v & k80; };
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    const uint64_t below_space = (w - 0x20 * k01) & ~w & k80;
    if (((w & k80) | below_space | has_zero(w ^ (0x22 * k01)) | has_zero(w ^ (0x5C * k01)) |
         has_zero(w ^ (0x7F * k01))) != 0) {
      break;
    }
  }
#endif
  while (i < n && kJsonClass[p[i]] == 0)
    ++i;
  return i;
}

inline void append_json_escape(std::string& out, unsigned char c) {
  switch (c) {
  case '"':
    out.append("\\\"", 2);
    return;
  case '\\':
    out.append("\\\\", 2);
    return;
  case '\b':
    out.append("\\b", 2);
    return;
  case '\f':
    out.append("\\f", 2);
    return;
  case '\n':
    out.append("\\n", 2);
    return;
  case '\r':
    out.append("\\r", 2);
    return;
  case '\t':
    out.append("\\t", 2);
    return;
  default: {
    const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
    out.append(u, 6);
  }
  }
}

// Non-printable code points >= U+0080: Unicode 14 categories Cc, Cf, Co, Cs, Zs, Zl, Zp, plus
// the noncharacters. Generated from Python's unicodedata; sorted, non-overlapping.
struct Range {
  uint32_t lo, hi;
};
constexpr Range kNonPrintable[] = {
    {0x80, 0xA0},        {0xAD, 0xAD},       {0x600, 0x605},     {0x61C, 0x61C},
    {0x6DD, 0x6DD},      {0x70F, 0x70F},     {0x890, 0x891},     {0x8E2, 0x8E2},
    {0x1680, 0x1680},    {0x180E, 0x180E},   {0x2000, 0x200F},   {0x2028, 0x202F},
    {0x205F, 0x2064},    {0x2066, 0x206F},   {0x3000, 0x3000},   {0xD800, 0xF8FF},
    {0xFDD0, 0xFDEF},    {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0xFFFE, 0xFFFF},
    {0x110BD, 0x110BD},  {0x110CD, 0x110CD}, {0x13430, 0x13438}, {0x1BCA0, 0x1BCA3},
    {0x1D173, 0x1D17A},  {0x1FFFE, 0x1FFFF}, {0x2FFFE, 0x2FFFF}, {0x3FFFE, 0x3FFFF},
    {0x4FFFE, 0x4FFFF},  {0x5FFFE, 0x5FFFF}, {0x6FFFE, 0x6FFFF}, {0x7FFFE, 0x7FFFF},
    {0x8FFFE, 0x8FFFF},  {0x9FFFE, 0x9FFFF}, {0xAFFFE, 0xAFFFF}, {0xBFFFE, 0xBFFFF},
    {0xCFFFE, 0xCFFFF},  {0xDFFFE, 0xDFFFF}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
    {0xEFFFE, 0x10FFFF},
};

// True when the whole of `s` can be printed unquoted.
bool is_terminal_plain(const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      if (c <= 0x20 || c == '"' || c == '\\' || c == 0x7F)
        return false;
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const size_t len = decode_utf8(p + i, n - i, cp);
    if (len == 0 || !is_printable_rune(cp))
      return false;
    i += len;
  }
  return true;
}

void append_go_hex_escape(std::string& out, char kind, uint32_t v, int digits) {
  char buf[10] = {'\\', kind};
  for (int d = 0; d < digits; ++d)
    buf[2 + d] = kHex[(v >> (4 * (digits - 1 - d))) & 0xF];
  out.append(buf, 2 + digits);
}

} // namespace

bool is_printable_rune(uint32_t cp) {
  if (cp < 0x80)
    return cp >= 0x20 && cp != 0x7F;
  const auto* end = std::end(kNonPrintable);
  const auto* it = std::upper_bound(std::begin(kNonPrintable), end, cp,
                                    [](uint32_t v, const Range& r) { return v < r.lo; });
  if (it == std::begin(kNonPrintable))
    return true;
  --it;
  return cp > it->hi;
}

void append_json_string(std::string& out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  size_t run = 0; // start of the bytes not yet copied
  out.push_back('"');
  while ((i = skip_plain(p, i, n)) < n) {
    const unsigned char c = p[i];
    if (kJsonClass[c] == 2) {
      uint32_t cp = 0;
      const size_t len = decode_utf8(p + i, n - i, cp);
      if (len != 0 && cp != 0x2028 && cp != 0x2029) {
        i += len; // valid: stays in the run
        continue;
      }
      out.append(s.data() + run, i - run);
      if (len == 0) {
        out.append(kReplacement, 3);
        i += 1;
      } else {
        out.append(cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
        i += len;
      }
      run = i;
      continue;
    }
    out.append(s.data() + run, i - run);
    append_json_escape(out, c);
    run = ++i;
  }
  out.append(s.data() + run, n - run);
  out.push_back('"');
}

void append_terminal_safe(std::string& out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  if (is_terminal_plain(p, n)) {
    out.append(s);
    return;
  }
  // Quoted: copy runs of printable bytes in one go (the JSON "plain" set is printable ASCII
  // minus `"` and `\`), escape the rest the way Go's strconv.Quote does.
  out.push_back('"');
  size_t i = 0;
  size_t run = 0;
  while ((i = skip_plain(p, i, n)) < n) {
    const unsigned char c = p[i];
    size_t len = 1;
    if (c >= 0x80) {
      uint32_t cp = 0;
      len = decode_utf8(p + i, n - i, cp);
      if (len != 0 && is_printable_rune(cp)) {
        i += len; // printable: stays in the run
        continue;
      }
      out.append(s.data() + run, i - run);
      if (len == 0) {
        append_go_hex_escape(out, 'x', c, 2); // one invalid byte
        len = 1;
      } else if (cp < 0x10000) {
        append_go_hex_escape(out, 'u', cp, 4);
      } else {
        append_go_hex_escape(out, 'U', cp, 8);
      }
    } else {
      out.append(s.data() + run, i - run);
      switch (c) {
      case '\a':
        out.append("\\a", 2);
        break;
      case '\b':
        out.append("\\b", 2);
        break;
      case '\f':
        out.append("\\f", 2);
        break;
      case '\n':
        out.append("\\n", 2);
        break;
      case '\r':
        out.append("\\r", 2);
        break;
      case '\t':
        out.append("\\t", 2);
        break;
      case '\v':
        out.append("\\v", 2);
        break;
      case '"':
        out.append("\\\"", 2);
        break;
      case '\\':
        out.append("\\\\", 2);
        break;
      default:
        append_go_hex_escape(out, 'x', c, 2); // other C0 controls, DEL
      }
    }
    i += len;
    run = i;
  }
  out.append(s.data() + run, n - run);
  out.push_back('"');
}

bool to_valid_utf8(std::string_view s, std::string& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  uint32_t cp = 0;
  for (; i < n; ++i) { // fast scan: stop at the first invalid byte
    if (p[i] < 0x80)
      continue;
    const size_t len = decode_utf8(p + i, n - i, cp);
    if (len == 0)
      break;
    i += len - 1;
  }
  if (i == n)
    return false;
  out.assign(s.data(), i);
  while (i < n) {
    if (p[i] < 0x80) {
      out.push_back(static_cast<char>(p[i++]));
      continue;
    }
    const size_t len = decode_utf8(p + i, n - i, cp);
    if (len == 0) {
      out.append(kReplacement, 3);
      ++i;
    } else {
      out.append(s.data() + i, len);
      i += len;
    }
  }
  return true;
}

} // namespace octagon::exporters
