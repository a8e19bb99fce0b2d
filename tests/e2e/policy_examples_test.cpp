// T4 (host kernel): Tetragon's example policies, unchanged, loaded by the real agent. Those this
// kernel can run are triggered from real processes and their events checked; the others must be
// refused at start-up with a reason naming the file, line and what is missing.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
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

class PolicyExamples : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "loading policies needs root";
    dir_ = fs::temp_directory_path() / ("octagon-pol-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs the agent with `policy`, calls trigger(), and returns the events of `type` for which
  // pred holds (waits up to 5 s for the first).
  std::vector<json> run(const std::string& policy, const std::string& type,
                        const std::function<void()>& trigger,
                        const std::function<bool(const json&)>& pred) {
    std::string path = example(policy);
    EXPECT_FALSE(path.empty()) << "missing example " << policy;
    PolicyRun r = run_policy(dir_.string(), path, type, trigger, pred);
    err_ = r.err;
    return r.events;
  }

  fs::path dir_;
  std::string err_;
};

pid_t run_child(const std::function<void()>& body) {
  pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  int st;
  waitpid(pid, &st, 0);
  return pid;
}

TEST_F(PolicyExamples, SysSetuidRemappedToTracepoint) {
  pid_t pid = 0;
  auto ev = run("sys_setuid.yaml", "process_kprobe",
                [&] { pid = run_child([] { (void)!setuid(65534); }); },
                [&](const json& k) { return k["process"]["pid"] == pid; });
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["function_name"], "__x64_sys_setuid");
  EXPECT_EQ(ev[0]["policy_name"], "syscalls");
  EXPECT_EQ(ev[0]["action"], "KPROBE_ACTION_POST");
  EXPECT_EQ(ev[0]["args"], json::parse(R"([{"int_arg":65534}])"));
  EXPECT_EQ(ev[0]["parent"]["pid"], getpid());  // enriched from the process cache
  EXPECT_NE(err_.find("kprobe sys_setuid runs on tracepoint syscalls/sys_enter_setuid"), std::string::npos);
}

TEST_F(PolicyExamples, SymlinkObserveFiltersInKernel) {
  std::string link = (dir_ / "passwd-link").string();
  std::string other = (dir_ / "other-link").string();
  pid_t pid = 0;
  auto ev = run("symlink-observe.yaml", "process_kprobe",
                [&] {
                  pid = run_child([&] {
                    // symlinkat(2) itself: glibc's symlink() uses the older symlink syscall.
                    syscall(SYS_symlinkat, "/etc/hostname", AT_FDCWD, other.c_str());  // filtered out
                    syscall(SYS_symlinkat, "/etc/passwd", AT_FDCWD, link.c_str());
                  });
                },
                [&](const json& k) { return k["process"]["pid"] == pid; });
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["function_name"], "__x64_sys_symlinkat");
  EXPECT_EQ(ev[0]["args"][0]["string_arg"], "/etc/passwd");
  EXPECT_EQ(ev[0]["args"][1]["int_arg"], AT_FDCWD);
  EXPECT_EQ(ev[0]["args"][2]["string_arg"], link);
}

TEST_F(PolicyExamples, OpenatWriteWithMaskAndReturnValue) {
  pid_t pid = 0;
  auto ev = run("openat_write.yaml", "process_kprobe",
                [&] {
                  pid = run_child([] {
                    close(open("/etc/passwd", O_RDONLY));          // no write flag: filtered out
                    close(open("/etc/passwd", O_WRONLY | O_APPEND));  // matches: writes nothing
                  });
                },
                [&](const json& k) { return k["process"]["pid"] == pid; });
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["function_name"], "__x64_sys_openat");
  EXPECT_EQ(ev[0]["args"][1]["string_arg"], "/etc/passwd");
  EXPECT_EQ(ev[0]["args"][2]["int_arg"], O_WRONLY | O_APPEND);
  ASSERT_TRUE(ev[0].contains("return"));
  EXPECT_GT(ev[0]["return"]["int_arg"].get<int>(), 0);  // the fd
  EXPECT_EQ(ev[0]["return_action"], "KPROBE_ACTION_POST");
}

