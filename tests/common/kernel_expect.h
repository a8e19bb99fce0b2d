// What the test environment promises about the running kernel, so that a test needing a kernel
// mechanism can skip where the mechanism is missing but fail where it must be present.
//
// The VM tier (scripts/vm-tests.sh) boots known Debian kernels and sets, inside the guest:
//   OCTAGON_EXPECT_FEATURES  comma-separated mechanisms the kernel has (e.g. kprobe,fentry,lsm)
//   OCTAGON_EXPECT_MISSING   comma-separated mechanisms it lacks (e.g. override_return)
//   OCTAGON_VM_KERNEL        the guest's kernel release
// Names are bpf::feature_name() values plus mechanism names the probe does not cover yet
// (kretprobe, fexit, fmod_ret, kprobe_multi, override_return, fmod_ret_syscall: fmod_ret on the
// arch syscall functions). Elsewhere nothing is promised.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <string_view>

namespace octagon::testing {

enum class KernelExpect { kUnknown, kPresent, kMissing };

inline bool env_list_has(const char* var, std::string_view name) {
  const char* v = std::getenv(var);
  if (!v) return false;
  std::string_view list(v);
  while (!list.empty()) {
    size_t comma = list.find(',');
    if (list.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

inline KernelExpect kernel_expect(std::string_view mechanism) {
  if (env_list_has("OCTAGON_EXPECT_FEATURES", mechanism)) return KernelExpect::kPresent;
  if (env_list_has("OCTAGON_EXPECT_MISSING", mechanism)) return KernelExpect::kMissing;
  return KernelExpect::kUnknown;
}

inline std::string vm_kernel() {
  const char* v = std::getenv("OCTAGON_VM_KERNEL");
  return v ? v : "the host kernel";
}

}  // namespace octagon::testing

// Continues when `available` is true; otherwise fails if the environment promised `mechanism`,
// else skips with `reason`. Fails as well when a mechanism promised missing is available, since
// then the test's picture of the kernel is wrong.
#define OCTAGON_REQUIRE_MECHANISM(mechanism, available, reason)                                  \
  do {                                                                                            \
    auto octagon_expect_ = ::octagon::testing::kernel_expect(mechanism);                          \
    if (available) {                                                                              \
      if (octagon_expect_ == ::octagon::testing::KernelExpect::kMissing)                          \
        FAIL() << (mechanism) << " is available on " << ::octagon::testing::vm_kernel()           \
               << ", but OCTAGON_EXPECT_MISSING says it is not";                                  \
      break;                                                                                      \
    }                                                                                             \
    if (octagon_expect_ == ::octagon::testing::KernelExpect::kPresent)                            \
      FAIL() << (mechanism) << " must work on " << ::octagon::testing::vm_kernel()                \
             << " (OCTAGON_EXPECT_FEATURES) but is unavailable: " << (reason);                    \
    GTEST_SKIP() << (mechanism) << " unavailable on " << ::octagon::testing::vm_kernel() << ": " \
                 << (reason);                                                                     \
  } while (0)
