// The real agent with a YAML policy filtering connect()s by SAddr and SPort in the kernel: only
// the connect to an allowed address and port comes out, as a process_kprobe whose sockaddr_arg
// carries family, address and port (host order) as Tetragon writes them.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
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

void udp_connect(int family, const char* addr, uint16_t port) {
  int fd = socket(family, SOCK_DGRAM, 0);
  if (family == AF_INET6) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(port);
    inet_pton(AF_INET6, addr, &sa.sin6_addr);
    (void)connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  } else {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    inet_pton(AF_INET, addr, &sa.sin_addr);
    (void)connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  }
  close(fd);
}

TEST(PolicySockaddrE2e, SAddrAndSPortKeepOnlyTheMatchingConnect) {
  if (geteuid() != 0) GTEST_SKIP() << "loading policies needs root";
  fs::path dir = fs::temp_directory_path() / ("octagon-sockaddr-e2e-" + std::to_string(getpid()));
  fs::create_directories(dir);
  // A port of this run only, so that other processes' connects do not match.
  const uint16_t port = uint16_t(40000 + getpid() % 20000);
  std::ofstream(dir / "connect.yaml")
      << "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: connect-e2e}\nspec:\n"
         "  kprobes:\n  - call: sys_connect\n"
         "    args: [{index: 0, type: int}, {index: 1, type: sockaddr}]\n"
         "    selectors:\n    - matchArgs:\n"
         "      - {index: 1, operator: SAddr, values: [\"127.0.0.0/8\", \"fd00::/8\"]}\n"
         "      - {index: 1, operator: SPort, values: [\"" << port << "\"]}\n";
  AgentProcess agent(dir.string(), {"--tracing-policy", (dir / "connect.yaml").string(), "--node-name", "e2e"});
  ASSERT_TRUE(agent.wait_stderr("exporting events")) << agent.err();
  pid_t child = fork();
  if (child == 0) {
    udp_connect(AF_INET, "10.1.2.3", port);         // address not in the policy
    udp_connect(AF_INET, "127.0.0.1", port + 1);    // port not in the policy
    udp_connect(AF_INET6, "::1", port);             // address not in the policy
    udp_connect(AF_INET, "127.0.0.1", port);        // both match
    udp_connect(AF_INET6, "fd00::5", port);         // both match
    _exit(0);
  }
  waitpid(child, nullptr, 0);
  std::vector<json> found;
  auto collect = [&] {
    found.clear();
    for (const auto& line : lines_with(agent.out(), "process_kprobe")) {
      json ev = json::parse(line)["process_kprobe"];
      if (ev["process"]["pid"] == child) found.push_back(ev);
    }
  };
  for (int i = 0; i < 250 && found.size() < 2; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    collect();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // nothing else may follow
  collect();
  EXPECT_EQ(agent.stop(), 0);
  fs::remove_all(dir);
  ASSERT_EQ(found.size(), 2u) << agent.out();
  EXPECT_EQ(found[0]["function_name"], "__x64_sys_connect");
  EXPECT_EQ(found[0]["policy_name"], "connect-e2e");
  const json& v4 = found[0]["args"][1]["sockaddr_arg"];
  EXPECT_EQ(v4["family"], "AF_INET");
  EXPECT_EQ(v4["addr"], "127.0.0.1");
  EXPECT_EQ(v4["port"], port);
  const json& v6 = found[1]["args"][1]["sockaddr_arg"];
  EXPECT_EQ(v6["family"], "AF_INET6");
  EXPECT_EQ(v6["addr"], "fd00::5");
  EXPECT_EQ(v6["port"], port);
}

}  // namespace
}  // namespace octagon::testing