TEST_F(PolicyExamples, SysMountStrings) {
  std::string target = (dir_ / "mnt").string();
  fs::create_directories(target);
  pid_t pid = 0;
  auto ev = run("sys_mount.yaml", "process_kprobe",
                [&] {
                  pid = run_child([&] {
                    if (mount("octagon-tmpfs", target.c_str(), "tmpfs", 0, "size=1m") == 0)
                      umount(target.c_str());
                  });
                },
                [&](const json& k) { return k["process"]["pid"] == pid; });
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["args"][0]["string_arg"], "octagon-tmpfs");
  EXPECT_EQ(ev[0]["args"][1]["string_arg"], target);
}

TEST_F(PolicyExamples, ListOfSyscallsBecomesOneHookEach) {
  pid_t pid = 0;
  auto ev = run("list-syscalls.yaml", "process_kprobe",
                [&] { pid = run_child([] { close(dup(1)); close(dup2(1, 100)); }); },
                [&](const json& k) { return k["process"]["pid"] == pid; });
  ASSERT_GE(ev.size(), 1u) << err_;
  std::set<std::string> fns;
  for (const auto& e : ev) fns.insert(e["function_name"].get<std::string>());
  EXPECT_EQ(fns, (std::set<std::string>{"__x64_sys_dup", "__x64_sys_dup2"})) << err_;
}

TEST_F(PolicyExamples, RawSyscallsTracepointWithInMapList) {
  pid_t pid = 0;
  auto ev = run("list-syscalls-tracepoint.yaml", "process_tracepoint",
                [&] { pid = run_child([] { close(dup(1)); getppid(); close(dup2(1, 100)); }); },
                [&](const json& t) { return t["process"]["pid"] == pid; });
  ASSERT_GE(ev.size(), 1u) << err_;
  for (const auto& t : ev) {
    EXPECT_EQ(t["subsys"], "raw_syscalls");
    EXPECT_EQ(t["event"], "sys_enter");
    uint64_t id = std::stoull(t["args"][0]["size_arg"].get<std::string>());
    EXPECT_TRUE(id == SYS_dup || id == SYS_dup2) << t.dump();  // getppid filtered out in-kernel
  }
}

