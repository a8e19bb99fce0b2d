// Tetragon's example policies that Octagon refuses on a kernel that has every kernel-function
// mechanism (Debian 6.1 and 6.12 in the VM tier), because a piece they need is not built yet or
// cannot exist on Debian kernels. Each file is compiled for the running kernel as the agent does
// (the agent exits 1 with this message at start-up); the refusal names the file, the line and the
// missing piece. Compiled in-process: each run of the agent costs seconds under the VM tier's
// emulation. On a kernel without kernel-function hooks (this machine) the refusal names the
// missing mechanism instead: the test then skips (fails where the VM tier promises it).
// docs/examples-matrix.md has the table.
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include <octagon/daemon/tracefs_kernel_facts.h>
#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include "common/kernel_expect.h"

namespace octagon::testing {
namespace {

std::string mechanism_missing(const std::string& err) {
  if (err.find("needs kprobes or BPF trampolines") != std::string::npos) return "kprobe";
  if (err.find("needs BPF trampolines (fentry/fexit)") != std::string::npos) return "fentry";
  if (err.find("needs BPF-LSM") != std::string::npos) return "lsm";
  return "";
}

TEST(KfuncExamplesRefused, RefusedWithTheMissingPiece) {
  if (geteuid() != 0) GTEST_SKIP() << "reading the kernel's tracefs and BTF needs root";
  auto kernel = daemon::TracefsKernelFacts::create();
  ASSERT_TRUE(kernel) << kernel.error().describe();
  struct Case {
    const char* file;
    const char* reason;
  } cases[] = {
      // Override on a syscall needs bpf_override_return (CONFIG_FUNCTION_ERROR_INJECTION), which
      // no Debian kernel has; fmod_ret cannot modify syscalls: refused on every kernel tested.
      {"hardlink-override.yaml", "Override cannot work on this kernel"},
      {"symlink-override.yaml", "Override cannot work on this kernel"},
  };
  std::string missing, why;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    std::ifstream in(std::string(OCTAGON_SOURCE_DIR) + "/tests/fixtures/policies/tetragon-examples/" + c.file);
    std::stringstream text;
    text << in.rdbuf();
    // Refused when parsed (a filter that cannot apply) or when compiled for this kernel.
    auto p = policy::parse_policy(text.str(), c.file);
    std::string err;
    if (!p) {
      err = p.error().message();
    } else {
      auto compiled = policy::compile_policy(*p, **kernel);
      ASSERT_FALSE(compiled) << "loads now: update this test and docs/examples-matrix.md";
      err = compiled.error().message();
    }
    if (std::string m = mechanism_missing(err); !m.empty()) {
      missing = m;
      why = err;
      continue;
    }
    EXPECT_NE(err.find(c.reason), std::string::npos) << err;
    EXPECT_TRUE(std::regex_search(err, std::regex(std::string(c.file) + ":[0-9]+:[0-9]+: "))) << err;
  }
  if (!missing.empty()) OCTAGON_REQUIRE_MECHANISM(missing, false, why);
}

}  // namespace
}  // namespace octagon::testing
