#include <octagon/daemon/option_values.h>

#include <cerrno>

#include "test_helpers.h"

namespace octagon::daemon {
namespace {

TEST(OptionValuesConfig, Sizes) {
  EXPECT_EQ(*parse_size("0", 0, ~0ull), 0u);
  EXPECT_EQ(*parse_size("4096", 0, ~0ull), 4096u);
  EXPECT_EQ(*parse_size("8M", 0, ~0ull), 8u << 20);
  EXPECT_EQ(*parse_size("8m", 0, ~0ull), 8u << 20);
  EXPECT_EQ(*parse_size("8MiB", 0, ~0ull), 8u << 20);
  EXPECT_EQ(*parse_size("8MB", 0, ~0ull), 8u << 20);
  EXPECT_EQ(*parse_size("64k", 0, ~0ull), 64u << 10);
  EXPECT_EQ(*parse_size("2G", 0, ~0ull), 2ull << 30);
  EXPECT_EQ(*parse_size("100b", 0, ~0ull), 100u);
  EXPECT_ERR(parse_size("", 0, 10), EINVAL, "^'' is not a size");
  EXPECT_ERR(parse_size("M", 0, 10), EINVAL, "is not a size");
  EXPECT_ERR(parse_size("8 M", 0, ~0ull), EINVAL, "is not a size");
  EXPECT_ERR(parse_size("8T", 0, ~0ull), EINVAL, "is not a size");
  EXPECT_ERR(parse_size("8MiBs", 0, ~0ull), EINVAL, "is not a size");
  EXPECT_ERR(parse_size(std::string_view("8\0", 2), 0, ~0ull), EINVAL, "is not a size");
  EXPECT_ERR(parse_size("5K", 0, 4096), ERANGE, "^'5K' is out of range \\(allowed 0\\.\\.4K\\)$");
}

TEST(OptionValuesConfig, Numbers) {
  EXPECT_EQ(*parse_uint("18446744073709551615", 0, ~0ull), ~0ull);
  EXPECT_ERR(parse_uint("18446744073709551616", 0, ~0ull), ERANGE, "out of range");
  EXPECT_ERR(parse_uint("+1", 0, 10), EINVAL, "^'\\+1' is not a number$");
  EXPECT_ERR(parse_uint("1.5", 0, 10), EINVAL, "is not a number");
  EXPECT_ERR(parse_uint("", 0, 10), EINVAL, "is not a number");
}

TEST(OptionValuesConfig, DurationsModesBools) {
  EXPECT_EQ(*parse_duration_seconds("90", 0, 86400), 90u);
  EXPECT_EQ(*parse_duration_seconds("2h", 0, 86400), 7200u);
  EXPECT_ERR(parse_duration_seconds("10ms", 0, 86400), EINVAL, "not a duration");
  EXPECT_EQ(*parse_octal_mode("600"), 0600u);
  EXPECT_EQ(*parse_octal_mode("0644"), 0644u);
  EXPECT_ERR(parse_octal_mode(""), EINVAL, "not an octal file mode");
  EXPECT_ERR(parse_octal_mode("00600"), EINVAL, "not an octal file mode");
  for (const char* t : {"true", "TRUE", "1", "yes", "on"}) EXPECT_TRUE(*parse_bool(t)) << t;
  for (const char* f : {"false", "False", "0", "no", "off"}) EXPECT_FALSE(*parse_bool(f)) << f;
  EXPECT_ERR(parse_bool(""), EINVAL, "is not a boolean");
}

TEST(OptionValuesConfig, FormatAndSuggest) {
  EXPECT_EQ(format_size(4096), "4K");
  EXPECT_EQ(format_size(1u << 30), "1G");
  EXPECT_EQ(format_size(12u << 20), "12M");
  EXPECT_EQ(format_size(1000), "1000");
  EXPECT_EQ(format_size(0), "0");
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  const std::string_view names[] = {"rb-size", "rb-queue-size", "procfs"};
  EXPECT_EQ(closest_name("rbsize", names), "rb-size");
  EXPECT_EQ(closest_name("proc", names), "procfs");
  EXPECT_EQ(closest_name("completely-different", names), "");
}

}  // namespace
}  // namespace octagon::daemon