// raw_syscalls.yaml has no selector: every syscall of every process is an event. The agent
// writes them to a file for a moment; the file is then scanned once, line by line.
TEST_F(PolicyExamples, RawSyscallsAsSyscall64) {
  std::string log = (dir_ / "events.log").string();
  AgentProcess agent(dir_.string(), {"--tracing-policy", example("raw_syscalls.yaml"), "--export-stdout=false",
                                     "--export-filename", log, "--export-file-max-size-mb", "1024",
                                     "--export-file-max-backups", "0"});
  ASSERT_TRUE(agent.wait_stderr("exporting events")) << agent.err();
  pid_t pid = run_child([] {
    for (int i = 0; i < 200; i++) syscall(SYS_getppid);  // under the flood, some may be dropped
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(agent.stop(), 0);
  std::ifstream in(log);
  std::string line, needle = "\"pid\":" + std::to_string(pid) + ",";
  bool found = false;
  while (!found && std::getline(in, line)) {
    if (line.find(needle) == std::string::npos || line.rfind("{\"process_tracepoint\":", 0) != 0) continue;
    json t = json::parse(line)["process_tracepoint"];
    if (t["process"]["pid"] == pid && t["args"][0]["syscall_id"]["id"] == SYS_getppid) {
      EXPECT_EQ(t["args"][0]["syscall_id"]["abi"], "x64");
      EXPECT_EQ(t["event"], "sys_enter");
      found = true;
    }
  }
  // Under such a flood events may be dropped, but never silently: the status line counts them.
  auto status = lines_with(agent.err(), "status");
  ASSERT_FALSE(status.empty());
  json totals = json::parse(status.back())["status"]["totals"];
  uint64_t lost = totals["kernel_lost"].get<uint64_t>() + totals["user_dropped"].get<uint64_t>();
  EXPECT_TRUE(found || lost > 0) << "no getppid event for pid " << pid << " and no drop counted; "
                                 << status.back();
}

// Runs tests/testprogs/selector_probe with `args`, stdout to a pipe; returns the "name=pid"
// pids it printed.
std::map<std::string, pid_t> run_probe(const std::vector<std::string>& args) {
  int p[2];
  std::map<std::string, pid_t> out;
  if (pipe(p) != 0) return out;
  std::string prog = std::string(OCTAGON_TESTPROGS_DIR) + "/selector_probe";
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    close(p[0]);
    close(p[1]);
    std::vector<char*> argv{const_cast<char*>(prog.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(p[1]);
  std::string text;
  char buf[256];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof buf)) > 0) text.append(buf, size_t(n));
  close(p[0]);
  int st;
  waitpid(pid, &st, 0);
  for (size_t at = 0; (at = text.find('=', at)) != std::string::npos; at++) {
    size_t start = text.rfind('\n', at);
    start = start == std::string::npos ? 0 : start + 1;
    out[text.substr(start, at - start)] = pid_t(atoi(text.c_str() + at + 1));
  }
  return out;
}

// Hops from this process up to pid 1.
int hops_to_init() {
  int hops = 0;
  for (pid_t p = getpid(); p > 1 && hops < 64; hops++) {
    std::ifstream in("/proc/" + std::to_string(p) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    size_t close_paren = stat.rfind(')');
    if (close_paren == std::string::npos) return 64;
    p = pid_t(atoi(stat.c_str() + close_paren + 4));  // ") S <ppid>"
  }
  return hops;
}

// matchPIDs NotIn [1], followForks, isNamespacePID: a process matches when neither it nor its
// ancestors (OCT_GEN_FOLLOW_DEPTH = 16 looked at) is pid 1 of its pid namespace. A 20-deep
// chain of forks under this test hides init; the probe run directly does not.
TEST_F(PolicyExamples, WriteFollowsForksAwayFromInit) {
  std::map<std::string, pid_t> deep, shallow;
  auto ev = run("write.yaml", "process_kprobe",
                [&] {
                  deep = run_probe({"deep", "20", "write"});
                  shallow = run_probe({"deep", "1", "write"});
                },
                [&](const json& k) {
                  return k["process"]["pid"] == deep["leaf"] || k["process"]["pid"] == shallow["leaf"];
                });
  ASSERT_GT(deep["leaf"], 0);
  std::vector<json> x;
  for (const auto& e : ev) {
    EXPECT_EQ(e["process"]["pid"], deep["leaf"]) << (hops_to_init() + 2 > 16 ? "(init is too far up here)" : "");
    if (e["args"][1]["bytes_arg"] == "eA==") x.push_back(e);  // "x"; the other is "leaf=<pid>\n"
  }
  ASSERT_EQ(x.size(), 1u) << err_;
  EXPECT_EQ(x[0]["function_name"], "__x64_sys_write");
  EXPECT_EQ(x[0]["policy_name"], "sys-write");
  EXPECT_EQ(x[0]["args"][0]["int_arg"], 1);
  EXPECT_EQ(x[0]["args"][2]["size_arg"], "1");
  EXPECT_EQ(x[0]["action"], "KPROBE_ACTION_POST");
}

// Two matchPIDs entries (NotIn [1] and NotIn [0], both followForks + isNamespacePID), AND'ed.
TEST_F(PolicyExamples, PivotRootFollowsForksAwayFromInit) {
  std::map<std::string, pid_t> deep, shallow;
  auto ev = run("sys_pivot_root.yaml", "process_kprobe",
                [&] {
                  deep = run_probe({"deep", "20", "pivot", "/octagon-new-root", "/octagon-new-root/old"});
                  shallow = run_probe({"deep", "1", "pivot", "/octagon-shallow", "/octagon-shallow/old"});
                },
                [&](const json& k) {
                  return k["process"]["pid"] == deep["leaf"] || k["process"]["pid"] == shallow["leaf"];
                });
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["process"]["pid"], deep["leaf"]);
  EXPECT_EQ(ev[0]["function_name"], "__x64_sys_pivot_root");
  EXPECT_EQ(ev[0]["policy_name"], "sys-pivot-root");
  EXPECT_EQ(ev[0]["args"][0]["string_arg"], "/octagon-new-root");
  EXPECT_EQ(ev[0]["args"][1]["string_arg"], "/octagon-new-root/old");
  if (hops_to_init() + 2 > 16) GTEST_SKIP() << "init is more than 16 processes up: the shallow probe could match";
}

// rawtp.yaml: raw tracepoint sched_process_exec, argument 2 (struct linux_binprm *) typed by
// the kernel's BTF and shown as linux_binprm_arg with the executed file's path.
TEST_F(PolicyExamples, RawTracepointLinuxBinprm) {
  std::string prog = std::string(OCTAGON_TESTPROGS_DIR) + "/exit_with";
  pid_t pid = 0;
  auto ev = run("rawtp.yaml", "process_tracepoint",
                [&] {
                  pid = fork();
                  if (pid == 0) {
                    execl(prog.c_str(), prog.c_str(), "7", nullptr);
                    _exit(127);
                  }
                  int st;
                  waitpid(pid, &st, 0);
                },
                [&](const json& t) { return t["process"]["pid"] == pid; });
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["subsys"], "sched");
  EXPECT_EQ(ev[0]["event"], "sched_process_exec");
  EXPECT_EQ(ev[0]["policy_name"], "rawtp");
  EXPECT_EQ(ev[0]["process"]["binary"], prog);  // the exec is known when the event is shown
  EXPECT_EQ(ev[0]["args"], json::parse(R"([{"linux_binprm_arg":{"path":")" + prog +
                                       R"(","permission":"-rwxr-xr-x"}}])"));
}

