// Builders for policy-event test data. events::Argument has default member initializers, and
// GCC's -Wextra warns (-Wmissing-field-initializers) on designated initializers that skip some,
// hence a small fluent builder: Arg(K::kFile).s("/etc/passwd").permission("-rw-r--r--").
#pragma once

#include <octagon/events/policy_event.h>

#include <cstdint>
#include <string>
#include <utility>

namespace octagon::exporters::fixtures {

using K = events::Argument::Kind;

class Arg {
public:
  explicit Arg(K kind) { a_.kind = kind; }
  Arg& i(int64_t v) {
    a_.i = v;
    return *this;
  }
  Arg& u(uint64_t v) {
    a_.u = v;
    return *this;
  }
  Arg& s(std::string v) {
    a_.s = std::move(v);
    return *this;
  }
  Arg& mount(std::string v) {
    a_.mount = std::move(v);
    return *this;
  }
  Arg& flags(std::string v) {
    a_.flags = std::move(v);
    return *this;
  }
  Arg& permission(std::string v) {
    a_.permission = std::move(v);
    return *this;
  }
  Arg& family(std::string v) {
    a_.family = std::move(v);
    return *this;
  }
  Arg& label(std::string v) {
    a_.label = std::move(v);
    return *this;
  }
  operator events::Argument() const { return a_; } // NOLINT: implicit by design
  const events::Argument& get() const { return a_; }

private:
  events::Argument a_;
};

} // namespace octagon::exporters::fixtures
