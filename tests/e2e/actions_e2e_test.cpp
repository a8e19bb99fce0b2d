// T4: policy actions through the real agent: stack traces in process_kprobe JSON (Tetragon's
// field names), rateLimit with the suppressed events in the status report, GetUrl against a
// local HTTP server, and compact stack trace lines.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include <gtest/gtest.h>

#include "e2e/agent_process.h"
#include "test_http_server.h"

namespace octagon::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// Three selectors on sys_openat, by path prefix: stacks, rate limit, canary URL.
std::string policy(const std::string& url) {
  return R"(apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: actions-e2e
spec:
  kprobes:
  - call: sys_openat
    syscall: true
    args:
    - {index: 1, type: string}
    selectors:
    - matchArgs:
      - {index: 1, operator: Prefix, values: ["/tmp/octagon-e2e-stack"]}
      matchActions:
      - {action: Post, kernelStackTrace: true, userStackTrace: true}
    - matchArgs:
      - {index: 1, operator: Prefix, values: ["/tmp/octagon-e2e-rl"]}
      matchActions:
      - {action: Post, rateLimit: "1m", rateLimitScope: process}
    - matchArgs:
      - {index: 1, operator: Prefix, values: ["/tmp/octagon-e2e-canary"]}
      matchActions:
      - {action: GetUrl, argUrl: ")" +
         url + R"("}
)";
}

class ActionsE2e : public ::testing::Test {
protected:
  void SetUp() override {
    if (geteuid() != 0)
      GTEST_SKIP() << "loading policies needs root";
    dir_ = fs::temp_directory_path() / ("octagon-act-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write_policy(const std::string& text) {
    std::string p = (dir_ / "policy.yaml").string();
    std::ofstream(p) << text;
    return p;
  }
  fs::path dir_;
};

void opens(const std::string& path, int n) {
  for (int i = 0; i < n; i++) {
    int fd = open(path.c_str(), O_RDONLY);
    if (fd >= 0)
      close(fd);
  }
}

std::vector<json> kprobes_with_path(const std::string& out, const std::string& path) {
  std::vector<json> found;
  for (const auto& line : lines_with(out, "process_kprobe")) {
    json k = json::parse(line)["process_kprobe"];
    if (k["args"].size() == 1 && k["args"][0]["string_arg"] == path)
      found.push_back(k);
  }
  return found;
}

TEST_F(ActionsE2e, StacksRateLimitAndGetUrl) {
  TestHttpServer server;
  AgentProcess agent(
      dir_.string(),
      {"--tracing-policy", write_policy(policy(server.url("/canary"))), "--node-name", "e2e"});
  ASSERT_TRUE(agent.wait_stderr("exporting events")) << agent.err();
  opens("/tmp/octagon-e2e-stack", 1);
  opens("/tmp/octagon-e2e-rl", 25);
  opens("/tmp/octagon-e2e-canary", 1);
  EXPECT_TRUE(server.wait_requests(1, 5000ms));
  std::vector<json> stack, rl;
  for (int i = 0; i < 250 && (stack.empty() || rl.empty()); i++) {
    std::this_thread::sleep_for(20ms);
    stack = kprobes_with_path(agent.out(), "/tmp/octagon-e2e-stack");
    rl = kprobes_with_path(agent.out(), "/tmp/octagon-e2e-rl");
  }
  std::this_thread::sleep_for(300ms);
  rl = kprobes_with_path(agent.out(), "/tmp/octagon-e2e-rl");
  auto canary = kprobes_with_path(agent.out(), "/tmp/octagon-e2e-canary");
  EXPECT_EQ(agent.stop(), 0);

  ASSERT_EQ(stack.size(), 1u) << agent.err();
  const json& ks = stack[0]["kernel_stack_trace"];
  ASSERT_TRUE(ks.is_array());
  ASSERT_GE(ks.size(), 2u);
  bool syscall_entry = false;
  for (const json& f : ks) {
    EXPECT_FALSE(f.contains("address")); // hidden without --expose-stack-addresses
    EXPECT_TRUE(f["symbol"].is_string());
    syscall_entry |= f["symbol"].get<std::string>().find("do_syscall_64") != std::string::npos;
  }
  EXPECT_TRUE(syscall_entry) << ks.dump();
  const json& us = stack[0]["user_stack_trace"];
  ASSERT_TRUE(us.is_array()) << stack[0].dump();
  ASSERT_GE(us.size(), 1u);
  EXPECT_NE(us[0]["module"].get<std::string>().find("libc"), std::string::npos) << us.dump();
  EXPECT_TRUE(us[0]["offset"].is_string()); // uint64 in protojson

  EXPECT_EQ(rl.size(), 1u);
  ASSERT_EQ(canary.size(), 1u);
  EXPECT_EQ(canary[0]["action"], "KPROBE_ACTION_GETURL");
  ASSERT_GE(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].rfind("GET /canary HTTP/1.1", 0), 0u);

  // The status line at exit: the 24 suppressed events and the fetch are counted.
  auto status = lines_with(agent.err(), "status");
  ASSERT_FALSE(status.empty()) << agent.err();
  json s = json::parse(status.back())["status"];
  ASSERT_EQ(s["policies"].size(), 1u) << status.back();
  EXPECT_EQ(s["policies"][0]["name"], "actions-e2e");
  EXPECT_EQ(s["policies"][0]["rate_limited"], 24);
  EXPECT_EQ(s["policies"][0]["hooks"][0]["selectors"][1]["rate_limited"], 24);
  EXPECT_EQ(s["policies"][0]["hooks"][0]["selectors"][1]["posted"], 1);
  EXPECT_EQ(s["user_actions"]["get_url_ok"], 1);
}

TEST_F(ActionsE2e, CompactOutputPrintsStackLines) {
  TestHttpServer server;
  AgentProcess agent(dir_.string(), {"--tracing-policy", write_policy(policy(server.url("/c"))),
                                     "--output", "compact", "--color", "never"});
  ASSERT_TRUE(agent.wait_stderr("exporting events")) << agent.err();
  opens("/tmp/octagon-e2e-stack", 1);
  std::string out;
  for (int i = 0; i < 250 && out.find("User:") == std::string::npos; i++) {
    std::this_thread::sleep_for(20ms);
    out = agent.out();
  }
  EXPECT_EQ(agent.stop(), 0);
  size_t line = out.find(" openat "); // Tetragon's sys_openat line
  ASSERT_NE(line, std::string::npos) << out;
  size_t k = out.find("\nKernel:\n   0x0: ", line);
  ASSERT_NE(k, std::string::npos) << out;
  EXPECT_NE(out.find("do_syscall_64+0x", k), std::string::npos) << out;
  EXPECT_NE(out.find("\nUser:\n   0x0: ", k), std::string::npos) << out;
}

} // namespace
} // namespace octagon::testing
