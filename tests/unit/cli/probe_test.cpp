#include <octagon/cli/probe.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace octagon::cli {
namespace {

// A kernel with everything but BPF-LSM and kprobes.
class FakeProbe : public bpf::FeatureProbe {
 protected:
  bpf::Probe run(bpf::Feature f) override {
    if (f == bpf::Feature::kLsm) return {false, "lsm not in \"lsm=\" boot list\nsecond line"};
    if (f == bpf::Feature::kKprobe) return {false, "perf_event_open: ENOENT"};
    return {true, std::string("fake ") + bpf::feature_name(f)};
  }
};

TEST(Probe, TextReportHasOneLinePerFeature) {
  FakeProbe p;
  std::string out = probe_report_text(p, "6.18.0-test", "x86_64", true);
  EXPECT_EQ(out.rfind("kernel 6.18.0-test (x86_64)\n", 0), 0u) << out;
  EXPECT_NE(out.find("ringbuf         yes "), std::string::npos) << out;
  EXPECT_NE(out.find("lsm             no  "), std::string::npos) << out;
  EXPECT_NE(out.find("kprobe          no  "), std::string::npos) << out;
  EXPECT_EQ(out.find("not root"), std::string::npos);
  // The detail's newline is made visible, not printed: one line per feature.
  EXPECT_EQ(out.find("\nsecond line"), std::string::npos) << out;
  EXPECT_NE(probe_report_text(p, "r", "m", false).find("not root"), std::string::npos);
}

TEST(Probe, JsonReport) {
  FakeProbe p;
  auto j = nlohmann::json::parse(probe_report_json(p, "6.18.0-test", "x86_64", false));
  EXPECT_EQ(j["kernel"], "6.18.0-test");
  EXPECT_EQ(j["privileged"], false);
  ASSERT_EQ(j["features"].size(), 13u);  // fmod_ret, override_return, ima_hash and kprobe_multi included
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& f : j["features"]) by_name[f["name"]] = f;
  EXPECT_EQ(by_name["ringbuf"]["ok"], true);
  EXPECT_EQ(by_name["kprobe_multi"]["ok"], true);
  EXPECT_EQ(by_name["lsm"]["ok"], false);
  EXPECT_EQ(by_name["lsm"]["detail"], "lsm not in \"lsm=\" boot list\nsecond line");
  EXPECT_TRUE(j["bpf_stats_enabled"].is_boolean());
}

}  // namespace
}  // namespace octagon::cli
