// T3: uprobes: and usdts: policies compiled against the real test binary (tests/testprogs/
// uprobe_target), loaded by the PolicyManager as real uprobes, triggered by running the binary,
// and decoded by the EventProcessor into process_uprobe / process_usdt events.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mutex>

#include <octagon/daemon/policy_manager.h>
#include <octagon/elf/elf_file.h>
#include <octagon/policy/parser.h>

#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

class PolicySink : public daemon::EventSink {
 public:
  void on_exec(const events::ExecEvent&) override {}
  void on_exit(const events::ExitEvent&) override {}
  void on_uprobe(const events::UprobeEvent& ev) override {
    uprobes.push_back(ev);
    uprobes.back().process = nullptr;  // points into the cache: only the pid is kept
    uprobe_pids.push_back(ev.process ? ev.process->pid : 0);
  }
  void on_usdt(const events::UsdtEvent& ev) override {
    usdts.push_back(ev);
    usdts.back().process = nullptr;
    usdt_pids.push_back(ev.process ? ev.process->pid : 0);
  }
  std::vector<events::UprobeEvent> uprobes;
  std::vector<uint32_t> uprobe_pids;
  std::vector<events::UsdtEvent> usdts;
  std::vector<uint32_t> usdt_pids;
};

struct Rig {
  bpf::FeatureProbe probe;
  BootClock clock;
  events::ProcessCache cache{1024};
  std::unique_ptr<sensors::ProcessSensor> sensor;
  daemon::HookRegistry registry;
  std::unique_ptr<daemon::TracefsKernelFacts> kernel;
  std::unique_ptr<daemon::PolicyManager> policies;
  std::unique_ptr<daemon::EventProcessor> processor;
  PolicySink sink;
  std::unique_ptr<bpf::RingBufferReader> rb;

  Rig() {
    sensors::ProcessSensorConfig cfg;
    auto s = sensors::ProcessSensor::create(cfg, probe);
    if (!s) {
      ADD_FAILURE() << s.error().describe();
      return;
    }
    sensor = std::move(*s);
    auto k = daemon::TracefsKernelFacts::create();
    if (!k) {
      ADD_FAILURE() << k.error().describe();
      return;
    }
    kernel = std::move(*k);
    policies = std::make_unique<daemon::PolicyManager>(*sensor, registry, *kernel);
    processor = std::make_unique<daemon::EventProcessor>(daemon::ProcessorOptions{}, cache, clock);
    processor->set_hook_registry(&registry);
    processor->add_sink(&sink);
    rb = std::move(*bpf::RingBufferReader::create(sensor->ring_buffer_fd(), *processor));
  }
  Result<std::string> load(const std::string& spec) {
    std::string yaml = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: uprobe-test\nspec:\n" + spec;
    OCTAGON_ASSIGN_OR_RETURN(policy::TracingPolicy p, policy::parse_policy(yaml, "uprobe-test.yaml"));
    return policies->add(p);
  }
  void drain() { (void)rb->poll(0); }
};

struct TargetRun {
  int status = -1;
  std::string out;
  pid_t pid = 0;
};

