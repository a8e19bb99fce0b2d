#include <octagon/exporters/json/escape.h>

#include <gtest/gtest.h>

#include <random>
#include <string>

#if __has_include(<nlohmann/json.hpp>)
#include <nlohmann/json.hpp>
#define OCTAGON_HAVE_NLOHMANN 1
#endif

namespace octagon::exporters {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

std::string json(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string term(std::string_view s) {
  std::string out;
  append_terminal_safe(out, s);
  return out;
}

// Strict UTF-8 check, independent of the code under test (no overlongs, no surrogates).
bool is_valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80                 ? 1
                 : c >= 0xC2 && c <= 0xDF ? 2
                 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xF0 && c <= 0xF4 ? 4
                                          : 0;
    if (len == 0 || i + len > s.size())
      return false;
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

TEST(JsonEscape, PlainAndEmpty) {
  EXPECT_EQ(json(""), "\"\"");
  EXPECT_EQ(json("/usr/bin/curl"), "\"/usr/bin/curl\"");
  EXPECT_EQ(json("<a href='x'>&"), "\"<a href='x'>&\""); // no HTML escaping (protojson)
}

TEST(JsonEscape, QuotesAndBackslash) {
  EXPECT_EQ(json(R"(-c "curl x")"), R"("-c \"curl x\"")");
  EXPECT_EQ(json(R"(C:\dir\)"), R"("C:\\dir\\")");
}

TEST(JsonEscape, ShortControlForms) {
  EXPECT_EQ(json("a\nb\tc\rd\be\ff"), R"("a\nb\tc\rd\be\ff")");
}

TEST(JsonEscape, EveryControlCharacter) {
  const char* kShort[32] = {};
  kShort['\b'] = "\\b";
  kShort['\t'] = "\\t";
  kShort['\n'] = "\\n";
  kShort['\f'] = "\\f";
  kShort['\r'] = "\\r";
  for (int c = 0; c < 0x20; ++c) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "\\u%04x", c);
    const std::string want = std::string("\"") + (kShort[c] ? kShort[c] : hex) + "\"";
    EXPECT_EQ(json(std::string(1, static_cast<char>(c))), want) << "byte " << c;
  }
  EXPECT_EQ(json("\x1b[31m"), R"("\u001b[31m")");
  EXPECT_EQ(json("\x7f"), R"("\u007f")");
  EXPECT_EQ(json(std::string("a\0b", 3)), R"("a\u0000b")");
}

TEST(JsonEscape, LineAndParagraphSeparators) {
  EXPECT_EQ(json("a\xE2\x80\xA8"
                 "b\xE2\x80\xA9"),
            R"("a\u2028b\u2029")");
  EXPECT_EQ(json("\xE2\x80\xA7"), "\"\xE2\x80\xA7\""); // U+2027 is fine
}

TEST(JsonEscape, ValidMultibytePassesThrough) {
  for (const char* s : {"caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xF0\x9F\x9A\x80 go",
                        "\xF4\x8F\xBF\xBF", "\xEF\xBF\xBD", "\xE4\xB8\xAD\xE6\x96\x87"}) {
    EXPECT_EQ(json(s), std::string("\"") + s + "\"") << s;
  }
}

TEST(JsonEscape, InvalidUtf8BecomesReplacementPerByte) {
  struct Case {
    std::string in;
    std::string want;
  };
  const std::string r = kFffd;
  const Case cases[] = {
      {"\x80", r},                         // stray continuation
      {"a\xBFz", "a" + r + "z"},           // stray continuation inside
      {"\xC0\x80", r + r},                 // overlong NUL
      {"\xC1\xBF", r + r},                 // overlong 2-byte
      {"\xE0\x80\xAF", r + r + r},         // overlong 3-byte
      {"\xF0\x80\x80\xAF", r + r + r + r}, // overlong 4-byte
      {"\xED\xA0\x80", r + r + r},         // high surrogate U+D800
      {"\xED\xBF\xBF", r + r + r},         // low surrogate U+DFFF
      {"\xF4\x90\x80\x80", r + r + r + r}, // above U+10FFFF
      {"\xF5\x80", r + r},                 // invalid lead
      {"\xFF\xFE", r + r},                 // invalid leads
      {"\xE2\x82", r + r},                 // truncated at end
      {"\xE2\x82"
       "A",
       r + r + "A"},                    // truncated before ASCII
      {"\xF0\x9F\x98", r + r + r},      // truncated emoji
      {"\xC3", r},                      // truncated 2-byte
      {"\xC3\xA9\xC3", "\xC3\xA9" + r}, // valid then truncated
  };
  for (const Case& c : cases) {
    EXPECT_EQ(json(c.in), "\"" + c.want + "\"") << testing::PrintToString(c.in);
  }
}

TEST(JsonEscape, LongRunsAroundTheWordScanner) {
  // Escapes at every offset of an 8-byte block, with runs before and after.
  for (size_t pos = 0; pos < 24; ++pos) {
    std::string in(40, 'x');
    in[pos] = '"';
    std::string want = "\"" + std::string(pos, 'x') + "\\\"" + std::string(39 - pos, 'x') + "\"";
    EXPECT_EQ(json(in), want) << pos;
    in[pos] = '\x80';
    want = "\"" + std::string(pos, 'x') + kFffd + std::string(39 - pos, 'x') + "\"";
    EXPECT_EQ(json(in), want) << pos;
  }
  // A multi-byte sequence crossing a block boundary.
  std::string in = std::string(6, 'y') + "\xF0\x9F\x98\x80" + std::string(10, 'z');
  EXPECT_EQ(json(in), "\"" + in + "\"");
}

TEST(JsonEscape, AppendsWithoutTouchingExistingContent) {
  std::string out = "prefix:";
  append_json_string(out, "v");
  EXPECT_EQ(out, "prefix:\"v\"");
}

TEST(JsonEscape, RandomBytesAlwaysGiveValidJson) {
  std::mt19937 rng(42);
  for (int iter = 0; iter < 5000; ++iter) {
    std::string in(rng() % 64, '\0');
    const bool ascii_heavy = iter % 2 == 0;
    for (char& ch : in) {
      ch = static_cast<char>(ascii_heavy && rng() % 4 != 0 ? 0x20 + rng() % 0x60 : rng() % 256);
    }
    const std::string out = json(in);
    ASSERT_TRUE(is_valid_utf8(out)) << testing::PrintToString(in);
    for (char ch : out)
      ASSERT_GE(static_cast<unsigned char>(ch), 0x20);
#ifdef OCTAGON_HAVE_NLOHMANN
    const auto parsed = nlohmann::json::parse(out);
    ASSERT_TRUE(parsed.is_string());
    if (is_valid_utf8(in)) {
      EXPECT_EQ(parsed.get<std::string>(), in);
    }
#endif
  }
}

TEST(TerminalSafeEscape, PlainStringsStayRaw) {
  EXPECT_EQ(term(""), "");
  EXPECT_EQ(term("/usr/bin/curl"), "/usr/bin/curl");
  EXPECT_EQ(term("https://ebpf.io/applications/#tetragon"),
            "https://ebpf.io/applications/#tetragon");
  EXPECT_EQ(term("caf\xC3\xA9\xF0\x9F\x98\x80"), "caf\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(term("it's"), "it's");
}

TEST(TerminalSafeEscape, SpaceQuoteAndBackslashQuote) {
  EXPECT_EQ(term("-c ls"), R"("-c ls")");
  EXPECT_EQ(term(R"(-c "curl x")"), R"("-c \"curl x\"")");
  EXPECT_EQ(term(R"(a\b)"), R"("a\\b")");
  EXPECT_EQ(term(R"(say"hi")"), R"("say\"hi\"")");
}

TEST(TerminalSafeEscape, ControlCharactersGoStyle) {
  EXPECT_EQ(term("\a\b\f\n\r\t\v"), R"("\a\b\f\n\r\t\v")");
  EXPECT_EQ(term("\x1b[2J\x1b]0;pwned\x07"), R"("\x1b[2J\x1b]0;pwned\a")");
  EXPECT_EQ(term(std::string("a\0b", 3)), R"("a\x00b")");
  EXPECT_EQ(term("\x01\x1f\x7f"), R"("\x01\x1f\x7f")");
}

TEST(TerminalSafeEscape, InvalidBytesAsHex) {
  EXPECT_EQ(term("\xff"), R"("\xff")");
  EXPECT_EQ(term("ab\xC0\x80"), R"("ab\xc0\x80")");
  EXPECT_EQ(term("\xED\xA0\x80"), R"("\xed\xa0\x80")");
  EXPECT_EQ(term("\xE2\x82"), R"("\xe2\x82")");
  EXPECT_EQ(term("x\xC3\xA9\xC3"), "\"x\xC3\xA9\\xc3\""); // valid é kept, stray lead hex
}

TEST(TerminalSafeEscape, NonPrintableRunes) {
  EXPECT_EQ(term("\xC2\x85"), R"("\u0085")"); // NEL (C1 control)
  EXPECT_EQ(term("a\xC2\xA0"
                 "b"),
            R"("a\u00a0b")"); // no-break space
  EXPECT_EQ(term("evil\xE2\x80\xAE"
                 "txt"),
            R"("evil\u202etxt")");                // RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(term("\xE2\x80\x8B"), R"("\u200b")"); // zero-width space
  EXPECT_EQ(term("\xE2\x80\xA8"), R"("\u2028")");
  EXPECT_EQ(term("\xEF\xBB\xBF"), R"("\ufeff")");         // BOM
  EXPECT_EQ(term("\xF3\xA0\x80\x81"), R"("\U000e0001")"); // LANGUAGE TAG
  EXPECT_EQ(term("\xEE\x80\x80"), R"("\ue000")");         // private use
}

TEST(TerminalSafeEscape, PrintableRuneTable) {
  EXPECT_TRUE(is_printable_rune('a'));
  EXPECT_FALSE(is_printable_rune(0x1B));
  EXPECT_FALSE(is_printable_rune(0x7F));
  EXPECT_FALSE(is_printable_rune(0x9F));
  EXPECT_TRUE(is_printable_rune(0xA1));
  EXPECT_TRUE(is_printable_rune(0x1F680)); // rocket
  EXPECT_TRUE(is_printable_rune(0xFFFD));
  EXPECT_FALSE(is_printable_rune(0xFFFE));
  EXPECT_FALSE(is_printable_rune(0x10FFFF));
}

TEST(TerminalSafeEscape, NeverLetsControlBytesThrough) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 5000; ++iter) {
    std::string in(rng() % 32, '\0');
    for (char& ch : in)
      ch = static_cast<char>(rng() % 256);
    const std::string out = term(in);
    for (char ch : out) {
      const auto c = static_cast<unsigned char>(ch);
      ASSERT_TRUE(c >= 0x20 && c != 0x7F) << testing::PrintToString(in);
    }
    ASSERT_TRUE(is_valid_utf8(out)) << testing::PrintToString(in);
  }
}

} // namespace
} // namespace octagon::exporters
