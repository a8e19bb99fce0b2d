#include <octagon/metrics/exposition.h>

#include <gtest/gtest.h>

#include "common/metrics_text.h"

namespace octagon::metrics {
namespace {

TEST(Exposition, EscapesLabelValues) {
  std::string out;
  append_label_value(out, "a\\b\"c\nd}e,f=g");
  EXPECT_EQ(out, "a\\\\b\\\"c\\nd}e,f=g");
}

TEST(Exposition, EscapesHelpText) {
  std::string out;
  append_help_text(out, "back\\slash\nnew \"quoted\"");
  EXPECT_EQ(out, "back\\\\slash\\nnew \"quoted\"");  // quotes stay as they are in HELP
}

TEST(Exposition, WritesHelpTypeAndSamples) {
  ExpositionWriter w;
  w.family("x_events_total", MetricType::kCounter, "Events\nseen");
  w.sample({{"type", "exec"}}, uint64_t{3});
  w.sample({{"type", "exit"}, {"node", "n1"}}, uint64_t{18446744073709551615ull});
  w.family("x_size", MetricType::kGauge, "Size");
  w.sample(uint64_t{7});
  w.family("x_seconds_total", MetricType::kCounter, "Time");
  w.sample({}, 0.25);
  EXPECT_EQ(w.error(), "");
  EXPECT_EQ(w.text(),
            "# HELP x_events_total Events\\nseen\n"
            "# TYPE x_events_total counter\n"
            "x_events_total{type=\"exec\"} 3\n"
            "x_events_total{type=\"exit\",node=\"n1\"} 18446744073709551615\n"
            "# HELP x_size Size\n"
            "# TYPE x_size gauge\n"
            "x_size 7\n"
            "# HELP x_seconds_total Time\n"
            "# TYPE x_seconds_total counter\n"
            "x_seconds_total 0.25\n");
}

TEST(Exposition, HostileLabelValuesStayOneSample) {
  ExpositionWriter w;
  w.family("x_policy_total", MetricType::kCounter, "p");
  const std::string evil = "p\"} 1\nx_injected_total 99\n# \\";
  w.sample({{"policy", evil}}, uint64_t{5});
  auto parsed = octagon::testing::parse_metrics_text(w.text());
  ASSERT_EQ(parsed.error, "") << w.text();
  ASSERT_EQ(parsed.samples.size(), 1u) << w.text();
  EXPECT_EQ(parsed.samples[0].labels.at("policy"), evil);
  EXPECT_EQ(parsed.samples[0].value, 5);
  EXPECT_EQ(parsed.count("x_injected_total"), 0u);
}

TEST(Exposition, RefusesCounterWithoutTotalSuffix) {
  ExpositionWriter w;
  w.family("x_events", MetricType::kCounter, "bad");
  w.sample(uint64_t{1});
  EXPECT_NE(w.error().find("_total"), std::string::npos);
  EXPECT_EQ(w.text(), "");
}

TEST(Exposition, RefusesDuplicateFamiliesAndBadNames) {
  ExpositionWriter w;
  w.family("x_total", MetricType::kCounter, "a");
  w.family("x_total", MetricType::kCounter, "again");
  w.sample(uint64_t{1});
  EXPECT_NE(w.error().find("twice"), std::string::npos);
  EXPECT_EQ(w.text().find("again"), std::string::npos);
  EXPECT_FALSE(valid_metric_name("1abc"));
  EXPECT_FALSE(valid_metric_name("a-b"));
  EXPECT_TRUE(valid_metric_name("a:b_c9"));
  EXPECT_FALSE(valid_label_name("a:b"));
  EXPECT_FALSE(valid_label_name("__name__"));
  EXPECT_TRUE(valid_label_name("policy"));
}

}  // namespace
}  // namespace octagon::metrics
