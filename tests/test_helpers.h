// Shared gtest helpers for Result<T>.
#pragma once

#include <gtest/gtest.h>

#include <regex>
#include <string>

#define EXPECT_OK(expr)                                                        \
  do {                                                                         \
    auto&& octagon_r_ = (expr);                                                \
    EXPECT_TRUE(octagon_r_.has_value()) << octagon_r_.error().describe();     \
  } while (0)

#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    auto&& octagon_r_ = (expr);                                                \
    ASSERT_TRUE(octagon_r_.has_value()) << octagon_r_.error().describe();     \
  } while (0)

// Expects an error with the given errno code whose message matches the regex.
#define EXPECT_ERR(expr, err, re)                                                              \
  do {                                                                                         \
    auto&& octagon_r_ = (expr);                                                                \
    ASSERT_FALSE(octagon_r_.has_value());                                                      \
    EXPECT_EQ(octagon_r_.error().code(), (err)) << octagon_r_.error().describe();              \
    EXPECT_TRUE(std::regex_search(octagon_r_.error().message(), std::regex(re)))               \
        << "message: " << octagon_r_.error().message();                                        \
  } while (0)
