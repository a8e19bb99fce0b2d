// T4 in the VM tier: Tetragon's example policies that need kernel-function hooks (kprobes on
// kernel functions, fentry/fexit, BPF-LSM), loaded unchanged (except where noted) by the real
// agent, triggered from real processes, their events checked field by field. On this machine's
// kernel (no kprobes, no trampolines, no BPF-LSM) they skip with the agent's refusal; the VM tier
// (scripts/vm-tests.sh) runs them on Debian 6.1 and 6.12. docs/examples-matrix.md has the table.
// The agent's start-up takes seconds under the VM tier's emulation, so one agent loads all the
// examples (--tracing-policy-dir) and one check per example triggers it and reads its events.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <map>
#include <set>

#include "e2e/kfunc_examples.h"
#include "sensor/kobject_triggers.h"

namespace octagon::testing {
namespace {

using nlohmann::json;

class KfuncExamples : public KfuncExamplesBase {
 public:  // one check per example
  void xz_ssh(AgentProcess& agent);
  void fd_install(AgentProcess& agent);
  void filename_monitoring(AgentProcess& agent);
  void kill_userns(AgentProcess& agent);
  void killer(AgentProcess& agent);
  void commit_creds(AgentProcess& agent);
  void lsm_file_open(AgentProcess& agent);
  void socket_connect(AgentProcess& agent);
  void bpf(AgentProcess& agent);
  void tcp_connect(AgentProcess& agent);
};

// Events of `policy` from one of `pids`: all examples run on one agent.
auto of(const std::string& policy, std::vector<pid_t> pids) {
  return [policy, pids](const json& e) {
    if (e["policy_name"] != policy) return false;
    for (pid_t p : pids)
      if (e["process"]["pid"] == p) return true;
    return false;
  };
}

// cve-2024-3094-xz-ssh.yaml: fexit on security_mmap_file, Postfix on the file, rateLimit. The
// policy watches /usr/sbin/sshd; the test runs example_probe instead (matchBinaries adjusted).
void KfuncExamples::xz_ssh(AgentProcess& agent) {
  std::string probe = testprog("example_probe");
  std::string bad = (dir_ / "liblzma.so.5.6.1").string(), good = (dir_ / "liblzma.so.5.4.1").string();
  for (const auto& f : {bad, good}) close(open(f.c_str(), O_CREAT | O_WRONLY, 0755));
  truncate(bad.c_str(), 4096);
  truncate(good.c_str(), 4096);
  pid_t pid = 0, other = 0;
  EXPECT_EQ(run_program({probe, "mmap", good}, &other), 0);
  // rateLimit 1m (per thread, Tetragon's default scope): the second map is not posted.
  EXPECT_EQ(run_program({probe, "mmap", bad, good, bad}, &pid), 0);
  auto ev = collect(agent, "process_kprobe", of("cve-2024-3094-xz-ssh", {pid, other}));
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["process"]["pid"], pid);
  EXPECT_EQ(ev[0]["process"]["binary"], probe);
  EXPECT_EQ(ev[0]["function_name"], "security_mmap_file");
  EXPECT_EQ(ev[0]["policy_name"], "cve-2024-3094-xz-ssh");
  EXPECT_EQ(ev[0]["action"], "KPROBE_ACTION_POST");
  ASSERT_EQ(ev[0]["args"].size(), 2u) << ev[0].dump();  // the nop argument is not shown
  EXPECT_EQ(ev[0]["args"][0]["file_arg"]["path"], bad);
  EXPECT_EQ(ev[0]["args"][0]["file_arg"]["permission"], "-rwxr-xr-x");
  EXPECT_EQ(ev[0]["args"][1], json::parse(R"({"uint_arg":5})"));  // PROT_READ | PROT_EXEC
  EXPECT_EQ(ev[0]["return"], json::parse(R"({"int_arg":0})"));
}

// fd_install_caps.yaml: kprobe fd_install, matchCapabilities In CAP_CHOWN/CAP_NET_RAW with
// isNamespaceCapability: only tasks in a user namespace other than the host's match.
void KfuncExamples::fd_install(AgentProcess& agent) {
  std::string file = (dir_ / "installed").string();
  close(open(file.c_str(), O_CREAT | O_WRONLY, 0640));
  pid_t host = 0, inner = 0;
  EXPECT_EQ(run_child([&] { return open(file.c_str(), O_RDONLY) >= 0 ? 0 : 1; }, &host), 0);
  EXPECT_EQ(run_program({testprog("example_probe"), "userns-open", file}, &inner), 0);
  auto ev = collect(agent, "process_kprobe", of("fd-install", {host, inner}));
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["process"]["pid"], inner);
  EXPECT_EQ(ev[0]["function_name"], "fd_install");
  EXPECT_EQ(ev[0]["policy_name"], "fd-install");
  EXPECT_EQ(ev[0]["action"], "KPROBE_ACTION_POST");
  ASSERT_EQ(ev[0]["args"].size(), 2u) << ev[0].dump();
  EXPECT_GE(ev[0]["args"][0]["int_arg"].get<int>(), 3);
  EXPECT_EQ(ev[0]["args"][1]["file_arg"]["path"], file);
  EXPECT_EQ(ev[0]["args"][1]["file_arg"]["permission"], "-rw-r-----");
}

