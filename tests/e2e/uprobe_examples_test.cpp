// T4 (host kernel): Tetragon's uprobe and usdt example policies loaded by the real agent.
// uprobe.yaml and uprobe-host.yaml run unchanged on /bin/bash; usdt.yaml names a binary of
// Tetragon's test tree, so it is refused as written and run with only its path pointed at
// tests/testprogs/uprobe_target, which has the same test:usdt3 probe.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "e2e/agent_process.h"
#include "e2e/policy_run.h"

namespace octagon::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string example(const std::string& name) {
  for (std::string dir : {std::string(OCTAGON_SOURCE_DIR) + "/tests/fixtures/policies/tetragon-examples",
                          std::string(OCTAGON_SOURCE_DIR) + "/../shared/policies/tetragon-examples"})
    if (fs::exists(dir + "/" + name)) return dir + "/" + name;
  return "";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t run_program(const std::vector<std::string>& argv) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> a;
    std::vector<std::string> copy = argv;
    for (auto& s : copy) a.push_back(s.data());
    a.push_back(nullptr);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    execv(a[0], a.data());
    _exit(127);
  }
  int st;
  waitpid(pid, &st, 0);
  return pid;
}

class UprobeExamples : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "loading policies needs root";
    dir_ = fs::temp_directory_path() / ("octagon-uprobe-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs the agent with `policy`, calls trigger(), returns the `type` events pred accepts.
  std::vector<json> run(const std::string& policy, const std::string& type, const std::function<void()>& trigger,
                        const std::function<bool(const json&)>& pred, size_t want = 1) {
    PolicyRun r = run_policy(dir_.string(), policy, type, trigger, pred, want);
    err_ = r.err;
    return r.events;
  }

  fs::path dir_;
  std::string err_;
};

TEST_F(UprobeExamples, BashReadlineAndMain) {
  pid_t pid = 0;
  auto ev = run(example("uprobe.yaml"), "process_uprobe",
                [&] {
                  pid = run_program({"/bin/bash", "-c", "exit 0"});  // main only
                  // readline runs when an interactive shell reads a line from a terminal.
                  if (access("/usr/bin/script", X_OK) == 0)
                    run_program({"/bin/sh", "-c",
                                 "echo exit | /usr/bin/script -q -c '/bin/bash --norc --noprofile -i' /dev/null"});
                },
                [&](const json& u) { return u["process"]["pid"] == pid || u["symbol"] == "readline"; },
                access("/usr/bin/script", X_OK) == 0 ? 2 : 1);
  ASSERT_GE(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["process"]["pid"], pid);
  EXPECT_EQ(ev[0]["path"], "/bin/bash");
  EXPECT_EQ(ev[0]["symbol"], "main");
  EXPECT_EQ(ev[0]["policy_name"], "uprobe");
  EXPECT_EQ(ev[0]["action"], "KPROBE_ACTION_POST");
  EXPECT_EQ(ev[0]["process"]["binary"], "/usr/bin/bash");
  EXPECT_NE(ev[0]["offset"].get<std::string>(), "0");
  if (access("/usr/bin/script", X_OK) != 0) return;  // no util-linux script(1): main only
  ASSERT_GE(ev.size(), 2u) << err_;
  EXPECT_EQ(ev[1]["symbol"], "readline");
  EXPECT_EQ(ev[1]["process"]["binary"], "/usr/bin/bash");
  EXPECT_NE(ev[1]["offset"], ev[0]["offset"]);
}

TEST_F(UprobeExamples, HostBashThroughProcRoot) {
  std::string policy = example("uprobe-host.yaml"), expect_path = "/procRoot/1/root/usr/bin/bash";
  if (access("/proc/1/root/usr/bin/bash", R_OK) != 0) {
    // A sandbox that hides pid 1's root from the agent: refused, naming the file and why.
    int e = errno;
    AgentProcess agent(dir_.string(), {"--tracing-policy", example("uprobe-host.yaml"), "--export-stdout=false"});
    EXPECT_EQ(WEXITSTATUS(agent.wait()), 1);
    EXPECT_NE(agent.err().find("uprobe-host.yaml:7:"), std::string::npos) << agent.err();
    EXPECT_NE(agent.err().find("/proc/1/root/usr/bin/bash: " + std::string(strerror(e))), std::string::npos)
        << agent.err();
    // The /procRoot translation itself, through the agent's own root instead of pid 1's.
    std::string text = read_file(example("uprobe-host.yaml"));
    size_t at = text.find("/procRoot/1/");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 12, "/procRoot/self/");
    policy = (dir_ / "uprobe-host.yaml").string();
    std::ofstream(policy) << text;
    expect_path = "/procRoot/self/root/usr/bin/bash";
  }
  pid_t pid = 0;
  auto ev = run(policy, "process_uprobe",
                [&] { pid = run_program({"/usr/bin/bash", "-c", "exit 0"}); },
                [&](const json& u) { return u["process"]["pid"] == pid; });
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["path"], expect_path);  // as the policy names it
  EXPECT_EQ(ev[0]["symbol"], "_start");
}

