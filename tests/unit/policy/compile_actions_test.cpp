// matchActions compiled into selector plans: Post rateLimit windows and scopes, stack traces,
// NotifyEnforcer as a signal, GetUrl/DnsLookup for the agent, and the refusals.
#include <octagon/policy/compiler.h>
#include <octagon/policy/http_url.h>
#include <octagon/policy/parser.h>

#include <gtest/gtest.h>

namespace octagon::policy {
namespace {

class OpenatKernel : public KernelFacts {
public:
  Result<std::vector<FormatField>> tracepoint_fields(const std::string& sub,
                                                     const std::string& ev) override {
    std::vector<FormatField> f = {{"common_type", "unsigned short", 0, 2, false},
                                  {"common_flags", "unsigned char", 2, 1, false},
                                  {"common_preempt_count", "unsigned char", 3, 1, false},
                                  {"common_pid", "int", 4, 4, true},
                                  {"__syscall_nr", "int", 8, 4, true}};
    if (sub == "syscalls" && ev == "sys_enter_openat") {
      f.push_back({"dfd", "int", 16, 8, false});
      f.push_back({"filename", "const char *", 24, 8, false});
      return f;
    }
    if (sub == "syscalls" && ev == "sys_exit_openat") {
      f.push_back({"ret", "long", 16, 8, true});
      return f;
    }
    return make_error(ENOENT, "no tracepoint " + sub + "/" + ev);
  }
  std::string syscall_prefix() const override { return "__x64_"; }
  std::optional<int> syscall_number(const std::string&) const override { return std::nullopt; }
};

// A sys_openat kprobe (or the openat tracepoint) whose one selector has `actions`.
std::string policy(const std::string& actions, bool tracepoint = false,
                   const std::string& extra = "") {
  std::string hook = tracepoint
                         ? "  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_openat\n"
                         : "  kprobes:\n  - call: sys_openat\n    syscall: true\n";
  return "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: acts}\nspec:\n" +
         extra + hook +
         "    args:\n    - {index: 1, type: string}\n"
         "    selectors:\n    - matchActions:\n" +
         actions;
}

Result<CompiledPolicy> compile(const std::string& yaml) {
  OCTAGON_ASSIGN_OR_RETURN(TracingPolicy p, parse_policy(yaml, "acts.yaml"));
  OpenatKernel k;
  return compile_policy(p, k);
}

std::string refusal(const std::string& yaml) {
  auto r = compile(yaml);
  EXPECT_FALSE(r) << "compiled unexpectedly";
  return r ? "" : r.error().message();
}

TEST(CompileActions, RateLimitWindowsAndScopes) {
  struct Case {
    const char* text;
    const char* scope;
    uint64_t ns;
    uint8_t kernel_scope;
  } cases[] = {
      {"\"30\"", "thread", 30'000'000'000ull, OCT_RL_THREAD},
      {"\"45s\"", "process", 45'000'000'000ull, OCT_RL_PROCESS},
      {"\"2m\"", "global", 120'000'000'000ull, OCT_RL_GLOBAL},
      {"\"1h\"", nullptr, 3'600'000'000'000ull, OCT_RL_THREAD},
  };
  for (const Case& c : cases) {
    std::string a = std::string("      - action: Post\n        rateLimit: ") + c.text + "\n";
    if (c.scope)
      a += std::string("        rateLimitScope: ") + c.scope + "\n";
    auto r = compile(policy(a));
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_EQ(r->hooks.size(), 1u);
    const HookPlan& h = r->hooks[0];
    EXPECT_EQ(h.enter.config.selectors[0].rate_limit_ns, c.ns) << c.text;
    EXPECT_EQ(h.enter.config.selectors[0].rate_limit_scope, c.kernel_scope) << c.text;
    ASSERT_TRUE(h.exit); // the deferred exit half limits with the same window
    EXPECT_EQ(h.exit->config.selectors[0].rate_limit_ns, c.ns);
    EXPECT_EQ(h.render.selector_actions[0], events::KprobeAction::kPost);
  }
}

TEST(CompileActions, StackTracesOnKprobesOnly) {
  auto r = compile(policy(
      "      - action: Post\n        kernelStackTrace: true\n        userStackTrace: true\n"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->hooks[0].enter.config.selectors[0].stack, OCT_GEN_STACK_KERNEL | OCT_GEN_STACK_USER);
  r = compile(policy("      - action: Post\n        userStackTrace: true\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->hooks[0].enter.config.selectors[0].stack, OCT_GEN_STACK_USER);

  std::string err = refusal(policy("      - action: Post\n        kernelStackTrace: true\n", true));
  EXPECT_NE(err.find("acts.yaml:"), std::string::npos) << err;
  EXPECT_NE(err.find("process_kprobe events only"), std::string::npos) << err;
  err = refusal(policy("      - action: Post\n        imaHash: true\n"));
  EXPECT_NE(err.find("imaHash works on lsmhooks: only"), std::string::npos) << err;
}

TEST(CompileActions, NotifyEnforcerSignalsFromTheHook) {
  const std::string enforcer = "  enforcers:\n  - calls: [sys_openat]\n";
  auto r =
      compile(policy("      - action: NotifyEnforcer\n        argSig: 9\n        argError: -1\n",
                     false, enforcer));
  ASSERT_TRUE(r) << r.error().message();
  const oct_gen_selector& s = r->hooks[0].enter.config.selectors[0];
  EXPECT_EQ(s.action, OCT_ACT_SIGNAL);
  EXPECT_EQ(s.signal, 9u);
  EXPECT_EQ(r->hooks[0].render.selector_actions[0], events::KprobeAction::kNotifyEnforcer);
  std::string notes;
  for (const auto& n : r->notes)
    notes += n + "\n";
  EXPECT_NE(notes.find("argError -1 cannot be returned"), std::string::npos) << notes;
  EXPECT_NE(notes.find("enforcers: no enforcer program"), std::string::npos) << notes;

  r = compile(policy("      - action: CleanupEnforcerNotification\n", false, enforcer));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->hooks[0].enter.config.selectors[0].action, OCT_ACT_POST);
  ASSERT_FALSE(r->notes.empty());
  EXPECT_NE(r->notes.back().find("nothing to clean up"), std::string::npos) << r->notes.back();

  std::string err =
      refusal(policy("      - action: NotifyEnforcer\n        argError: -1\n", false, enforcer));
  EXPECT_NE(err.find("NotifyEnforcer without argSig"), std::string::npos) << err;
}

TEST(CompileActions, UserSpaceActions) {
  auto r = compile(policy("      - action: GetUrl\n        argUrl: http://127.0.0.1:8080/canary\n"
                          "      - action: DnsLookup\n        argFqdn: canary.example.com\n"
                          "      - action: NoPost\n"));
  ASSERT_TRUE(r) << r.error().message();
  const HookRender& render = r->hooks[0].render;
  const oct_gen_selector& s = r->hooks[0].enter.config.selectors[0];
  EXPECT_EQ(s.user_action, 1);
  EXPECT_EQ(s.post, 0); // the record reaches the agent, no event is exported
  ASSERT_EQ(render.selectors.size(), 1u);
  EXPECT_FALSE(render.selectors[0].post);
  ASSERT_EQ(render.selectors[0].user_actions.size(), 2u);
  EXPECT_EQ(render.selectors[0].user_actions[0].kind, UserAction::Kind::kGetUrl);
  EXPECT_EQ(render.selectors[0].user_actions[0].target, "http://127.0.0.1:8080/canary");
  EXPECT_EQ(render.selectors[0].user_actions[1].kind, UserAction::Kind::kDnsLookup);
  EXPECT_EQ(render.selectors[0].user_actions[1].target, "canary.example.com");

  r = compile(policy("      - action: GetUrl\n        argUrl: http://canary.example/\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->hooks[0].render.selector_actions[0], events::KprobeAction::kGetUrl);
  EXPECT_EQ(r->hooks[0].enter.config.selectors[0].post, 1);

  std::string err =
      refusal(policy("      - action: GetUrl\n        argUrl: https://canary.example/x\n"));
  EXPECT_NE(err.find("https URLs cannot be fetched"), std::string::npos) << err;
  err = refusal(policy("      - action: GetUrl\n        argUrl: ftp://canary.example/x\n"));
  EXPECT_NE(err.find("http:// URLs only"), std::string::npos) << err;
  err = refusal(policy("      - action: DnsLookup\n        argFqdn: \"bad name\"\n"));
  EXPECT_NE(err.find("is not a DNS name"), std::string::npos) << err;
}

TEST(HttpUrl, Parses) {
  auto u = parse_http_url("http://example.com");
  ASSERT_TRUE(u.url) << u.problem;
  EXPECT_EQ(u.url->host, "example.com");
  EXPECT_EQ(u.url->port, 80);
  EXPECT_EQ(u.url->target, "/");
  u = parse_http_url("HTTP://127.0.0.1:8080/a/b?c=d");
  ASSERT_TRUE(u.url) << u.problem;
  EXPECT_EQ(u.url->host, "127.0.0.1");
  EXPECT_EQ(u.url->port, 8080);
  EXPECT_EQ(u.url->target, "/a/b?c=d");
  u = parse_http_url("http://[::1]:81?x");
  ASSERT_TRUE(u.url) << u.problem;
  EXPECT_EQ(u.url->host, "::1");
  EXPECT_EQ(u.url->port, 81);
  EXPECT_EQ(u.url->target, "/?x");
  for (const char* bad : {"http://", "http://:80/", "http://h:0/", "http://h:70000/", "http://h:x/",
                          "http://u@h/", "http://h/a b", "https://h/", "h/x", "http://[::1"})
    EXPECT_FALSE(parse_http_url(bad).url) << bad;
}

TEST(HttpUrl, DnsNames) {
  EXPECT_TRUE(is_dns_name("localhost"));
  EXPECT_TRUE(is_dns_name("a-b.example_x.com."));
  EXPECT_FALSE(is_dns_name(""));
  EXPECT_FALSE(is_dns_name("a..b"));
  EXPECT_FALSE(is_dns_name("a b"));
  EXPECT_FALSE(is_dns_name(std::string(64, 'a')));
  EXPECT_TRUE(is_dns_name(std::string(63, 'a')));
}

} // namespace
} // namespace octagon::policy