// filename_monitoring.yaml: fexit on security_file_permission, security_mmap_file and
// security_path_truncate, Prefix /etc/. /etc is read-only in the VM: the probe mounts a tmpfs on
// it in a private mount namespace and writes, reads, maps and truncates a file there.
void KfuncExamples::filename_monitoring(AgentProcess& agent) {
  std::string name = "octagon-fm-" + std::to_string(getpid()), path = "/etc/" + name;
  pid_t pid = 0;
  EXPECT_EQ(run_program({testprog("example_probe"), "etc-files", name}, &pid), 0);
  auto ev = collect(agent, "process_kprobe", of("file-monitoring", {pid}), 5);
  std::set<std::string> seen;
  for (const auto& e : ev) {
    std::string fn = e["function_name"];
    if (e["args"][0].dump().find("/etc/ld.so.cache") != std::string::npos) continue;  // ld.so
    seen.insert(fn + (fn == "security_file_permission" ? ":" + e["args"][1].dump() : ""));
    EXPECT_EQ(e["policy_name"], "file-monitoring");
    EXPECT_EQ(e["action"], "KPROBE_ACTION_POST");
    EXPECT_EQ(e["return"], json::parse(R"({"int_arg":0})")) << e.dump();
    const json& file = fn == "security_path_truncate" ? e["args"][0]["path_arg"] : e["args"][0]["file_arg"];
    EXPECT_EQ(file["path"], path) << e.dump();
    if (fn == "security_mmap_file") {
      EXPECT_EQ(e["args"].size(), 2u) << e.dump();  // nop not shown
    }
  }
  EXPECT_EQ(seen, (std::set<std::string>{R"(security_file_permission:{"int_arg":2})",
                                         R"(security_file_permission:{"int_arg":4})", "security_mmap_file",
                                         "security_path_truncate"}))
      << err_;
}

// kill_unprivileged_user_namespace.yaml: kprobe create_user_ns, Sigkill unless CAP_SYS_ADMIN.
void KfuncExamples::kill_userns(AgentProcess& agent) {
  pid_t admin = 0, pid = 0;
  // With CAP_SYS_ADMIN: not killed (in the VM's chroot the unshare itself fails with EPERM, after
  // create_user_ns was entered).
  EXPECT_TRUE(WIFEXITED(run_child([] { return unshare(CLONE_NEWUSER) == 0 ? 0 : 1; }, &admin)));
  int st = run_program({testprog("example_probe"), "nocap-userns"}, &pid);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << "status " << st;
  auto ev = collect(agent, "process_kprobe", of("kill-unprivileged-user-namespace", {pid, admin}));
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["process"]["pid"], pid);
  EXPECT_EQ(ev[0]["function_name"], "create_user_ns");
  EXPECT_EQ(ev[0]["policy_name"], "kill-unprivileged-user-namespace");
  EXPECT_EQ(ev[0]["action"], "KPROBE_ACTION_SIGKILL");
  EXPECT_FALSE(ev[0].contains("args")) << ev[0].dump();  // its only argument is a nop
}

