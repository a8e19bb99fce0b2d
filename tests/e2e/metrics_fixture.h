// Shared by the metrics e2e tests: a temp dir, an agent with --metrics-server on a port the
// kernel picks (read back from its log line), scraping and spawning helpers.
#pragma once

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "common/metrics_text.h"
#include "e2e/agent_process.h"
#include "e2e/http_fetch.h"

extern char** environ;

namespace octagon::testing {

class MetricsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "e2e tests run the agent, which needs root";
    dir_ = std::filesystem::temp_directory_path() /
           ("octagon-metrics-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    agent_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Starts the agent with --metrics-server 127.0.0.1:0 plus `args`; returns its metrics port
  // (0 on failure) once it exports events.
  uint16_t start_agent(std::vector<std::string> args) {
    args.insert(args.begin(), {"--metrics-server", "127.0.0.1:0"});
    agent_ = std::make_unique<AgentProcess>(dir_.string(), args);
    if (!agent_->wait_stderr("exporting events")) return 0;
    std::smatch m;
    std::string err = agent_->err();
    if (!std::regex_search(err, m, std::regex("metrics server listening on 127\\.0\\.0\\.1:(\\d+)")))
      return 0;
    return static_cast<uint16_t>(std::stoi(m[1]));
  }

  MetricsText scrape(uint16_t port) {
    auto r = http_fetch(port, "/metrics");
    if (!r || r->status != 200) return MetricsText{{}, {}, {}, "scrape failed"};
    return parse_metrics_text(r->body);
  }

  // fork+exec `prog` n times, each waited for.
  static void run_n(const std::string& prog, int n) {
    for (int i = 0; i < n; i++) {
      char* argv[] = {const_cast<char*>(prog.c_str()), nullptr};
      pid_t pid = -1;
      if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv, environ) == 0) waitpid(pid, nullptr, 0);
    }
  }

  std::filesystem::path dir_;
  std::unique_ptr<AgentProcess> agent_;
};

}  // namespace octagon::testing
