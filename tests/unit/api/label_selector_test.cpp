// Kubernetes label selector parser and matcher (src/api/label_selector.h).
#include <octagon/api/label_selector.h>

#include <cerrno>
#include <map>

#include <gtest/gtest.h>

namespace octagon::api {
namespace {

using Labels = std::map<std::string, std::string>;

bool sel(const std::string& text, const Labels& labels) {
  auto s = LabelSelector::parse(text);
  EXPECT_TRUE(s.has_value()) << text << ": " << (s ? "" : s.error().message());
  return s && s->matches(labels);
}

TEST(LabelSelector, EqualityForms) {
  const Labels l{{"app", "web"}, {"tier", "front"}};
  EXPECT_TRUE(sel("app=web", l));
  EXPECT_TRUE(sel("app==web", l));
  EXPECT_FALSE(sel("app=db", l));
  EXPECT_FALSE(sel("missing=web", l));
  EXPECT_TRUE(sel("app!=db", l));
  EXPECT_FALSE(sel("app!=web", l));
  EXPECT_TRUE(sel("missing!=x", l)) << "!= matches an absent key";
  EXPECT_TRUE(sel(" app = web , tier == front ", l)) << "whitespace and AND";
  EXPECT_FALSE(sel("app=web,tier=back", l));
  EXPECT_TRUE(sel("empty=", Labels{{"empty", ""}}));
  EXPECT_FALSE(sel("empty=", l));
}

TEST(LabelSelector, SetsAndExistence) {
  const Labels l{{"env", "prod"}, {"team", "a"}};
  EXPECT_TRUE(sel("env in (prod, staging)", l));
  EXPECT_FALSE(sel("env in (dev,staging)", l));
  EXPECT_FALSE(sel("missing in (x)", l));
  EXPECT_TRUE(sel("env notin (dev)", l));
  EXPECT_FALSE(sel("env notin (dev,prod)", l));
  EXPECT_TRUE(sel("missing notin (x)", l)) << "notin matches an absent key";
  EXPECT_TRUE(sel("team", l));
  EXPECT_FALSE(sel("owner", l));
  EXPECT_TRUE(sel("!owner", l));
  EXPECT_FALSE(sel("!team", l));
  EXPECT_TRUE(sel("team,!owner,env in (prod)", l));
  EXPECT_TRUE(sel("example.com/role", Labels{{"example.com/role", "x"}}));
}

TEST(LabelSelector, Comparisons) {
  EXPECT_TRUE(sel("replicas>2", Labels{{"replicas", "3"}}));
  EXPECT_FALSE(sel("replicas>3", Labels{{"replicas", "3"}}));
  EXPECT_TRUE(sel("replicas<4", Labels{{"replicas", "3"}}));
  EXPECT_FALSE(sel("replicas<4", Labels{{"replicas", "many"}}));
  EXPECT_FALSE(sel("replicas<4", Labels{}));
}

TEST(LabelSelector, EmptySelectsEverything) {
  auto s = LabelSelector::parse("  ");
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->selects_everything());
  EXPECT_TRUE(s->matches(Labels{}));
}

TEST(LabelSelector, BadSyntaxNamesTheSelectorAndTheProblem) {
  struct Case {
    const char* text;
    const char* says;
  };
  const Case cases[] = {
      {"!@#$%", "invalid label key '@#$%'"},
      {"app in ()", "can't be empty"},
      {"app in (a,b", "missing ')'"},
      {"app in a", "expected '('"},
      {"app=web,", "expected a requirement after ','"},
      {"app=web tier=x", "expected ',' or the end"},
      {"app ~ web", "expected one of: in, notin, =, ==, !=, >, <"},
      {"app=-bad-", "invalid label value '-bad-'"},
      {"replicas>x", "must be an integer"},
      {"Bad_Prefix.COM/x=1", "prefix must be a lowercase DNS subdomain"},
      {"=web", "expected a label key"},
      {"!app=web", "after '!app'"},
      {"a234567890123456789012345678901234567890123456789012345678901234=x", "at most 63"},
  };
  for (const Case& c : cases) {
    auto s = LabelSelector::parse(c.text);
    ASSERT_FALSE(s.has_value()) << c.text;
    EXPECT_EQ(s.error().code(), EINVAL);
    const std::string& m = s.error().message();
    EXPECT_NE(m.find(std::string("invalid label selector '") + c.text + "'"), std::string::npos) << m;
    EXPECT_NE(m.find(c.says), std::string::npos) << c.text << ": " << m;
  }
}

} // namespace
} // namespace octagon::api
