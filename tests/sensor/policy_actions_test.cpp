// T3: policy actions end to end inside the test process: TracingPolicy YAML compiled and
// loaded by the PolicyManager, real processes trigger, the EventProcessor decodes, symbolizes
// stacks and runs the agent's actions.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "sensor/policy_actions_rig.h"
#include "test_http_server.h"

namespace octagon::testing {
namespace {

using namespace std::chrono_literals;

void open_path(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd >= 0)
    close(fd);
}

bool has_symbol(const std::vector<events::StackTraceEntry>& frames, const std::string& part) {
  for (const auto& f : frames)
    if (f.symbol.find(part) != std::string::npos)
      return true;
  return false;
}

std::string describe(const std::vector<events::StackTraceEntry>& frames) {
  std::string s;
  for (const auto& f : frames)
    s += f.symbol + "+" + std::to_string(f.offset) + " (" + f.module + ")\n";
  return s;
}

TEST(PolicyActions, RateLimitFromYaml) {
  OCTAGON_REQUIRE_SENSOR();
  AgentPolicyRig rig;
  auto name = rig.load(
      openat_policy("rl", "/tmp/octagon-prl-", "      - action: Post\n        rateLimit: 1m\n"));
  ASSERT_TRUE(name) << name.error().describe();
  for (int i = 0; i < 10; i++)
    open_path("/tmp/octagon-prl-a");
  for (int i = 0; i < 10; i++)
    open_path("/tmp/octagon-prl-b");
  rig.drain();
  EXPECT_EQ(rig.recorder().with_path("/tmp/octagon-prl-a").size(), 1u);
  EXPECT_EQ(rig.recorder().with_path("/tmp/octagon-prl-b").size(), 1u);
  daemon::PolicyStatus st = rig.status("rl");
  EXPECT_EQ(st.rate_limited, 18u);
  EXPECT_EQ(st.posted, 2u);
  ASSERT_EQ(st.hooks.size(), 1u);
  ASSERT_EQ(st.hooks[0].selectors.size(), 1u);
  EXPECT_EQ(st.hooks[0].selectors[0].rate_limited, 18u);
}

TEST(PolicyActions, KernelStackTraceSymbolizesToKernelFunctions) {
  OCTAGON_REQUIRE_SENSOR();
  AgentPolicyRig rig;
  auto name = rig.load(openat_policy("kstack", "/tmp/octagon-pks-",
                                     "      - action: Post\n        kernelStackTrace: true\n"));
  ASSERT_TRUE(name) << name.error().describe();
  open_path("/tmp/octagon-pks-x");
  rig.drain();
  auto got = rig.recorder().with_path("/tmp/octagon-pks-x");
  ASSERT_EQ(got.size(), 1u);
  const auto& ks = got[0].kernel_stack;
  ASSERT_GE(ks.size(), 3u);
  for (const auto& f : ks) {
    EXPECT_FALSE(f.symbol.empty());
    EXPECT_EQ(f.address, 0u); // hidden unless --expose-stack-addresses
  }
  EXPECT_TRUE(has_symbol(ks, "do_syscall_64") || has_symbol(ks, "x64_sys")) << describe(ks);
  EXPECT_TRUE(got[0].user_stack.empty());
  EXPECT_EQ(rig.stats().stack_kernel_unresolved.load(), 0u);
}

TEST(PolicyActions, UserStackTraceNamesTheProgramsFunctions) {
  OCTAGON_REQUIRE_SENSOR();
  AgentPolicyRig rig;
  auto name = rig.load(openat_policy("ustack", "/tmp/octagon-pus-",
                                     "      - action: Post\n        userStackTrace: true\n"
                                     "        kernelStackTrace: true\n"));
  ASSERT_TRUE(name) << name.error().describe();
  pid_t pid = spawn({testprog("stack_probe"), "/tmp/octagon-pus-probe", "3"});
  std::vector<RecordedKprobe> got;
  for (int i = 0; i < 100 && got.empty(); i++) { // the child sleeps after its open: symbolized live
    usleep(20'000);
    rig.drain();
    got = rig.recorder().with_path("/tmp/octagon-pus-probe");
  }
  kill(pid, SIGKILL);
  wait_status(pid);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].pid, uint32_t(pid));
  const auto& us = got[0].user_stack;
  ASSERT_GE(us.size(), 2u);
  EXPECT_EQ(us[0].symbol, "octagon_stack_leaf") << describe(us);
  EXPECT_NE(us[0].module.find("stack_probe"), std::string::npos) << us[0].module;
  EXPECT_TRUE(has_symbol(us, "main")) << describe(us);
  EXPECT_GE(got[0].kernel_stack.size(), 2u);
}

