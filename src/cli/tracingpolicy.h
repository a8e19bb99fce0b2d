// `octagon tracingpolicy` / `octagon tp`: manage the agent's TracingPolicies over gRPC.
#pragma once

#include <string>
#include <vector>

namespace octagon::cli {
int run_tracingpolicy(const std::vector<std::string>& args);
}  // namespace octagon::cli
