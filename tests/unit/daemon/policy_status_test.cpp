// The status report's policy part: per policy, hook and selector what the kernel did, the
// agent's own actions and stack symbolization losses.
#include <octagon/daemon/status.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace octagon::daemon {
namespace {

TEST(PolicyStatusJson, PoliciesHooksSelectorsAndActions) {
  StatusSnapshot s;
  PolicyStatus p;
  p.name = "kill-\"x\"";
  p.mode = "monitor";
  p.notes = {"enforcers: no enforcer program"};
  p.posted = 3;
  p.monitor_signals = 2;
  p.rate_limited = 40;
  p.signal_failed = 1;
  HookStatus h;
  h.mechanism = "tracepoint syscalls/sys_enter_openat";
  SelectorCounters c0, c1;
  c0.posted = 3;
  c0.rate_limited = 40;
  c1.monitor_signals = 2;
  c1.signal_failed = 1;
  h.selectors = {c0, c1};
  p.hooks = {h};
  s.policies = {p};
  s.user_actions.get_url_ok = 5;
  s.user_actions.dns_lookup_failed = 1;
  s.user_actions.dropped_queue_full = 2;
  s.policy_nopost = 7;
  s.stack_kernel_unresolved = 4;

  std::string line = render_status_json(s);
  auto j = nlohmann::json::parse(line)["status"];
  const auto& pol = j["policies"][0];
  EXPECT_EQ(pol["name"], "kill-\"x\"");
  EXPECT_EQ(pol["mode"], "monitor");
  EXPECT_EQ(pol["rate_limited"], 40);
  EXPECT_EQ(pol["signal_failed"], 1);
  EXPECT_EQ(pol["monitor_signals"], 2);
  EXPECT_EQ(pol["notes"][0], "enforcers: no enforcer program");
  EXPECT_EQ(pol["hooks"][0]["mechanism"], "tracepoint syscalls/sys_enter_openat");
  EXPECT_EQ(pol["hooks"][0]["selectors"][0]["rate_limited"], 40);
  EXPECT_EQ(pol["hooks"][0]["selectors"][1]["signal_failed"], 1);
  EXPECT_EQ(j["user_actions"]["get_url_ok"], 5);
  EXPECT_EQ(j["user_actions"]["dns_lookup_failed"], 1);
  EXPECT_EQ(j["user_actions"]["dropped_queue_full"], 2);
  EXPECT_EQ(j["user_actions"]["nopost_records"], 7);
  EXPECT_EQ(j["stack_traces"]["kernel_unresolved"], 4);
}

TEST(PolicyStatusJson, NoPoliciesIsAnEmptyList) {
  auto j = nlohmann::json::parse(render_status_json(StatusSnapshot{}))["status"];
  EXPECT_TRUE(j["policies"].is_array());
  EXPECT_TRUE(j["policies"].empty());
}

} // namespace
} // namespace octagon::daemon
