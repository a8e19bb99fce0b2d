// The fixture of the VM-tier example tests (suite KfuncExamples): Tetragon's example policies
// from tests/fixtures/policies/tetragon-examples, loaded by the real `octagon agent`. Where the
// running kernel lacks the kernel-function mechanism a policy needs, the agent refuses it and the
// test skips with that reason (or fails, when the VM tier promises the mechanism:
// tests/common/kernel_expect.h).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/kernel_expect.h"
#include "e2e/agent_process.h"

namespace octagon::testing {

class KfuncExamplesBase : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // The example's path, or a copy under the test directory with each `from` replaced by `to`
  // (only what an example is meant to be adjusted for, such as binary paths).
  std::string example(const std::string& name,
                      const std::vector<std::pair<std::string, std::string>>& edits = {});
  // Copies the examples (name, edits as for example()) into one directory for
  // --tracing-policy-dir; returns it.
  std::string policy_dir(
      const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>& examples);
  // Starts the agent with `args` (e.g. --tracing-policy FILE). Null when it did not start: then
  // missing_ names the kernel mechanism its refusal says is missing (empty for any other reason)
  // and err_ has its stderr.
  std::unique_ptr<AgentProcess> start(const std::vector<std::string>& args);
  // The `type` objects of the agent's events for which pred holds: waits up to 10 s for `want`
  // of them, then 300 ms more for stragglers.
  std::vector<nlohmann::json> collect(AgentProcess& agent, const std::string& type,
                                      const std::function<bool(const nlohmann::json&)>& pred,
                                      size_t want = 1);

  std::filesystem::path dir_;
  std::string missing_, err_;
};

// Forks; the child runs body and exits 0 (or with what body returns). Returns the wait status.
int run_child(const std::function<int()>& body, pid_t* pid = nullptr);
// Forks and execs argv (stdout and stderr to /dev/null). Returns the wait status.
int run_program(const std::vector<std::string>& argv, pid_t* pid = nullptr);
std::string testprog(const std::string& name);

}  // namespace octagon::testing

// Starts the agent with the given args into VAR; skips (or fails, where promised) when the kernel lacks the
// mechanism, fails when the agent did not start for another reason.
#define KFUNC_EXAMPLE_START(var, ...)                                                       \
  auto var = start(__VA_ARGS__);                                                            \
  if (!var && !missing_.empty()) OCTAGON_REQUIRE_MECHANISM(missing_, false, err_);          \
  ASSERT_TRUE(var) << err_
