// The real agent with spec.lists and btfType: raw_syscalls/sys_enter filtered by InMap over a
// list of syscalls (only dup2 and dup3 of this test's children reach the JSON, as syscall_id
// arguments), and inet_sock_set_state's `const void *skaddr` cast to struct sock to read the
// listening port.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include <gtest/gtest.h>

#include "e2e/agent_process.h"

namespace octagon::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A child that calls dup, dup2 and dup3, then listens on a loopback port (returned).
uint16_t run_child(pid_t& child) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return 0;
  child = fork();
  if (child == 0) {
    syscall(SYS_dup, 0);
    syscall(SYS_dup2, 0, 50);
    syscall(SYS_dup3, 0, 51, 0);
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
  if (read(pipefd[0], &port, sizeof(port)) != sizeof(port)) port = 0;
  close(pipefd[0]);
  waitpid(child, nullptr, 0);
  return port;
}

TEST(PolicyListsE2e, InMapListAndBtfTypeInTheTracepointJson) {
  if (geteuid() != 0) GTEST_SKIP() << "loading policies needs root";
  fs::path dir = fs::temp_directory_path() / ("octagon-lists-e2e-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "lists.yaml")
      << "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: lists-e2e}\nspec:\n"
         "  lists:\n  - {name: dups, type: syscalls, values: [sys_dup2, \"x64/sys_dup3\"]}\n"
         "  tracepoints:\n"
         "  - subsystem: raw_syscalls\n    event: sys_enter\n    args: [{index: 4, type: syscall64}]\n"
         "    selectors:\n"
         "    - matchPIDs: [{operator: In, followForks: true, values: [" << getpid() << "]}]\n"
         "      matchArgs: [{index: 0, operator: InMap, values: [\"list:dups\"]}]\n"
         "  - subsystem: sock\n    event: inet_sock_set_state\n    raw: true\n"
         "    args:\n"
         "    - {index: 0, type: uint16, btfType: sock, resolve: __sk_common.skc_num}\n"
         "    - {index: 2, type: int}\n"
         "    selectors:\n"
         "    - matchPIDs: [{operator: In, followForks: true, values: [" << getpid() << "]}]\n";
  AgentProcess agent(dir.string(), {"--tracing-policy", (dir / "lists.yaml").string(), "--node-name", "e2e"});
  ASSERT_TRUE(agent.wait_stderr("exporting events")) << agent.err();
  pid_t child = 0;
  uint16_t port = run_child(child);
  ASSERT_NE(port, 0);
  std::vector<json> ids, socks;
  for (int i = 0; i < 250 && (ids.size() < 2 || socks.empty()); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ids.clear();
    socks.clear();
    for (const auto& line : lines_with(agent.out(), "process_tracepoint")) {
      json ev = json::parse(line)["process_tracepoint"];
      if (ev["process"]["pid"] != child) continue;
      (ev["subsys"] == "raw_syscalls" ? ids : socks).push_back(ev);
    }
  }
  EXPECT_EQ(agent.stop(), 0);
  fs::remove_all(dir);
  ASSERT_EQ(ids.size(), 2u) << agent.out();  // dup2 and dup3; not dup, socket, bind, exit_group...
  EXPECT_EQ(ids[0]["event"], "sys_enter");
  EXPECT_EQ(ids[0]["args"][0]["syscall_id"]["id"], SYS_dup2);
  EXPECT_EQ(ids[0]["args"][0]["syscall_id"]["abi"], "x64");
  EXPECT_EQ(ids[1]["args"][0]["syscall_id"]["id"], SYS_dup3);
  ASSERT_GE(socks.size(), 1u) << agent.out();
  EXPECT_EQ(socks[0]["event"], "inet_sock_set_state");
  EXPECT_EQ(socks[0]["args"][0]["uint_arg"], port);
  EXPECT_EQ(socks[0]["args"][1]["int_arg"], 10);  // TCP_LISTEN
}

}  // namespace
}  // namespace octagon::testing
