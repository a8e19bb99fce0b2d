// CLI commands that query a running agent: `octagon status`, `octagon version [--server]`.
#pragma once

#include <string>
#include <vector>

namespace octagon::cli {
int run_status(const std::vector<std::string>& args);
int run_version(const std::vector<std::string>& args);
} // namespace octagon::cli
