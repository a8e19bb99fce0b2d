// T4 (host kernel): the real `octagon agent` binary, its JSON output, its errors and status.
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include <octagon/events/exec_id.h>

#include "e2e/agent_process.h"

extern char** environ;

namespace octagon::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kReady = "exporting events";

class AgentE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "e2e tests run the agent, which needs root";
    dir_ = fs::temp_directory_path() / ("octagon-e2e-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

pid_t spawn_prog(const std::vector<std::string>& argv) {
  std::vector<char*> a;
  for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  pid_t pid = -1;
  posix_spawn(&pid, a[0], nullptr, nullptr, a.data(), environ);
  return pid;
}

std::string testprog(const std::string& n) { return std::string(OCTAGON_TESTPROGS_DIR) + "/" + n; }

// Polls `file` until a line with event `key` satisfies pred.
std::optional<json> wait_event(const std::string& file, const std::string& key,
                               const std::function<bool(const json&)>& pred) {
  for (int i = 0; i < 250; i++) {
    for (const auto& line : lines_with(read_file(file), key)) {
      json j = json::parse(line);
      if (pred(j)) return j;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

uint64_t start_ticks(pid_t pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::string f;
  for (int i = 3; i <= 22; i++) in >> f;  // field 22: starttime
  return std::stoull(f);
}

TEST_F(AgentE2E, ExecAndExitInTetragonJson) {
  std::string log = path("events.log");
  AgentProcess agent(dir_.string(), {"--node-name", "e2e-node", "--export-filename", log,
                                     "--export-stdout=false"});
  ASSERT_TRUE(agent.wait_stderr(kReady)) << agent.err();
  pid_t pid = spawn_prog({testprog("exit_with"), "3", "a b"});
  int st;
  waitpid(pid, &st, 0);
  auto exec = wait_event(log, "process_exec", [&](const json& j) {
    return j["process_exec"]["process"]["pid"] == pid;
  });
  ASSERT_TRUE(exec) << read_file(log);
  const json& p = (*exec)["process_exec"]["process"];
  EXPECT_EQ(p["binary"], fs::canonical(testprog("exit_with")).string());
  EXPECT_EQ(p["arguments"], "3 \"a b\"");
  EXPECT_EQ(p["uid"], 0);
  EXPECT_EQ(p["auid"].is_number(), true);
  EXPECT_EQ(p["tid"], pid);
  EXPECT_TRUE(p["flags"].get<std::string>().rfind("execve", 0) == 0);
  std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z)");
  EXPECT_TRUE(std::regex_match(p["start_time"].get<std::string>(), rfc3339));
  EXPECT_TRUE(std::regex_match((*exec)["time"].get<std::string>(), rfc3339));
  EXPECT_EQ((*exec)["node_name"], "e2e-node");
  // exec_id = base64("node:ktime:pid") and parent_exec_id names the parent object.
  std::string id = p["exec_id"];
  std::string prefix = events::base64_encode("e2e-node:");
  EXPECT_EQ(id.substr(0, 8), prefix.substr(0, 8));
  ASSERT_TRUE((*exec)["process_exec"].contains("parent"));
  EXPECT_EQ(p["parent_exec_id"], (*exec)["process_exec"]["parent"]["exec_id"]);
  EXPECT_EQ((*exec)["process_exec"]["parent"]["pid"], getpid());

  auto exit = wait_event(log, "process_exit", [&](const json& j) {
    return j["process_exit"]["process"]["pid"] == pid;
  });
  ASSERT_TRUE(exit);
  EXPECT_EQ((*exit)["process_exit"]["status"], 3);
  EXPECT_FALSE((*exit)["process_exit"].contains("signal"));
  EXPECT_EQ((*exit)["process_exit"]["process"]["exec_id"], id);
  EXPECT_EQ(agent.stop(), 0);
}

TEST_F(AgentE2E, HostileArgumentsAreEscapedInJsonAndCompact) {
  std::string log = path("events.log");
  AgentProcess agent(dir_.string(), {"--node-name", "e2e-node", "--export-filename", log,
                                     "--output", "compact", "--color", "never"});
  ASSERT_TRUE(agent.wait_stderr(kReady)) << agent.err();
  std::string evil = "\x1b[2J\x1b]0;pwned\x07\nfake line\r\x7f\"\\";
  std::string bad_utf8 = "\xff\xc0\xaf";
  pid_t pid = spawn_prog({testprog("exit_with"), "0", evil, bad_utf8});
  waitpid(pid, nullptr, 0);
  auto exec = wait_event(log, "process_exec", [&](const json& j) {
    return j["process_exec"]["process"]["pid"] == pid;
  });
  ASSERT_TRUE(exec);
  // JSON: the exact bytes round-trip; invalid UTF-8 becomes U+FFFD per byte.
  EXPECT_EQ((*exec)["process_exec"]["process"]["arguments"],
            "0 \"" + evil + "\" \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  std::string raw = read_file(log);
  for (char c : raw) ASSERT_FALSE(c != '\n' && static_cast<unsigned char>(c) < 0x20) << "raw control byte in JSON";
  EXPECT_EQ(agent.stop(), 0);
  // Compact on stdout: no raw escape, bell, carriage return or newline inside the line.
  auto out = agent.out();
  size_t at = out.find("pwned");
  ASSERT_NE(at, std::string::npos) << out;
  std::string line = out.substr(at, out.find('\n', at) - at);
  for (char c : line) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << line;
}

TEST_F(AgentE2E, ProcessStartedBeforeAgentIsSeededWithProcFS) {
  pid_t idle = spawn_prog({testprog("idle"), "30"});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let it exec
  uint64_t ticks = start_ticks(idle);
  std::string log = path("events.log");
  AgentProcess agent(dir_.string(), {"--node-name", "e2e-node", "--export-filename", log,
                                     "--export-stdout=false"});
  ASSERT_TRUE(agent.wait_stderr(kReady)) << agent.err();
  kill(idle, SIGTERM);
  waitpid(idle, nullptr, 0);
  auto exit = wait_event(log, "process_exit", [&](const json& j) {
    return j["process_exit"]["process"]["pid"] == idle;
  });
  ASSERT_TRUE(exit) << read_file(log);
  const json& p = (*exit)["process_exit"]["process"];
  EXPECT_NE(p["flags"].get<std::string>().find("procFS"), std::string::npos) << p.dump();
  EXPECT_EQ(p["binary"], fs::canonical(testprog("idle")).string());
  EXPECT_EQ(p["arguments"], "30");
  EXPECT_EQ((*exit)["process_exit"]["signal"], "SIGTERM");
  // The kernel side and the /proc scan agree on the identity: start time in USER_HZ ticks.
  EXPECT_EQ(p["exec_id"], events::make_exec_id("e2e-node", ticks * 10000000ull, idle));
  EXPECT_EQ(agent.stop(), 0);
}

TEST_F(AgentE2E, StatusOnDemandAndAtExit) {
  AgentProcess agent(dir_.string(), {"--export-stdout=false", "--export-filename", path("e.log")});
  ASSERT_TRUE(agent.wait_stderr(kReady)) << agent.err();
  kill(agent.pid(), SIGUSR1);
  ASSERT_TRUE(agent.wait_stderr("{\"status\":"));
  EXPECT_EQ(agent.stop(), 0);
  auto lines = lines_with(agent.err(), "status");
  ASSERT_EQ(lines.size(), 2u) << agent.err();  // one on demand, one at exit
  json s = json::parse(lines.back())["status"];
  EXPECT_EQ(s["totals"]["kernel_lost"], 0);
  EXPECT_EQ(s["totals"]["user_dropped"], 0);
  EXPECT_TRUE(s["kernel_missed"]["exec"].contains("ringbuf_full"));
  EXPECT_GT(s["events"]["procfs_seeded"].get<int>(), 1);
  EXPECT_EQ(s["exporters"][0]["dropped_queue_full"], 0);
}

TEST_F(AgentE2E, CapabilityReportNamesMechanisms) {
  AgentProcess agent(dir_.string(), {"--export-stdout=false"});
  ASSERT_TRUE(agent.wait_stderr(kReady)) << agent.err();
  std::string err = agent.err();
  EXPECT_NE(err.find("process exec: tp_btf/sched_process_exec"), std::string::npos) << err;
  EXPECT_NE(err.find("process exit: tp_btf/sched_process_exit"), std::string::npos) << err;
  EXPECT_NE(err.find("fentry/fexit: "), std::string::npos) << err;
  EXPECT_EQ(agent.stop(), 0);
}

TEST_F(AgentE2E, CompactOutputOnStdout) {
  AgentProcess agent(dir_.string(), {"--output", "compact", "--node-name", "e2e-node"});
  ASSERT_TRUE(agent.wait_stderr(kReady)) << agent.err();
  pid_t pid = spawn_prog({testprog("exit_with"), "9"});
  waitpid(pid, nullptr, 0);
  std::string want_exec = "🚀 process e2e-node " + fs::canonical(testprog("exit_with")).string() + " 9";
  std::string want_exit = "💥 exit    e2e-node " + fs::canonical(testprog("exit_with")).string() + " 9 9";
  for (int i = 0; i < 250 && agent.out().find(want_exit) == std::string::npos; i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_NE(agent.out().find(want_exec + "\n"), std::string::npos) << agent.out();
  EXPECT_NE(agent.out().find(want_exit + "\n"), std::string::npos) << agent.out();
  EXPECT_EQ(agent.stop(), 0);
}

TEST_F(AgentE2E, ExportFileRotatesAndIsRootOnly) {
  std::string log = path("events.log");
  AgentProcess agent(dir_.string(), {"--export-filename", log, "--export-stdout=false",
                                     "--export-file-max-size-mb", "1", "--export-file-max-backups", "2"});
  ASSERT_TRUE(agent.wait_stderr(kReady)) << agent.err();
  std::string big(3000, 'x');  // ~3 KB per exec and exit line: 400 processes > 2 MB
  for (int i = 0; i < 400; i++) {
    pid_t pid = spawn_prog({testprog("exit_with"), "0", big});
    waitpid(pid, nullptr, 0);
  }
  for (int i = 0; i < 250 && !fs::exists(log + ".2"); i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(agent.stop(), 0);
  EXPECT_TRUE(fs::exists(log + ".1"));
  EXPECT_TRUE(fs::exists(log + ".2"));
  EXPECT_FALSE(fs::exists(log + ".3"));
  for (const auto& f : {log, log + ".1", log + ".2"}) {
    struct stat st{};
    ASSERT_EQ(stat(f.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
    EXPECT_LE(st.st_size, 1 << 20) << f;
  }
}

TEST_F(AgentE2E, InvalidConfigurationFailsClearly) {
  AgentProcess bad_size(dir_.string(), {"--rb-size", "abc"});
  int st = bad_size.wait();
  EXPECT_EQ(WEXITSTATUS(st), 2);
  EXPECT_NE(bad_size.err().find("--rb-size"), std::string::npos) << bad_size.err();

  AgentProcess unknown(dir_.string(), {"--no-such-flag"});
  EXPECT_EQ(WEXITSTATUS(unknown.wait()), 2);
  EXPECT_NE(unknown.err().find("--no-such-flag"), std::string::npos) << unknown.err();

  std::string cfg = path("bad.yaml");
  std::ofstream(cfg) << "export-filename: /tmp/x.log\nrb-sise: 8M\n";
  AgentProcess yaml(dir_.string(), {"--config-file", cfg});
  EXPECT_EQ(WEXITSTATUS(yaml.wait()), 2);
  EXPECT_NE(yaml.err().find("rb-sise"), std::string::npos) << yaml.err();
  EXPECT_NE(yaml.err().find(":2:"), std::string::npos) << yaml.err();  // file:line

  AgentProcess unwritable(dir_.string(), {"--export-filename", "/proc/octagon/none/events.log"});
  EXPECT_EQ(WEXITSTATUS(unwritable.wait()), 1);
  EXPECT_NE(unwritable.err().find("/proc/octagon/none/events.log"), std::string::npos) << unwritable.err();
}

TEST_F(AgentE2E, RefusesToStartWithoutPrivileges) {
  chmod(dir_.c_str(), 0777);
  pid_t pid = fork();
  if (pid == 0) {
    if (setgid(65534) || setuid(65534)) _exit(99);
    AgentProcess agent(dir_.string(), {"--export-stdout=false"});
    int st = agent.wait();
    std::ofstream(dir_ / "err.txt") << agent.err();
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 98);
  }
  int st;
  waitpid(pid, &st, 0);
  EXPECT_EQ(WEXITSTATUS(st), 1);
  std::string err = read_file(path("err.txt"));
  EXPECT_NE(err.find("needs root"), std::string::npos) << err;
  EXPECT_NE(err.find("CAP_BPF"), std::string::npos) << err;
}

}  // namespace
}  // namespace octagon::testing