// killer.yaml: raw_syscalls/sys_enter with the syscall list of dup and dup2, for /usr/bin/bash,
// NotifyEnforcer argSig 9. Without an override, the hook signals the task itself (the syscall may
// complete; argError is not returned). A tracepoint policy: it runs on this machine's kernel too.
void KfuncExamples::killer(AgentProcess& agent) {
  pid_t pid = 0, other = 0;
  EXPECT_EQ(WEXITSTATUS(run_program({"/usr/bin/bash", "-c", "exit 3"}, &other)), 3);
  int st = run_program({"/usr/bin/bash", "-c", "exec 3>&1; exit 4"}, &pid);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << "status " << st;
  auto ev = collect(agent, "process_tracepoint", of("kill-syscalls", {pid, other}));
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["process"]["pid"], pid);
  EXPECT_EQ(ev[0]["subsys"], "raw_syscalls");
  EXPECT_EQ(ev[0]["event"], "sys_enter");
  EXPECT_EQ(ev[0]["policy_name"], "kill-syscalls");
  EXPECT_EQ(ev[0]["action"], "KPROBE_ACTION_NOTIFYENFORCER");
  EXPECT_EQ(ev[0]["args"], json::parse(R"([{"syscall_id":{"id":33,"abi":"x64"}}])"));  // dup2
}

// kprobe_commit_creds.yaml: kprobe commit_creds with the new struct cred.
void KfuncExamples::commit_creds(AgentProcess& agent) {
  pid_t pid = 0;
  EXPECT_EQ(run_child([] { return setresuid(65534, 65534, 65534) == 0 ? 0 : 1; }, &pid), 0);
  auto ev = collect(agent, "process_kprobe", of("commit-creds", {pid}));
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["function_name"], "commit_creds");
  EXPECT_EQ(ev[0]["policy_name"], "commit-creds");
  EXPECT_EQ(ev[0]["action"], "KPROBE_ACTION_POST");
  ASSERT_EQ(ev[0]["args"].size(), 1u) << ev[0].dump();
  const json& c = ev[0]["args"][0]["process_credentials_arg"];
  for (const char* f : {"uid", "euid", "suid", "fsuid"}) EXPECT_EQ(c[f], 65534) << f << ": " << c.dump();
  EXPECT_EQ(c["gid"], getgid());
  EXPECT_FALSE(c.contains("caps")) << c.dump();  // setresuid away from 0 clears them
  EXPECT_EQ(c["user_ns"]["level"], 0);
}

// lsm_file_open.yaml: BPF-LSM file_open for /usr/bin/cat on /etc/passwd or /etc/shadow: a
// process_lsm event whose function_name is the hook without the security_ prefix.
void KfuncExamples::lsm_file_open(AgentProcess& agent) {
  pid_t pid = 0, other = 0;
  EXPECT_EQ(run_program({"/usr/bin/cat", "/etc/hostname"}, &other), 0);
  EXPECT_EQ(run_program({"/usr/bin/cat", "/etc/passwd"}, &pid), 0);
  auto ev = collect(agent, "process_lsm", of("lsm-file-open", {pid, other}));
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["process"]["pid"], pid);
  EXPECT_EQ(ev[0]["process"]["binary"], "/usr/bin/cat");
  EXPECT_EQ(ev[0]["function_name"], "file_open");
  EXPECT_EQ(ev[0]["policy_name"], "lsm-file-open");
  EXPECT_EQ(ev[0]["action"], "KPROBE_ACTION_POST");
  ASSERT_EQ(ev[0]["args"].size(), 1u) << ev[0].dump();
  EXPECT_EQ(ev[0]["args"][0]["file_arg"]["path"], "/etc/passwd");
  EXPECT_EQ(ev[0]["args"][0]["file_arg"]["permission"], "-rw-r--r--");
}