// Runs uprobe_target with args; returns its wait status, stdout and pid.
TargetRun run_target(const std::vector<std::string>& args) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    std::vector<char*> argv;
    std::string prog = testprog("uprobe_target");
    argv.push_back(prog.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(prog.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  close(fds[0]);
  return {wait_status(pid), out, pid};
}

std::string target_spec(const std::string& body) {
  return "  uprobes:\n  - path: \"" + testprog("uprobe_target") + "\"\n    symbols: [octagon_uprobe_target]\n" + body;
}

std::string usdt_spec(const std::string& name, const std::string& body) {
  return "  usdts:\n  - path: \"" + testprog("uprobe_target") + "\"\n    provider: octagon\n    name: " + name + "\n" + body;
}

TEST(GenericUprobe, FunctionArgumentsAndReturnValue) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  auto loaded = rig.load(target_spec(R"(    return: true
    args: [{index: 0, type: int}, {index: 1, type: string}]
    returnArg: {index: 0, type: int}
    message: "target called"
    tags: [uprobe-test]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  TargetRun run = run_target({"21", "octagon-uprobe-arg"});
  ASSERT_EQ(WEXITSTATUS(run.status), 0);
  rig.drain();
  ASSERT_EQ(rig.sink.uprobes.size(), 1u);
  EXPECT_EQ(rig.sink.uprobe_pids[0], uint32_t(run.pid));
  const events::UprobeEvent& ev = rig.sink.uprobes[0];
  auto elf = elf::ElfFile::open(testprog("uprobe_target"));
  ASSERT_TRUE(elf);
  EXPECT_EQ(ev.path, testprog("uprobe_target"));
  EXPECT_EQ(ev.symbol, "octagon_uprobe_target");
  EXPECT_EQ(ev.offset, *elf->symbol_offset("octagon_uprobe_target"));
  EXPECT_EQ(ev.policy_name, "uprobe-test");
  EXPECT_EQ(ev.message, "target called");
  EXPECT_EQ(ev.tags, std::vector<std::string>{"uprobe-test"});
  EXPECT_EQ(ev.action, events::KprobeAction::kPost);
  ASSERT_EQ(ev.args.size(), 2u);
  EXPECT_EQ(ev.args[0].kind, events::Argument::Kind::kInt);
  EXPECT_EQ(ev.args[0].i, 21);
  EXPECT_EQ(ev.args[1].kind, events::Argument::Kind::kString);
  EXPECT_EQ(ev.args[1].s, "octagon-uprobe-arg");
  ASSERT_TRUE(ev.return_arg);
  EXPECT_EQ(ev.return_arg->i, 21 * 2 + 18);
}

TEST(GenericUprobe, ReturnFilterOnTheUretprobe) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  auto loaded = rig.load(target_spec(R"(    return: true
    args: [{index: 0, type: int}]
    returnArg: {index: 0, type: int}
    selectors:
    - matchReturnArgs:
      - {index: 0, operator: GT, values: ["100"]}
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ(WEXITSTATUS(run_target({"10", "abc"}).status), 0);  // returns 23: filtered out
  TargetRun run = run_target({"60", "abc"});                        // returns 123
  EXPECT_EQ(WEXITSTATUS(run.status), 0);
  rig.drain();
  ASSERT_EQ(rig.sink.uprobes.size(), 1u);
  EXPECT_EQ(rig.sink.uprobe_pids[0], uint32_t(run.pid));
  EXPECT_EQ(rig.sink.uprobes[0].args[0].i, 60);  // saved at entry, sent at return
  ASSERT_TRUE(rig.sink.uprobes[0].return_arg);
  EXPECT_EQ(rig.sink.uprobes[0].return_arg->i, 123);
}

TEST(GenericUprobe, ReturnedStringIsReadAtTheUretprobe) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  auto loaded = rig.load("  uprobes:\n  - path: \"" + testprog("uprobe_target") + R"("
    symbols: [octagon_uprobe_suffix]
    return: true
    args: [{index: 0, type: string}]
    returnArg: {index: 0, type: string}
)");
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ(WEXITSTATUS(run_target({"1", "typed-command line"}).status), 0);
  rig.drain();
  ASSERT_EQ(rig.sink.uprobes.size(), 1u);
  const events::UprobeEvent& ev = rig.sink.uprobes[0];
  EXPECT_EQ(ev.symbol, "octagon_uprobe_suffix");
  EXPECT_EQ(ev.args[0].s, "typed-command line");
  ASSERT_TRUE(ev.return_arg);
  EXPECT_EQ(ev.return_arg->kind, events::Argument::Kind::kString);
  EXPECT_EQ(ev.return_arg->s, "command line");
}

TEST(GenericUprobe, MatchArgsFiltersInKernel) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  auto loaded = rig.load(target_spec(R"(    args: [{index: 0, type: int}, {index: 1, type: string}]
    selectors:
    - matchArgs:
      - {index: 1, operator: Prefix, values: ["match-"]}
      - {index: 0, operator: GT, values: ["10"]}
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ(WEXITSTATUS(run_target({"11", "other"}).status), 0);
  EXPECT_EQ(WEXITSTATUS(run_target({"5", "match-low"}).status), 0);
  EXPECT_EQ(WEXITSTATUS(run_target({"12", "match-me"}).status), 0);
  rig.drain();
  ASSERT_EQ(rig.sink.uprobes.size(), 1u);
  EXPECT_EQ(rig.sink.uprobes[0].args[0].i, 12);
  EXPECT_EQ(rig.sink.uprobes[0].args[1].s, "match-me");
}

TEST(GenericUprobe, SigkillBeforeTheFunctionBodyRuns) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  auto loaded = rig.load(target_spec(R"(    args: [{index: 0, type: int}]
    selectors:
    - matchArgs:
      - {index: 0, operator: Equal, values: ["7"]}
      matchActions: [{action: Sigkill}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  std::string marker = "/tmp/octagon-uprobe-marker-" + std::to_string(getpid());
  unlink(marker.c_str());
  int killed = run_target({"7", "x", marker}).status;
  EXPECT_TRUE(WIFSIGNALED(killed) && WTERMSIG(killed) == SIGKILL) << killed;
  EXPECT_NE(access(marker.c_str(), F_OK), 0) << "the function body ran";
  EXPECT_EQ(WEXITSTATUS(run_target({"8", "x", marker}).status), 0);
  EXPECT_EQ(access(marker.c_str(), F_OK), 0);  // not matched: the body ran
  unlink(marker.c_str());
  rig.drain();
  ASSERT_EQ(rig.sink.uprobes.size(), 1u);
  EXPECT_EQ(rig.sink.uprobes[0].action, events::KprobeAction::kSigkill);
  EXPECT_EQ(rig.sink.uprobes[0].args[0].i, 7);
}

TEST(GenericUprobe, BinaryDigestIsCheckedAtLoad) {
  OCTAGON_REQUIRE_SENSOR();
  std::string cmd = "sha256sum " + testprog("uprobe_target");
  FILE* f = popen(cmd.c_str(), "r");
  ASSERT_NE(f, nullptr);
  char hex[65] = {};
  ASSERT_EQ(fread(hex, 1, 64, f), 64u);
  pclose(f);
  Rig rig;
  auto digest = [&](const std::string& h) { return "    binaryDigests: [\"sha256:" + h + "\"]\n"; };
  std::string wrong(hex);
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  auto refused = rig.load(target_spec(digest(wrong)));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("sha256 of " + testprog("uprobe_target") + " is " + hex),
            std::string::npos)
      << refused.error().message();
  auto loaded = rig.load(target_spec(digest(hex)));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ(WEXITSTATUS(run_target({"1", "a"}).status), 0);
  rig.drain();
  EXPECT_EQ(rig.sink.uprobes.size(), 1u);
}

TEST(GenericUsdt, RegisterArgumentsIncludingAString) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  auto loaded = rig.load(usdt_spec("args", R"(    args: [{index: 0, type: int32}, {index: 1, type: string}, {index: 2, type: int64}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  TargetRun run = run_target({"3", "usdt-string"});
  ASSERT_EQ(WEXITSTATUS(run.status), 0);
  rig.drain();
  ASSERT_EQ(rig.sink.usdts.size(), 1u);
  EXPECT_EQ(rig.sink.usdt_pids[0], uint32_t(run.pid));
  const events::UsdtEvent& ev = rig.sink.usdts[0];
  EXPECT_EQ(ev.provider, "octagon");
  EXPECT_EQ(ev.name, "args");
  EXPECT_EQ(ev.path, testprog("uprobe_target"));
  ASSERT_EQ(ev.args.size(), 3u);
  EXPECT_EQ(ev.args[0].i, 3);
  EXPECT_EQ(ev.args[1].s, "usdt-string");
  EXPECT_EQ(ev.args[2].kind, events::Argument::Kind::kLong);
  EXPECT_EQ(ev.args[2].i, -24);
}

TEST(GenericUsdt, MemoryAndConstantArgumentsWithFilter) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  auto loaded = rig.load(usdt_spec("mem", R"(    args: [{index: 0, type: int64}, {index: 1}]
    selectors:
    - matchArgs:
      - {index: 0, operator: Equal, values: ["105"]}
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ(WEXITSTATUS(run_target({"4", "a"}).status), 0);  // 104: filtered out
  EXPECT_EQ(WEXITSTATUS(run_target({"5", "a"}).status), 0);
  rig.drain();
  ASSERT_EQ(rig.sink.usdts.size(), 1u);
  const events::UsdtEvent& ev = rig.sink.usdts[0];
  ASSERT_EQ(ev.args.size(), 2u);
  EXPECT_EQ(ev.args[0].i, 105);  // -8@N(%rsp): read from the user stack
  EXPECT_EQ(ev.args[1].kind, events::Argument::Kind::kInt);  // auto from -4@$42
  EXPECT_EQ(ev.args[1].i, 42);
}

TEST(GenericUsdt, SemaphoreIsRaisedWhileAttached) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  EXPECT_EQ(run_target({"1", "a"}).out, "sema=0\n");
  auto loaded = rig.load(usdt_spec("guarded", R"(    args: [{index: 0, type: int}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  TargetRun run = run_target({"6", "a"});
  EXPECT_EQ(WEXITSTATUS(run.status), 0);
  EXPECT_EQ(run.out, "sema=1\n");
  rig.drain();
  ASSERT_EQ(rig.sink.usdts.size(), 1u);
  EXPECT_EQ(rig.sink.usdts[0].args[0].i, 6);
  EXPECT_EQ(rig.sink.usdt_pids[0], uint32_t(run.pid));
  ASSERT_TRUE(rig.policies->remove("uprobe-test"));
  EXPECT_EQ(run_target({"1", "a"}).out, "sema=0\n");  // detached: the count drops back
}

}  // namespace
}  // namespace octagon::testing
