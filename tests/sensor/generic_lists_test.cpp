// T3: spec.lists and btfType on the running kernel: InMap over a list of syscalls on
// raw_syscalls/sys_enter's id, call: list: over a generated_syscalls list (every syscall of the
// kernel, each on its syscall tracepoint), generated_ftrace, and a raw tracepoint argument cast
// with btfType before resolve:, all triggered by real processes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include <octagon/policy/compiler.h>

#include "sensor/policy_rig.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

using events::Argument;

// A child that calls getcwd, umask and dup (in that order) and exits; waited for.
pid_t getcwd_umask_dup_child() {
  pid_t pid = fork();
  if (pid == 0) {
    char cwd[256];
    syscall(SYS_getcwd, cwd, sizeof(cwd));
    syscall(SYS_umask, 022);
    syscall(SYS_dup, 0);
    _exit(0);
  }
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  return pid;
}

TEST(GenericLists, InMapListLetsOnlyTheListedSyscallsThrough) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("list-inmap", R"(  lists:
  - name: dups
    type: syscalls
    values: [sys_dup, "x64/sys_dup2"]
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
    args: [{index: 4, type: syscall64}]
    selectors:
    - matchArgs: [{index: 0, operator: InMap, values: ["list:dups"]}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = fork();
  if (pid == 0) {
    long a = syscall(SYS_dup, 0);
    syscall(SYS_getppid);
    long b = syscall(SYS_dup2, 0, 40);
    syscall(SYS_close, a);
    syscall(SYS_dup, 0);
    syscall(SYS_close, b);
    _exit(a >= 0 && b == 40 ? 0 : 1);
  }
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid), 3);
  std::vector<uint64_t> ids;
  for (const auto& r : recs) {
    EXPECT_EQ(r.subsys, "raw_syscalls");
    ASSERT_EQ(r.args.size(), 1u);
    EXPECT_EQ(r.args[0].kind, Argument::Kind::kSyscallId);
    ids.push_back(r.args[0].u);
  }
  // Only dup (32) and dup2 (33) reach user space: not getppid, close, exit_group...
  EXPECT_EQ(ids, (std::vector<uint64_t>{SYS_dup, SYS_dup2, SYS_dup}));
}

TEST(GenericLists, NotInMapListDropsTheListedSyscalls) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("list-notinmap", R"(  lists:
  - {name: noisy, type: syscalls, values: [sys_getppid, sys_dup]}
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
    args: [{index: 4, type: syscall64}]
    selectors:
    - matchArgs: [{index: 0, operator: NotInMap, values: ["list:noisy"]}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = fork();
  if (pid == 0) {
    syscall(SYS_getppid);
    syscall(SYS_dup, 0);
    syscall(SYS_umask, 022);
    _exit(0);
  }
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid), 2);
  std::vector<uint64_t> ids;
  for (const auto& r : recs) ids.push_back(r.args.at(0).u);
  EXPECT_NE(std::find(ids.begin(), ids.end(), uint64_t(SYS_umask)), ids.end());
  EXPECT_EQ(std::find(ids.begin(), ids.end(), uint64_t(SYS_getppid)), ids.end());
  EXPECT_EQ(std::find(ids.begin(), ids.end(), uint64_t(SYS_dup)), ids.end());
}

// Every syscall of the kernel with a BTF function (SYSCALL_DEFINE0 ones such as getppid have
// none, as in Tetragon's generated lists), events only from this test and its children.
std::string all_syscalls() {
  return R"(  lists:
  - name: all
    type: generated_syscalls
  kprobes:
  - call: "list:all"
    syscall: true
    selectors:
    - matchPIDs: [{operator: In, followForks: true, values: [)" + std::to_string(getpid()) + "]}]\n";
}

TEST(GenericLists, CallListOfSyscallsPostsKprobeEventsOfEachSyscall) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("call-list", R"(  lists:
  - {name: some, type: syscalls, values: [sys_getcwd, "x64/sys_umask", __x64_sys_dup]}
  kprobes:
  - call: "list:some"
    selectors:
    - matchPIDs: [{operator: In, followForks: true, values: [)" + std::to_string(getpid()) + "]}]\n"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = getcwd_umask_dup_child();
  auto recs = rig.of(uint32_t(pid), 3);
  std::vector<std::string> fns;
  for (const auto& r : recs) fns.push_back(r.function);
  EXPECT_EQ(fns, (std::vector<std::string>{"__x64_sys_getcwd", "__x64_sys_umask", "__x64_sys_dup"}));
}

