// load_policy_file / load_policy_dir, number syntaxes and the diagnostics helpers.
#include "test_helpers.h"
#include "unit/policy/policy_test_util.h"

#include <octagon/policy/numbers.h>

#include <filesystem>

namespace octagon::policy {
namespace {

using testing::policy_yaml;
using testing::TempDir;

std::vector<std::string> names(const std::vector<TracingPolicy>& ps) {
  std::vector<std::string> out;
  for (const TracingPolicy& p : ps)
    out.push_back(p.name);
  return out;
}

TEST(PolicyFilesTest, MissingFileIsENOENT) {
  EXPECT_ERR(load_policy_file("/nonexistent/policy.yaml"), ENOENT, "/nonexistent/policy\\.yaml");
  TempDir dir;
  EXPECT_ERR(load_policy_file(dir.path()), EISDIR, "is a directory");
}

TEST(PolicyFilesTest, DirectoryOneLevelDeepSorted) {
  TempDir dir;
  dir.write("b.yaml", policy_yaml("  loader: true\n", "b"));
  dir.write("a.yml", policy_yaml("  loader: true\n", "a"));
  dir.write("sub/c.yaml", policy_yaml("  loader: true\n", "c"));
  dir.write("sub/deeper/d.yaml", policy_yaml("  loader: true\n", "d")); // two levels: skipped
  dir.write(".hidden.yaml", "not: [a policy");                          // hidden: skipped
  dir.write("..data/e.yaml", policy_yaml("  loader: true\n", "e"));     // ConfigMap internals
  dir.write("notes.txt", "not a policy");
  dir.write("Z.yaml", policy_yaml("  loader: true\n", "z"));
  Result<std::vector<TracingPolicy>> r = load_policy_dir(dir.path());
  ASSERT_OK(r);
  // Byte order of relative paths: "Z.yaml" < "a.yml" < "b.yaml" < "sub/c.yaml".
  EXPECT_EQ(names(*r), (std::vector<std::string>{"z", "a", "b", "c"}));
  EXPECT_EQ(r->at(3).source, dir.path() + "/sub/c.yaml");
}

TEST(PolicyFilesTest, SymlinkedFilesAreFollowed) {
  TempDir dir;
  dir.write("store/real.yaml", policy_yaml("  loader: true\n", "linked"));
  std::filesystem::create_directories(dir.path() + "/policies");
  std::filesystem::create_symlink(dir.path() + "/store/real.yaml",
                                  dir.path() + "/policies/link.yaml");
  Result<std::vector<TracingPolicy>> r = load_policy_dir(dir.path() + "/policies");
  ASSERT_OK(r);
  EXPECT_EQ(names(*r), std::vector<std::string>{"linked"});
}

TEST(PolicyFilesTest, DirectoryErrors) {
  EXPECT_ERR(load_policy_dir("/nonexistent-policy-dir"), ENOENT, "not a readable directory");
  TempDir dup;
  dup.write("one.yaml", policy_yaml("  loader: true\n", "same"));
  dup.write("two.yaml", policy_yaml("  loader: true\n", "same"));
  EXPECT_ERR(load_policy_dir(dup.path()), EINVAL,
             "two\\.yaml:4:9: metadata\\.name: policy name 'same' is already used by .*one\\.yaml");
  TempDir bad;
  bad.write("ok.yaml", policy_yaml("  loader: true\n", "ok"));
  bad.write("sub/broken.yaml", policy_yaml("  loadr: true\n", "broken"));
  EXPECT_ERR(load_policy_dir(bad.path()), EINVAL,
             "sub/broken\\.yaml:6:3: spec\\.loadr: unknown field 'loadr'; hint: did you mean "
             "'loader'\\?");
  TempDir empty;
  Result<std::vector<TracingPolicy>> none = load_policy_dir(empty.path());
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TEST(PolicyNumbersTest, IntegerSyntaxes) {
  EXPECT_EQ(parse_int64("42"), 42);
  EXPECT_EQ(parse_int64("-42"), -42);
  EXPECT_EQ(parse_int64("+7"), 7);
  EXPECT_EQ(parse_int64("0x1F"), 31);
  EXPECT_EQ(parse_int64("0X1f"), 31);
  EXPECT_EQ(parse_int64("010"), 8);
  EXPECT_EQ(parse_int64("0"), 0);
  EXPECT_EQ(parse_int64("-9223372036854775808"), INT64_MIN);
  EXPECT_FALSE(parse_int64("9223372036854775808"));
  EXPECT_FALSE(parse_int64("08"));
  EXPECT_FALSE(parse_int64("0x"));
  EXPECT_FALSE(parse_int64(""));
  EXPECT_FALSE(parse_int64("12a"));
  EXPECT_FALSE(parse_int64(" 1"));
  EXPECT_EQ(parse_uint64("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(parse_uint64("18446744073709551616"));
  EXPECT_FALSE(parse_uint64("-1"));
}

TEST(PolicyNumbersTest, RangesAndRateLimits) {
  auto r = parse_range("-5:0x10", true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->min_signed, -5);
  EXPECT_EQ(r->max_signed, 16);
  EXPECT_FALSE(parse_range("5:1", true));
  EXPECT_FALSE(parse_range("5", true));
  EXPECT_FALSE(parse_range("a:b", false));
  EXPECT_EQ(parse_rate_limit("30")->window_seconds, 30u);
  EXPECT_EQ(parse_rate_limit("30s")->window_seconds, 30u);
  EXPECT_EQ(parse_rate_limit("1m")->window_seconds, 60u);
  EXPECT_EQ(parse_rate_limit("2H")->window_seconds, 7200u);
  EXPECT_EQ(parse_rate_limit("1m")->events_per_window, 1u);
  EXPECT_EQ(parse_rate_limit("1m")->text, "1m");
  for (const char* bad : {"", "0", "m", "1d", "-1m", "1.5m", "1 m", "99999999999"}) {
    EXPECT_FALSE(parse_rate_limit(bad)) << bad;
  }
  EXPECT_EQ(parse_yaml_bool("Yes"), true);
  EXPECT_EQ(parse_yaml_bool("OFF"), false);
  EXPECT_FALSE(parse_yaml_bool("1"));
  EXPECT_EQ(parse_go_bool("1"), true);
  EXPECT_EQ(parse_go_bool("F"), false);
  EXPECT_FALSE(parse_go_bool("yes"));
}

TEST(PolicyNumbersTest, CapabilitiesAndSuggestions) {
  EXPECT_EQ(parse_capability("CAP_SYS_ADMIN"), 21);
  EXPECT_EQ(parse_capability("cap_bpf"), 39);
  EXPECT_EQ(parse_capability("NET_RAW"), 13);
  EXPECT_FALSE(parse_capability("CAP_FLY"));
  EXPECT_EQ(capability_name(40), "CAP_CHECKPOINT_RESTORE");
  EXPECT_EQ(capability_name(41), "?");
  EXPECT_EQ(closest_name("selectrs", {"selectors", "args"}), "selectors");
  EXPECT_EQ(closest_name("MATCHPIDS", {"matchPIDs", "matchArgs"}), "matchPIDs");
  EXPECT_EQ(closest_name("zzzzzz", {"selectors", "args"}), "");
  EXPECT_EQ(suggest("q", {"In", "NotIn"}), "expected one of: In, NotIn");
}

TEST(PolicyNumbersTest, DiagnosticFormat) {
  SourcePos pos{"spec.kprobes[0]", Mark{3, 5}, {{"call", Mark{4, 11}}}};
  EXPECT_TRUE(has_field(pos, "call"));
  EXPECT_FALSE(has_field(pos, "args"));
  EXPECT_EQ(format_diagnostic("f.yaml", field_pos(pos, "call"), "bad", "fix it"),
            "f.yaml:4:11: spec.kprobes[0].call: bad; hint: fix it");
  EXPECT_EQ(format_diagnostic("f.yaml", field_pos(pos, "args"), "missing"),
            "f.yaml:3:5: spec.kprobes[0].args: missing");
  EXPECT_EQ(format_diagnostic("f.yaml", SourcePos{}, "empty"), "f.yaml: empty");
  Error e = policy_error("f.yaml", pos, "x");
  EXPECT_EQ(e.code(), EINVAL);
}

} // namespace
} // namespace octagon::policy
