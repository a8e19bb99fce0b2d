// Shared pieces of the gRPC API and CLI end-to-end tests: a per-test directory, an agent with
// its API socket there, helper programs, and a raw gRPC client (Octagon's .proto, which has
// Tetragon's names and numbers).
#pragma once

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <tetragon/sensors.grpc.pb.h>

#include "e2e/agent_process.h"

extern char** environ;

namespace octagon::testing {

inline constexpr const char* kAgentReady = "exporting events";

class ApiE2EBase : public ::testing::Test {
protected:
  void SetUp() override {
    if (geteuid() != 0)
      GTEST_SKIP() << "e2e tests run the agent, which needs root";
    dir_ = std::filesystem::temp_directory_path() /
           ("octagon-api-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    address_ = "unix://" + (dir_ / "api.sock").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& n) const { return (dir_ / n).string(); }
  static std::string testprog(const std::string& n) {
    return std::string(OCTAGON_TESTPROGS_DIR) + "/" + n;
  }
  static std::string canonical_testprog(const std::string& n) {
    return std::filesystem::canonical(testprog(n)).string();
  }
  // Runs a helper program to completion; returns its pid.
  static pid_t run_prog(const std::vector<std::string>& argv) {
    std::vector<char*> a;
    for (const auto& s : argv)
      a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    pid_t pid = -1;
    posix_spawn(&pid, a[0], nullptr, nullptr, a.data(), environ);
    waitpid(pid, nullptr, 0);
    return pid;
  }
  std::unique_ptr<AgentProcess> start_agent(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--node-name", "e2e-node", "--export-stdout=false",
                                     "--server-address", address_};
    args.insert(args.end(), extra.begin(), extra.end());
    auto a = std::make_unique<AgentProcess>(dir_.string(), args);
    EXPECT_TRUE(a->wait_stderr(kAgentReady)) << a->err();
    return a;
  }
  std::unique_ptr<tetragon::FineGuidanceSensors::Stub>
  stub(grpc::ChannelArguments args = {}) const {
    return tetragon::FineGuidanceSensors::NewStub(
        grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args));
  }

  std::filesystem::path dir_;
  std::string address_;
};

// A GetEvents stream with a deadline; the subscription is live once open() returns.
struct EventStream {
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReader<tetragon::GetEventsResponse>> reader;

  void open(tetragon::FineGuidanceSensors::Stub& stub, const tetragon::GetEventsRequest& req,
            std::chrono::seconds deadline = std::chrono::seconds(30)) {
    ctx.set_deadline(std::chrono::system_clock::now() + deadline);
    reader = stub.GetEvents(&ctx, req);
    reader->WaitForInitialMetadata(); // sent by the server after it subscribed us
  }
  // Reads until `pred` holds (the event) or the stream ends (nullopt).
  std::optional<tetragon::GetEventsResponse>
  read_until(const std::function<bool(const tetragon::GetEventsResponse&)>& pred) {
    tetragon::GetEventsResponse e;
    while (reader->Read(&e))
      if (pred(e))
        return e;
    return std::nullopt;
  }
};

} // namespace octagon::testing