// security-socket-connect.yaml: kprobe security_socket_connect, the kernel's copy of the address,
// Family AF_INET/AF_INET6 (a unix socket's connect is filtered out in the kernel).
void KfuncExamples::socket_connect(AgentProcess& agent) {
  // The guest's loopback may be down: the connect may fail, after the LSM hook ran.
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(9);
  pid_t pid = 0;
  run_child(
      [&] {
        int u = socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un un{};
        un.sun_family = AF_UNIX;
        strcpy(un.sun_path, "/nonexistent-octagon");
        (void)connect(u, reinterpret_cast<sockaddr*>(&un), sizeof un);
        int s = socket(AF_INET, SOCK_STREAM, 0);
        (void)connect(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        return 0;
      },
      &pid);
  auto ev = collect(agent, "process_kprobe", of("security-socket-connect", {pid}));
  ASSERT_EQ(ev.size(), 1u) << err_;
  EXPECT_EQ(ev[0]["function_name"], "security_socket_connect");
  EXPECT_EQ(ev[0]["action"], "KPROBE_ACTION_POST");
  EXPECT_EQ(ev[0]["args"],
            json::parse(R"([{"sockaddr_arg":{"family":"AF_INET","addr":"127.0.0.1","port":9}},{"int_arg":16}])"));
}

// bpf.yaml: bpf_check (bpf_attr), security_perf_event_alloc (perf_event) and the map hook of the
// kernel (security_bpf_map_alloc before 6.9, security_bpf_map_create after; callNotFound is
// ignored for the other). A child creates a map, loads a program and opens a perf event.
void KfuncExamples::bpf(AgentProcess& agent) {
  pid_t pid = 0;
  int st = run_child(
      [] {
        bpf_attr m{};
        m.map_type = BPF_MAP_TYPE_HASH;
        m.key_size = 4;
        m.value_size = 8;
        m.max_entries = 16;
        strcpy(m.map_name, "oct_kmap");
        if (syscall(SYS_bpf, BPF_MAP_CREATE, &m, sizeof m) < 0) return 1;
        bpf_insn insns[2] = {};
        insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r0 = 0
        insns[1].code = BPF_JMP | BPF_EXIT;
        bpf_attr p{};
        p.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
        p.insns = uint64_t(uintptr_t(insns));
        p.insn_cnt = 2;
        p.license = uint64_t(uintptr_t("GPL"));
        strcpy(p.prog_name, "oct_kprog");
        if (syscall(SYS_bpf, BPF_PROG_LOAD, &p, sizeof p) < 0) return 2;
        perf_event_attr a{};
        a.size = sizeof a;
        a.type = PERF_TYPE_SOFTWARE;
        a.config = PERF_COUNT_SW_DUMMY;
        a.disabled = 1;
        return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0) < 0 ? 3 : 0;
      },
      &pid);
  EXPECT_EQ(WEXITSTATUS(st), 0);
  auto ev = collect(agent, "process_kprobe", of("bpf", {pid}), 3);
  std::map<std::string, json> args;
  for (const auto& e : ev) {
    EXPECT_EQ(e["action"], "KPROBE_ACTION_POST");
    ASSERT_EQ(e["args"].size(), 1u) << e.dump();
    std::string fn = e["function_name"];
    args[fn == "security_bpf_map_create" ? "security_bpf_map_alloc" : fn] = e["args"][0];
  }
  EXPECT_EQ(args["bpf_check"], json::parse(R"({"bpf_attr_arg":{"ProgType":"BPF_PROG_TYPE_SOCKET_FILTER",
                                                "InsnCnt":2,"ProgName":"oct_kprog"}})"))
      << err_;
  EXPECT_EQ(args["security_perf_event_alloc"],
            json::parse(R"({"perf_event_arg":{"Type":"PERF_TYPE_SOFTWARE","Config":"9"}})"));
  EXPECT_EQ(args["security_bpf_map_alloc"],
            json::parse(R"({"bpf_map_arg":{"MapType":"BPF_MAP_TYPE_HASH","KeySize":4,"ValueSize":8,
                                            "MaxEntries":16,"MapName":"oct_kmap"}})"));
}

