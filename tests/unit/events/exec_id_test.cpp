#include <octagon/events/exec_id.h>

#include <gtest/gtest.h>

namespace octagon::events {
namespace {

TEST(ExecId, MatchesTetragonExamples) {
  // Values from Tetragon's documentation (compat reference section 2.1).
  EXPECT_EQ(make_exec_id("", 1, 0), "OjE6MA==");
  EXPECT_EQ(make_exec_id("gke-john-632-default-pool-7041cac0-9s95", 13548674321373, 52699),
            "Z2tlLWpvaG4tNjMyLWRlZmF1bHQtcG9vbC03MDQxY2FjMC05czk1OjEzNTQ4Njc0MzIxMzczOjUyNjk5");
}

TEST(ExecId, Base64Padding) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode(std::string("\xff\x00\x80", 3)), "/wCA");
}

}  // namespace
}  // namespace octagon::events
