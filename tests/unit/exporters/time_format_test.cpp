#include <octagon/exporters/json/time_format.h>

#include <gtest/gtest.h>

#include <ctime>
#include <string>

namespace octagon::exporters {
namespace {

constexpr uint64_t kSec = 1'000'000'000;

std::string fmt(TimeFormatter& f, uint64_t ns) {
  std::string out;
  f.append(out, ns);
  return out;
}

std::string proto(TimeFormatter& f, uint64_t ns) {
  std::string out;
  f.append_proto(out, ns);
  return out;
}

TEST(TimeFormatter, TetragonExample) {
  TimeFormatter f;
  EXPECT_EQ(fmt(f, 1696629837 * kSec + 700327580), "2023-10-06T22:03:57.700327580Z");
  EXPECT_EQ(fmt(f, 1696629837 * kSec + 700326678), "2023-10-06T22:03:57.700326678Z");
}

TEST(TimeFormatter, Epoch) {
  TimeFormatter f;
  EXPECT_EQ(fmt(f, 0), "1970-01-01T00:00:00.000000000Z");
}

TEST(TimeFormatter, PadsNanoseconds) {
  TimeFormatter f;
  EXPECT_EQ(fmt(f, 1696629837 * kSec + 5), "2023-10-06T22:03:57.000000005Z");
  EXPECT_EQ(fmt(f, 1696629837 * kSec + 50'000), "2023-10-06T22:03:57.000050000Z");
  EXPECT_EQ(fmt(f, 1696629837 * kSec + 999'999'999), "2023-10-06T22:03:57.999999999Z");
}

TEST(TimeFormatter, SecondRolloverInvalidatesCache) {
  TimeFormatter f;
  const uint64_t last = 1704067199 * kSec + 999'999'999; // 2023-12-31T23:59:59.999999999
  EXPECT_EQ(fmt(f, last), "2023-12-31T23:59:59.999999999Z");
  EXPECT_EQ(fmt(f, last + 1), "2024-01-01T00:00:00.000000000Z");
  EXPECT_EQ(fmt(f, last), "2023-12-31T23:59:59.999999999Z"); // going back works too
  EXPECT_EQ(fmt(f, 1696629837 * kSec + 1), "2023-10-06T22:03:57.000000001Z");
  EXPECT_EQ(fmt(f, 1696629838 * kSec + 1), "2023-10-06T22:03:58.000000001Z");
}

TEST(TimeFormatter, LeapDays) {
  TimeFormatter f;
  const uint64_t feb28_2024 = 1709164799; // 2024-02-28T23:59:59
  EXPECT_EQ(fmt(f, (feb28_2024 + 1) * kSec), "2024-02-29T00:00:00.000000000Z");
  EXPECT_EQ(fmt(f, (feb28_2024 + 1 + 86400) * kSec), "2024-03-01T00:00:00.000000000Z");
  EXPECT_EQ(fmt(f, 951825600 * kSec), "2000-02-29T12:00:00.000000000Z"); // 400-year rule
  const uint64_t feb28_2100 = 4107542399;                                // 2100 is not a leap year
  EXPECT_EQ(fmt(f, (feb28_2100 + 1) * kSec), "2100-03-01T00:00:00.000000000Z");
}

TEST(TimeFormatter, LargestValue) {
  TimeFormatter f;
  EXPECT_EQ(fmt(f, ~uint64_t{0}), "2554-07-21T23:34:33.709551615Z");
}

TEST(TimeFormatter, CivilDateMatchesGmtime) {
  for (uint64_t days = 0; days < 200'000; days += 13) {
    const time_t t = static_cast<time_t>(days * 86400);
    struct tm tm {};
    ASSERT_NE(gmtime_r(&t, &tm), nullptr);
    const CivilDate d = civil_from_days(days);
    ASSERT_EQ(d.year, static_cast<uint32_t>(tm.tm_year + 1900)) << days;
    ASSERT_EQ(d.month, static_cast<uint32_t>(tm.tm_mon + 1)) << days;
    ASSERT_EQ(d.day, static_cast<uint32_t>(tm.tm_mday)) << days;
  }
}

TEST(TimeFormatter, ProtoTrimsToThreeSixOrNineDigits) {
  TimeFormatter f;
  const uint64_t s = 1652273685 * kSec; // 2022-05-11T12:54:45
  EXPECT_EQ(proto(f, s), "2022-05-11T12:54:45Z");
  EXPECT_EQ(proto(f, s + 615'000'000), "2022-05-11T12:54:45.615Z");
  EXPECT_EQ(proto(f, s + 1'000'000), "2022-05-11T12:54:45.001Z");
  EXPECT_EQ(proto(f, s + 615'100'000), "2022-05-11T12:54:45.615100Z");
  EXPECT_EQ(proto(f, s + 1'000), "2022-05-11T12:54:45.000001Z");
  EXPECT_EQ(proto(f, s + 615'100'010), "2022-05-11T12:54:45.615100010Z");
  EXPECT_EQ(proto(f, s + 1), "2022-05-11T12:54:45.000000001Z");
}

TEST(TimeFormatter, AppendsToExistingContent) {
  TimeFormatter f;
  std::string out = "t=";
  f.append(out, 0);
  f.append_proto(out, kSec);
  EXPECT_EQ(out, "t=1970-01-01T00:00:00.000000000Z1970-01-01T00:00:01Z");
}

} // namespace
} // namespace octagon::exporters