TEST(GenericLists, GeneratedSyscallsListExpandsToTheKernelsSyscalls) {
  OCTAGON_REQUIRE_SENSOR();
  auto k = daemon::TracefsKernelFacts::create();
  ASSERT_TRUE(k) << k.error().describe();
  auto p = policy::parse_policy(policy_with("gen-all", all_syscalls()), "test.yaml");
  ASSERT_TRUE(p) << p.error().describe();
  auto c = policy::compile_policy(*p, **k);
  ASSERT_TRUE(c) << c.error().describe();
  std::vector<std::string> fns;
  for (const auto& h : c->hooks) fns.push_back(h.render.function_name);
  EXPECT_GT(fns.size(), 300u);  // x86_64 has ~360 syscalls
  for (const char* want : {"__x64_sys_dup", "__x64_sys_getcwd", "__x64_sys_openat", "__x64_sys_umask"})
    EXPECT_NE(std::find(fns.begin(), fns.end(), want), fns.end()) << want;
}

// Loads one hook per syscall (~360 BPF objects): 4 to 10 minutes on a busy 2-core machine, so it
// runs only with OCTAGON_SLOW_TESTS=1 (the expansion itself is checked above, on every run).
TEST(GenericLists, CallListOfGeneratedSyscallsPostsKprobeEventsOfRealSyscalls) {
  OCTAGON_REQUIRE_SENSOR();
  if (!getenv("OCTAGON_SLOW_TESTS")) GTEST_SKIP() << "loads ~360 hooks (minutes): set OCTAGON_SLOW_TESTS=1";
  DecodingPolicyRig rig;
  auto t0 = std::chrono::steady_clock::now();
  auto loaded = rig.load(policy_with("gen-all-load", all_syscalls()));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  RecordProperty("load_ms", int(ms));
  std::printf("generated_syscalls policy loaded in %lld ms\n", static_cast<long long>(ms));
  (void)rig.of(0, SIZE_MAX);  // drain what the process sensor queued during the long load
  pid_t pid = getcwd_umask_dup_child();
  auto recs = rig.of(uint32_t(pid), 4);
  std::vector<std::string> fns;
  for (const auto& r : recs) fns.push_back(r.function);
  for (const char* want : {"__x64_sys_getcwd", "__x64_sys_umask", "__x64_sys_dup", "__x64_sys_exit_group"})
    EXPECT_NE(std::find(fns.begin(), fns.end(), want), fns.end()) << want;
  auto getcwd = std::find(fns.begin(), fns.end(), "__x64_sys_getcwd");
  auto dup = std::find(fns.begin(), fns.end(), "__x64_sys_dup");
  EXPECT_LT(getcwd, dup);  // in the order the child made them
  for (const auto& r : recs) EXPECT_EQ(r.subsys, "");  // kprobe events, not tracepoint ones
}

TEST(GenericLists, GeneratedFtraceOfSyscallFunctionsOrAClearError) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("gen-ftrace", R"(  lists:
  - name: dups
    type: generated_ftrace
    pattern: "^__x64_sys_dup[23]?$"
  kprobes:
  - call: "list:dups"
    args: [{index: 0, type: int}]
)"));
  if (!loaded) {  // available_filter_functions may be closed to this host (lockdown: EPERM)
    EXPECT_NE(loaded.error().message().find("test.yaml:9:14: spec.lists[0].pattern: cannot generate list dups: cannot "
                                            "read /sys/kernel/tracing/available_filter_functions"),
              std::string::npos)
        << loaded.error().message();
    GTEST_SKIP() << loaded.error().message();
  }
  pid_t pid = fork();
  if (pid == 0) {
    syscall(SYS_dup2, 0, 41);
    _exit(0);
  }
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].function, "__x64_sys_dup2");
  EXPECT_EQ(recs[0].args.at(0).i, 0);
}

TEST(GenericLists, BtfTypeCastsInetSockSetStateSkaddrToASock) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  // inet_sock_set_state(const void *skaddr, int oldstate, int newstate): skaddr is a struct sock.
  auto loaded = rig.load(policy_with("btftype-sock", R"(  tracepoints:
  - subsystem: sock
    event: inet_sock_set_state
    raw: true
    args:
    - {index: 0, type: uint16, btfType: sock, resolve: "__sk_common.skc_num"}
    - {index: 0, type: uint16, btfType: sock, resolve: "sk_protocol"}
    - {index: 2, type: int}
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  pid_t pid = fork();
  if (pid == 0) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
        getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      _exit(1);
    uint16_t port = ntohs(a.sin_port);
    if (write(pipefd[1], &port, sizeof(port)) != sizeof(port) || listen(s, 1) != 0) _exit(1);
    _exit(0);
  }
  close(pipefd[1]);
  uint16_t port = 0;
  ASSERT_EQ(read(pipefd[0], &port, sizeof(port)), ssize_t(sizeof(port)));
  close(pipefd[0]);
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid), 2);  // CLOSE -> LISTEN, then LISTEN -> CLOSE at exit
  ASSERT_GE(recs.size(), 1u);
  const auto& a = recs[0].args;
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].kind, Argument::Kind::kUint);
  EXPECT_EQ(a[0].u, port);           // the listening socket's local port, read through the cast
  EXPECT_EQ(a[1].u, uint64_t(IPPROTO_TCP));
  EXPECT_EQ(a[2].i, 10);             // TCP_LISTEN
}

}  // namespace
}  // namespace octagon::testing