TEST(PolicyActions, GetUrlAndDnsLookupRunInTheAgent) {
  OCTAGON_REQUIRE_SENSOR();
  TestHttpServer server;
  AgentPolicyRig rig;
  auto name =
      rig.load(openat_policy("canary", "/tmp/octagon-canary-",
                             "      - action: GetUrl\n        argUrl: " + server.url("/tripped") +
                                 "\n      - action: DnsLookup\n        argFqdn: localhost\n"
                                 "      - action: NoPost\n"));
  ASSERT_TRUE(name) << name.error().describe();
  open_path("/tmp/octagon-canary-token");
  rig.drain();
  ASSERT_TRUE(server.wait_requests(1, 5000ms));
  ASSERT_TRUE(rig.runner().wait_idle(5000ms));
  EXPECT_EQ(server.requests()[0].rfind("GET /tripped HTTP/1.1", 0), 0u);
  auto c = rig.runner().counts();
  EXPECT_EQ(c.get_url_ok, 1u);
  EXPECT_EQ(c.dns_lookup_ok, 1u);
  EXPECT_TRUE(rig.recorder().got.empty()); // NoPost: nothing exported
  EXPECT_EQ(rig.stats().policy_nopost.load(), 1u);
  EXPECT_EQ(rig.status("canary").nopost, 1u);
}

// NotifyEnforcer with argSig signals from the hook (no override here): the child dies before
// its next instruction; the event says NOTIFYENFORCER.
TEST(PolicyActions, NotifyEnforcerKills) {
  OCTAGON_REQUIRE_SENSOR();
  AgentPolicyRig rig;
  auto name = rig.load(
      openat_policy("enforce", "/tmp/octagon-penf-",
                    "      - action: NotifyEnforcer\n        argSig: 9\n        argError: -1\n",
                    "  enforcers:\n  - calls: [sys_openat]\n"));
  ASSERT_TRUE(name) << name.error().describe();
  daemon::PolicyStatus st = rig.status("enforce");
  std::string notes;
  for (const auto& n : st.notes)
    notes += n + "\n";
  EXPECT_NE(notes.find("argError -1 cannot be returned"), std::string::npos) << notes;
  pid_t pid = fork();
  if (pid == 0) {
    std::string path = "/tmp/octagon-penf-x";
    open(path.c_str(), O_RDONLY);
    _exit(0);
  }
  int ws = wait_status(pid);
  ASSERT_TRUE(WIFSIGNALED(ws));
  EXPECT_EQ(WTERMSIG(ws), SIGKILL);
  rig.drain();
  auto got = rig.recorder().with_path("/tmp/octagon-penf-x");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].action, events::KprobeAction::kNotifyEnforcer);
  EXPECT_EQ(rig.status("enforce").signals, 1u);
}

// Monitor mode: the event still says what the policy would do, the process lives, and the
// status counts the signal that was not sent.
TEST(PolicyActions, MonitorModeCountsInsteadOfKilling) {
  OCTAGON_REQUIRE_SENSOR();
  AgentPolicyRig rig;
  auto name =
      rig.load(openat_policy("watch", "/tmp/octagon-pmon-", "      - action: Sigkill\n"), true);
  ASSERT_TRUE(name) << name.error().describe();
  pid_t pid = fork();
  if (pid == 0) {
    std::string path = "/tmp/octagon-pmon-x";
    open(path.c_str(), O_RDONLY);
    _exit(7);
  }
  int ws = wait_status(pid);
  ASSERT_TRUE(WIFEXITED(ws));
  EXPECT_EQ(WEXITSTATUS(ws), 7);
  rig.drain();
  auto got = rig.recorder().with_path("/tmp/octagon-pmon-x");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].action, events::KprobeAction::kSigkill);
  daemon::PolicyStatus st = rig.status("watch");
  EXPECT_EQ(st.mode, "monitor");
  EXPECT_EQ(st.monitor_signals, 1u);
  EXPECT_EQ(st.signals, 0u);
}

} // namespace
} // namespace octagon::testing
