#include <octagon/daemon/status.h>

#include <gtest/gtest.h>

#if __has_include(<nlohmann/json.hpp>)
#include <nlohmann/json.hpp>
#define OCTAGON_HAVE_NLOHMANN 1
#endif

namespace octagon::daemon {
namespace {

StatusSnapshot sample() {
  StatusSnapshot s;
  s.uptime_ns = 5'000'000'000ull;
  s.kernel_missed[OCT_MSG_EXEC][OCT_MISS_RB_FULL] = 3;
  s.kernel_missed[OCT_MSG_EXIT][OCT_MISS_NO_HEAP] = 1;
  s.kernel_missed[OCT_MSG_EXEC][OCT_MISS_READ] = 7;  // flagged, not lost
  s.decode_errors = 2;
  ExporterSnapshot out;
  out.name = "stdout";
  out.stats = {10, 4, 6, 1, 5, 100, 1};
  out.filtered = 9;     // not a loss
  out.rate_limited = 3;
  s.exporters.push_back(out);
  ExporterSnapshot file;
  file.name = "file:/var/log/\"x\".log";
  file.stats = {10, 0, 10, 0, 0, 200, 1};
  s.exporters.push_back(file);
  return s;
}

TEST(Status, TotalsAddUpEveryLossCounter) {
  StatusSnapshot s = sample();
  EXPECT_EQ(s.kernel_lost(), 4u);               // ring full + no scratch; read errors are flags
  // decode errors + queue full + lost in writes + rate limited; filtered events are not lost
  EXPECT_EQ(s.user_dropped(), 2u + 4u + 5u + 3u);
}

TEST(Status, RendersOneJsonObject) {
  std::string line = render_status_json(sample());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("\"kernel_lost\":4"), std::string::npos) << line;
  EXPECT_NE(line.find("\"exec\":{\"ringbuf_full\":3"), std::string::npos) << line;
  EXPECT_NE(line.find("\"name\":\"file:/var/log/\\\"x\\\".log\""), std::string::npos) << line;
#ifdef OCTAGON_HAVE_NLOHMANN
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["status"]["uptime_seconds"], 5);
  EXPECT_EQ(j["status"]["exporters"][0]["dropped_queue_full"], 4);
  EXPECT_EQ(j["status"]["totals"]["user_dropped"], 14);
  EXPECT_EQ(j["status"]["exporters"][0]["export_filtered"], 9);
  EXPECT_EQ(j["status"]["exporters"][0]["rate_limited"], 3);
#endif
}

}  // namespace
}  // namespace octagon::daemon