TEST_F(UprobeExamples, UsdtWithItsPathPointedAtTheTestProgram) {
  std::string prog = std::string(OCTAGON_TESTPROGS_DIR) + "/uprobe_target";
  std::string text = read_file(example("usdt.yaml"));
  const std::string orig = "/home/jolsa/tetragon/contrib/tester-progs/usdt";
  size_t at = text.find(orig);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, orig.size(), prog);
  std::string policy = (dir_ / "usdt.yaml").string();
  std::ofstream(policy) << text;
  pid_t pid = 0;
  auto ev = run(policy, "process_usdt", [&] { pid = run_program({prog, "1", "x"}); },
                [&](const json& u) { return u["process"]["pid"] == pid; });
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["path"], prog);
  EXPECT_EQ(ev[0]["provider"], "test");
  EXPECT_EQ(ev[0]["name"], "usdt3");
  EXPECT_EQ(ev[0]["policy_name"], "usdts");
  EXPECT_EQ(ev[0]["args"], json::parse(R"([{"int_arg":-1},{"long_arg":"-8"}])"));
  EXPECT_EQ(ev[0]["action"], "KPROBE_ACTION_POST");
}

// As written: refused at start-up with the file, the line and what is missing.
TEST_F(UprobeExamples, UnrunnableAsWrittenAreRefused) {
  struct Case {
    const char* file;
    const char* reason;
  } cases[] = {
      {"usdt.yaml", "no file /home/jolsa/tetragon/contrib/tester-progs/usdt"},
  };
  for (const auto& c : cases) {
    AgentProcess agent(dir_.string(), {"--tracing-policy", example(c.file), "--export-stdout=false"});
    int st = agent.wait();
    EXPECT_EQ(WEXITSTATUS(st), 1) << c.file;
    std::string err = agent.err();
    EXPECT_NE(err.find(c.reason), std::string::npos) << c.file << ": " << err;
    EXPECT_NE(err.find(std::string(c.file) + ":"), std::string::npos) << "no file:line in: " << err;
  }
}

// uprobe-pid.yaml with its pid pointed at a shell of ours: readline in an interactive bash the
// shell starts (a descendant, followForks) is reported; the same bash started outside is not.
TEST_F(UprobeExamples, PidWithFollowForksMatchesOnlyThatTree) {
  if (access("/usr/bin/script", X_OK) != 0) GTEST_SKIP() << "needs util-linux script(1) for a terminal";
  std::string fifo = (dir_ / "go").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // The two interactive shells differ only in the order of their flags, so an event names which
  // one it came from. script(1) may start bash directly or through $SHELL -c; either way the bash
  // inside descends from the shell we name.
  auto interactive = [](const char* flags) {
    return std::string("echo exit | /usr/bin/script -q -c '/bin/bash ") + flags + "' /dev/null >/dev/null";
  };
  const char* inside_flags = "--norc --noprofile -i";
  const char* outside_flags = "--noprofile --norc -i";
  pid_t tree = fork();
  if (tree == 0) {
    execl("/bin/sh", "sh", "-c", ("read x < " + fifo + "; " + interactive(inside_flags)).c_str(), (char*)nullptr);
    _exit(127);
  }
  std::string text = read_file(example("uprobe-pid.yaml"));
  size_t at = text.find("61697");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 5, std::to_string(tree));
  std::string policy = (dir_ / "uprobe-pid.yaml").string();
  std::ofstream(policy) << text;
  auto ev = run(policy, "process_uprobe",
                [&] {
                  run_program({"/bin/sh", "-c", interactive(outside_flags)});  // not in the tree
                  std::ofstream(fifo) << "go\n";
                  int st;
                  waitpid(tree, &st, 0);
                },
                [&](const json& u) { return u["symbol"] == "readline"; }, 2);
  ASSERT_GE(ev.size(), 1u) << err_;
  for (const auto& e : ev) {
    EXPECT_EQ(e["policy_name"], "uprobe");
    EXPECT_EQ(e["process"]["binary"], "/usr/bin/bash");
    EXPECT_EQ(e["process"]["arguments"], inside_flags) << e.dump();
  }
  EXPECT_EQ(ev.size(), 1u) << "the bash outside the tree must not match: " << json(ev).dump();
}

}  // namespace
}  // namespace octagon::testing