// tcp-connect.yaml: tcp_connect, tcp_sendmsg (with its size) and tcp_close of one loopback
// connection, each with the connection's sock_arg. (The child may also close the listener it
// inherited: that tcp_close has the server's port as its source and is left out. The socket
// cookie is made on demand, so a connection nobody asked it of has none.)
void KfuncExamples::tcp_connect(AgentProcess& agent) {
  NetTrigger t = tcp_connect_child();
  ASSERT_TRUE(t.ok) << "no loopback connection";
  int st = 0;
  EXPECT_EQ(waitpid(t.pid, &st, 0), t.pid);
  EXPECT_EQ(WEXITSTATUS(st), 0);
  auto ev = collect(agent, "process_kprobe", of("connect", {t.pid}), 3);
  std::map<std::string, json> seen;
  for (const auto& e : ev)
    if (e["args"][0]["sock_arg"]["sport"] == t.client_port) seen[e["function_name"]] = e;
  ASSERT_EQ(seen.size(), 3u) << err_;
  for (const auto& [fn, e] : seen) {
    SCOPED_TRACE(fn);
    EXPECT_EQ(e["action"], "KPROBE_ACTION_POST");
    const json& s = e["args"][0]["sock_arg"];
    EXPECT_EQ(s["family"], "AF_INET") << e.dump();
    EXPECT_EQ(s["type"], "SOCK_STREAM");
    EXPECT_EQ(s["protocol"], "IPPROTO_TCP");
    EXPECT_EQ(s["saddr"], "127.0.0.1");
    EXPECT_EQ(s["daddr"], "127.0.0.1");
    EXPECT_EQ(s["dport"], t.server_port);
  }
  EXPECT_EQ(seen["tcp_connect"]["args"][0]["sock_arg"]["state"], "TCP_SYN_SENT");
  EXPECT_EQ(seen["tcp_sendmsg"]["args"][0]["sock_arg"]["state"], "TCP_ESTABLISHED");
  EXPECT_EQ(seen["tcp_sendmsg"]["args"][1], json::parse(R"({"int_arg":1})"));
}

// All the examples above on one agent. Where the kernel has no kernel-function hooks (this
// machine) the agent refuses them: killer.yaml, a tracepoint policy, is checked alone and the
// test skips (fails where the VM tier promises the mechanism).
TEST_F(KfuncExamples, RunnableExamplesOnOneAgent) {
  std::string probe = testprog("example_probe");
  std::string dir = policy_dir({{"cve-2024-3094-xz-ssh.yaml", {{"/usr/sbin/sshd", probe}}},
                                {"fd_install_caps.yaml", {}},
                                {"filename_monitoring.yaml", {}},
                                {"kill_unprivileged_user_namespace.yaml", {}},
                                {"killer.yaml", {}},
                                {"kprobe_commit_creds.yaml", {}},
                                {"lsm_file_open.yaml", {}},
                                {"security-socket-connect.yaml", {}},
                                {"bpf.yaml", {}},
                                {"tcp-connect.yaml", {}}});
  auto agent = start({"--tracing-policy-dir", dir});
  if (!agent && !missing_.empty()) {
    std::string missing = missing_, why = err_;
    auto alone = start({"--tracing-policy", example("killer.yaml")});
    ASSERT_TRUE(alone) << err_;
    {
      SCOPED_TRACE("killer.yaml");
      killer(*alone);
    }
    OCTAGON_REQUIRE_MECHANISM(missing, false, why);
  }
  ASSERT_TRUE(agent) << err_;
  struct Check {
    const char* file;
    void (KfuncExamples::*run)(AgentProcess&);
  } checks[] = {{"cve-2024-3094-xz-ssh.yaml", &KfuncExamples::xz_ssh},
                {"fd_install_caps.yaml", &KfuncExamples::fd_install},
                {"filename_monitoring.yaml", &KfuncExamples::filename_monitoring},
                {"kill_unprivileged_user_namespace.yaml", &KfuncExamples::kill_userns},
                {"killer.yaml", &KfuncExamples::killer},
                {"kprobe_commit_creds.yaml", &KfuncExamples::commit_creds},
                {"lsm_file_open.yaml", &KfuncExamples::lsm_file_open},
                {"security-socket-connect.yaml", &KfuncExamples::socket_connect},
                {"bpf.yaml", &KfuncExamples::bpf},
                {"tcp-connect.yaml", &KfuncExamples::tcp_connect}};
  for (const auto& c : checks) {
    SCOPED_TRACE(c.file);
    (this->*c.run)(*agent);
  }
  EXPECT_EQ(agent->stop(), 0);
}

}  // namespace
}  // namespace octagon::testing
