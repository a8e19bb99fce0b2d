// T4 (host kernel): TracingPolicies managed entirely through the CLI (`octagon tp ...`) and the
// gRPC policy methods of a running agent: add with a mode, list (text, JSON and raw gRPC),
// disable/enable, set-mode, delete, and malformed or unknown requests.
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e/api_fixture.h"
#include "e2e/cli_process.h"

namespace octagon::testing {
namespace {

using nlohmann::json;

class CliPolicyE2E : public ApiE2EBase {
 protected:
  std::string write_policy(const std::string& name, const std::string& body) {
    std::ofstream(path(name)) << body;
    return path(name);
  }
  std::string unlink_policy() const {
    return "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: cli-unlink\nspec:\n"
           "  kprobes:\n  - call: sys_unlinkat\n    syscall: true\n    args:\n    - {index: 1, type: string}\n"
           "    selectors:\n    - matchArgs:\n      - {index: 1, operator: Prefix, values: [\"" +
           (dir_ / "victim-").string() + "\"]}\n";
  }
  json list() {
    CliResult r = run_cli(dir_.string(), {"tp", "list", "-o", "json", "--server-address", address_});
    EXPECT_EQ(r.status, 0) << r.err;
    return json::parse(r.out);
  }
  // Unlinks dir_/victim-<tag>; returns whether the agent exported its event within ~3 s.
  bool unlink_seen(const std::string& tag, int tries = 30) {
    std::string f = path("victim-" + tag);
    std::ofstream(f) << "x";
    unlinkat(AT_FDCWD, f.c_str(), 0);  // the hooked syscall (glibc's unlink() is SYS_unlink)
    for (int i = 0; i < tries; i++) {
      std::ifstream in(path("events.log"));
      std::string all((std::istreambuf_iterator<char>(in)), {});
      if (all.find("victim-" + tag) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
};

TEST_F(CliPolicyE2E, AddListDisableEnableSetModeDelete) {
  auto agent = start_agent({"--export-filename", path("events.log")});
  std::string file = write_policy("p.yaml", unlink_policy());
  CliResult add = run_cli(dir_.string(), {"tp", "add", file, "--mode", "monitor", "--server-address", address_});
  ASSERT_EQ(add.status, 0) << add.err;
  json l = list();
  ASSERT_EQ(l.size(), 1u) << l.dump();
  EXPECT_EQ(l[0]["name"], "cli-unlink");
  EXPECT_EQ(l[0]["state"], "enabled");
  EXPECT_EQ(l[0]["mode"], "monitor");  // --mode outranks the spec (runtime > spec)
  EXPECT_GT(l[0]["kernel_memory_bytes"].get<uint64_t>(), 0u);
  EXPECT_TRUE(unlink_seen("one")) << agent->err();

  // The same over raw gRPC, with Tetragon's enum numbers.
  {
    grpc::ClientContext ctx;
    tetragon::ListTracingPoliciesResponse resp;
    ASSERT_TRUE(stub()->ListTracingPolicies(&ctx, {}, &resp).ok());
    ASSERT_EQ(resp.policies_size(), 1);
    EXPECT_EQ(resp.policies(0).state(), tetragon::TP_STATE_ENABLED);
    EXPECT_EQ(resp.policies(0).mode(), tetragon::TP_MODE_MONITOR);
    EXPECT_EQ(resp.policies(0).sensors(0).find("tracepoint syscalls/sys_enter_unlinkat"), 0u);
  }

  CliResult text = run_cli(dir_.string(), {"tp", "list", "--server-address", address_});
  EXPECT_NE(text.out.find("cli-unlink"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("STATE"), std::string::npos) << text.out;

  ASSERT_EQ(run_cli(dir_.string(), {"tp", "disable", "cli-unlink", "--server-address", address_}).status, 0);
  l = list();
  EXPECT_EQ(l[0]["state"], "disabled");
  EXPECT_EQ(l[0]["kernel_memory_bytes"], 0);
  EXPECT_FALSE(unlink_seen("two", 10)) << "a disabled policy must not report";

  ASSERT_EQ(run_cli(dir_.string(), {"tp", "enable", "cli-unlink", "--server-address", address_}).status, 0);
  ASSERT_EQ(run_cli(dir_.string(), {"tp", "set-mode", "cli-unlink", "enforce", "--server-address", address_}).status, 0);
  l = list();
  EXPECT_EQ(l[0]["state"], "enabled");
  EXPECT_EQ(l[0]["mode"], "enforce");
  EXPECT_TRUE(unlink_seen("three"));

  ASSERT_EQ(run_cli(dir_.string(), {"tp", "delete", "cli-unlink", "--server-address", address_}).status, 0);
  EXPECT_TRUE(list().empty());
  EXPECT_FALSE(unlink_seen("four", 10));
  EXPECT_EQ(agent->stop(), 0);
}

TEST_F(CliPolicyE2E, MalformedAndUnknownPoliciesFailWithOneLine) {
  auto agent = start_agent();
  std::string bad = write_policy("bad.yaml",
                                 "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: bad\n"
                                 "spec:\n  kprobes:\n  - call: sys_unlinkat\n    bogus: 1\n");
  CliResult r = run_cli(dir_.string(), {"tp", "add", bad, "--server-address", address_});
  EXPECT_EQ(WEXITSTATUS(r.status), 1);
  EXPECT_NE(r.err.find("bad.yaml:8:5"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bogus"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  // The server checks too: a raw AddTracingPolicy gets INVALID_ARGUMENT with the position.
  grpc::ClientContext ctx;
  tetragon::AddTracingPolicyRequest req;
  req.set_yaml("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: x\nspec:\n  nope: 1\n");
  tetragon::AddTracingPolicyResponse resp;
  grpc::Status s = stub()->AddTracingPolicy(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_NE(s.error_message().find("<AddTracingPolicy>:6:3"), std::string::npos) << s.error_message();

  CliResult del = run_cli(dir_.string(), {"tp", "delete", "nope", "--server-address", address_});
  EXPECT_EQ(WEXITSTATUS(del.status), 1);
  EXPECT_NE(del.err.find("NOT_FOUND"), std::string::npos) << del.err;
  CliResult mode = run_cli(dir_.string(), {"tp", "set-mode", "nope", "sideways", "--server-address", address_});
  EXPECT_EQ(WEXITSTATUS(mode.status), 2) << mode.err;
  CliResult help = run_cli(dir_.string(), {"tp", "--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("set-mode"), std::string::npos);
  EXPECT_EQ(agent->stop(), 0);
}

}  // namespace
}  // namespace octagon::testing