// Examples this kernel cannot run: refused at start-up, exit code 1, with the reason.
TEST_F(PolicyExamples, UnrunnableExamplesAreRefusedWithReasons) {
  struct Case {
    const char* file;
    const char* reason;
  } cases[] = {
      {"hardlink-override.yaml", "Override cannot work on this kernel"},
      {"symlink-override.yaml", "Override cannot work on this kernel"},
      {"override-security.yaml", "needs kprobes or BPF trampolines (fentry), and this kernel has neither"},
      {"lsm_file_open.yaml", "lsmhooks: hook file_open needs BPF-LSM"},
      {"lsm_bprm_check.yaml", "lsmhooks: hook bprm_check_security needs BPF-LSM"},
      {"fd_install_caps.yaml", "kprobe on kernel function fd_install needs kprobes or BPF trampolines"},
      {"kprobe_commit_creds.yaml", "kprobe on kernel function commit_creds needs kprobes or BPF trampolines"},
  };
  for (const auto& c : cases) {
    std::string path = example(c.file);
    ASSERT_FALSE(path.empty()) << c.file;
    AgentProcess agent(dir_.string(), {"--tracing-policy", path, "--export-stdout=false"});
    int st = agent.wait();
    EXPECT_EQ(WEXITSTATUS(st), 1) << c.file;
    std::string err = agent.err();
    EXPECT_NE(err.find(c.reason), std::string::npos) << c.file << ": " << err;
    EXPECT_NE(err.find(std::string(c.file) + ":"), std::string::npos) << "no file:line in: " << err;
  }
}

}  // namespace
}  // namespace octagon::testing
