// Result<T>: a small project-owned subset of std::expected (see docs/coding_guidelines.md).
#pragma once

#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace octagon {

// An error: an errno-style code plus a human-readable context chain ("outer -- inner").
class Error {
 public:
  Error() = default;
  Error(int err, std::string message) : code_(err, std::generic_category()), message_(std::move(message)) {}
  explicit Error(std::string message) : code_(EINVAL, std::generic_category()), message_(std::move(message)) {}

  int code() const { return code_.value(); }
  const std::string& message() const { return message_; }

  // Adds outer context: "outer -- inner".
  Error wrap(const std::string& outer) const& {
    Error e = *this;
    e.message_ = outer + " -- " + message_;
    return e;
  }

  // Message plus strerror when the code carries information beyond EINVAL.
  std::string describe() const {
    if (code_.value() == 0 || code_.value() == EINVAL) return message_;
    return message_ + ": " + code_.message();
  }

 private:
  std::error_code code_;
  std::string message_;
};

struct Unexpected {
  Error error;
};
inline Unexpected make_error(int err, std::string msg) { return Unexpected{Error(err, std::move(msg))}; }
inline Unexpected make_error(Error e) { return Unexpected{std::move(e)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Unexpected u) : err_(std::move(u.error)), ok_(false) {}  // NOLINT
  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return err_; }

 private:
  Error err_;
  bool ok_ = true;
};

inline Result<void> ok() { return {}; }

}  // namespace octagon

// Propagates an error from a Result-returning expression.
#define OCTAGON_TRY(expr)                                          \
  do {                                                             \
    auto&& octagon_try_r_ = (expr);                                \
    if (!octagon_try_r_) return ::octagon::make_error(octagon_try_r_.error()); \
  } while (0)

#define OCTAGON_CONCAT_INNER(a, b) a##b
#define OCTAGON_CONCAT(a, b) OCTAGON_CONCAT_INNER(a, b)
// Assigns the value of a Result-returning expression or propagates its error.
#define OCTAGON_ASSIGN_OR_RETURN(lhs, expr)                                       \
  auto OCTAGON_CONCAT(octagon_r_, __LINE__) = (expr);                            \
  if (!OCTAGON_CONCAT(octagon_r_, __LINE__))                                     \
    return ::octagon::make_error(OCTAGON_CONCAT(octagon_r_, __LINE__).error()); \
  lhs = std::move(OCTAGON_CONCAT(octagon_r_, __LINE__).value())
