// Runs the real agent with one policy file around a trigger and collects the events of one type
// that a predicate accepts. Shared by the e2e suites that check example policies.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace octagon::testing {

struct PolicyRun {
  std::vector<nlohmann::json> events;  // the `type` objects of the accepted events, in order
  std::string err;                     // the agent's stderr
};

// Starts the agent in `dir` with `policy`, runs `trigger` once it exports, then waits up to 5 s
// for `want` accepted events and one export flush more (events of one trigger may span
// batches), and stops the agent (a non-zero exit fails the calling test).
PolicyRun run_policy(const std::string& dir, const std::string& policy, const std::string& type,
                     const std::function<void()>& trigger,
                     const std::function<bool(const nlohmann::json&)>& pred, size_t want = 1);

}  // namespace octagon::testing
