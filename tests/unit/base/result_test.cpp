#include <octagon/base/result.h>

#include "test_helpers.h"

namespace octagon {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return make_error(EINVAL, "value must be positive, got " + std::to_string(v));
  return v;
}

Result<int> doubled(int v) {
  OCTAGON_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return x * 2;
}

TEST(Result, ValueAndError) {
  EXPECT_EQ(*doubled(4), 8);
  EXPECT_ERR(doubled(-1), EINVAL, "must be positive, got -1");
}

TEST(Result, WrapChainsContext) {
  Error e(ENOENT, "open /x");
  EXPECT_EQ(e.wrap("load config").message(), "load config -- open /x");
  EXPECT_NE(e.describe().find("No such file"), std::string::npos);
}

}  // namespace
}  // namespace octagon
