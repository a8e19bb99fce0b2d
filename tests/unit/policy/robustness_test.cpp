// Fuzz-ish robustness: cut or damaged policies never crash or throw; they give a policy or an
// EINVAL error that names the source.
#include "test_helpers.h"
#include "unit/policy/policy_test_util.h"

#include <random>

namespace octagon::policy {
namespace {

// The outcome must be a policy or an error in the documented format.
void expect_policy_or_error(const std::string& text, const std::string& name) {
  Result<TracingPolicy> r = parse_policy(text, name);
  if (r.has_value()) {
    EXPECT_EQ(r->source, name);
    return;
  }
  EXPECT_EQ(r.error().code(), EINVAL) << r.error().message();
  EXPECT_EQ(r.error().message().rfind(name + ":", 0), 0u) << r.error().message();
}

std::vector<std::string> corpus() {
  std::vector<std::string> paths;
  for (const char* sub : {"tetragon-examples", "malformed"}) {
    const std::string dir = testing::fixtures_dir() + "/" + sub;
    for (const std::string& f : testing::yaml_files(dir))
      paths.push_back(dir + "/" + f);
  }
  return paths;
}

TEST(PolicyRobustnessTest, TruncatedAtEverySeventhByte) {
  size_t parses = 0;
  for (const std::string& path : corpus()) {
    const std::string text = testing::read_text(path);
    ASSERT_FALSE(text.empty()) << path;
    for (size_t len = 0; len <= text.size(); len += 7) {
      SCOPED_TRACE(path + " truncated to " + std::to_string(len));
      expect_policy_or_error(text.substr(0, len), "cut.yaml");
      ++parses;
    }
  }
  EXPECT_GT(parses, 1000u);
}

TEST(PolicyRobustnessTest, DamagedBytes) {
  std::mt19937 rng(20240603); // fixed seed: reproducible
  const char kNasty[] = {':', '-', '[', ']', '{', '}', '"', '\'', ' ',  '\n',   '\t', '&',
                         '*', '!', '|', '>', '#', '%', '@', '`',  '\0', '\xff', 'x',  '0'};
  for (const std::string& path : corpus()) {
    const std::string text = testing::read_text(path);
    for (int round = 0; round < 40; ++round) {
      std::string damaged = text;
      for (int k = 0; k < 3; ++k) {
        damaged[rng() % damaged.size()] = kNasty[rng() % sizeof(kNasty)];
      }
      SCOPED_TRACE(path + " round " + std::to_string(round));
      expect_policy_or_error(damaged, "damaged.yaml");
    }
  }
}

TEST(PolicyRobustnessTest, HostileShapes) {
  const std::vector<std::string> inputs = {
      "",
      "\xef\xbb\xbf",
      "---\n---\n",
      "[]",
      "42",
      "~",
      "apiVersion: [cilium.io/v1alpha1]",
      "a: &a [*a]",
      testing::policy_yaml("  kprobes: &k\n  - call: sys_read\n    args: [{index: 0, type: int}]\n"
                           "  fentries: *k\n"),
      testing::policy_yaml("  kprobes:\n  - call: sys_read\n    selectors:\n    - matchArgs:\n"
                           "      - {index: 0, operator: Equal, values: [{a: b}]}\n"),
      testing::policy_yaml("  kprobes:\n  -\n  - call: x\n"),
      testing::policy_yaml("  selectorsMacros: [a, b]\n  loader: true\n"),
      testing::policy_yaml("  kprobes:\n  - call: sys_read\n    args:\n    - index: -1\n"
                           "      type: int\n"),
      testing::policy_yaml("  kprobes:\n  - call: sys_read\n    args:\n    - index: 99999999999\n"
                           "      type: int\n"),
      testing::policy_yaml("  " + std::string(10000, '[') + "\n"),
      testing::policy_yaml("  kprobes:\n  - &k {call: x, <<: *k}\n"),
      testing::policy_yaml("  kprobes:\n  - &k\n    call: x\n    selectors: [*k]\n"),
  };
  for (const std::string& in : inputs) {
    SCOPED_TRACE(in.substr(0, 80));
    expect_policy_or_error(in, "hostile.yaml");
  }
}

} // namespace
} // namespace octagon::policy
