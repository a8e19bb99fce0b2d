#include "e2e/policy_run.h"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "e2e/agent_process.h"

namespace octagon::testing {

PolicyRun run_policy(const std::string& dir, const std::string& policy, const std::string& type,
                     const std::function<void()>& trigger,
                     const std::function<bool(const nlohmann::json&)>& pred, size_t want) {
  AgentProcess agent(dir, {"--tracing-policy", policy, "--node-name", "e2e"});
  EXPECT_TRUE(agent.wait_stderr("exporting events")) << agent.err();
  trigger();
  auto collect = [&] {
    std::vector<nlohmann::json> found;
    for (const auto& line : lines_with(agent.out(), type)) {
      nlohmann::json j = nlohmann::json::parse(line);
      if (pred(j[type])) found.push_back(j[type]);
    }
    return found;
  };
  PolicyRun run;
  for (int i = 0; i < 250 && run.events.size() < want; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    run.events = collect();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  run.events = collect();
  EXPECT_EQ(agent.stop(), 0);
  run.err = agent.err();
  return run;
}

}  // namespace octagon::testing
