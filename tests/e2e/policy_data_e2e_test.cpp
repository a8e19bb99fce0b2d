// The real agent with a kprobe whose data[] entries read the current task: the
// process_kprobe JSON carries them as "data" (ProcessKprobe.data=14), after the args, and
// matchData on the parent's tgid keeps only children of this test.
#include <fcntl.h>
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

TEST(PolicyDataE2e, DataEntriesAppearInTheKprobeJson) {
  if (geteuid() != 0) GTEST_SKIP() << "loading policies needs root";
  fs::path dir = fs::temp_directory_path() / ("octagon-data-e2e-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string marker = "/tmp/octagon-data-e2e-marker-" + std::to_string(getpid());
  std::ofstream(dir / "data.yaml")
      << "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: data-e2e}\nspec:\n"
         "  kprobes:\n  - call: sys_openat\n    args: [{index: 1, type: string}]\n"
         "    data:\n"
         "    - {index: 0, type: int, source: current_task, resolve: real_parent.tgid}\n"
         "    - {index: 1, type: string, source: current_task, resolve: comm}\n"
         "    selectors:\n"
         "    - matchArgs: [{index: 1, operator: Equal, values: [\"" << marker << "\"]}]\n"
         "      matchData: [{index: 0, operator: Equal, values: [\"" << getpid() << "\"]}]\n";
  AgentProcess agent(dir.string(), {"--tracing-policy", (dir / "data.yaml").string(), "--node-name", "e2e"});
  ASSERT_TRUE(agent.wait_stderr("exporting events")) << agent.err();
  pid_t child = fork();
  if (child == 0) {
    int fd = open(marker.c_str(), O_RDONLY);
    if (fd >= 0) close(fd);
    _exit(0);
  }
  waitpid(child, nullptr, 0);
  int fd = open(marker.c_str(), O_RDONLY);  // this process: filtered out by matchData
  if (fd >= 0) close(fd);
  std::vector<json> found;
  for (int i = 0; i < 250 && found.empty(); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    found.clear();
    for (const auto& line : lines_with(agent.out(), "process_kprobe")) found.push_back(json::parse(line)["process_kprobe"]);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  found.clear();
  for (const auto& line : lines_with(agent.out(), "process_kprobe")) found.push_back(json::parse(line)["process_kprobe"]);
  EXPECT_EQ(agent.stop(), 0);
  fs::remove_all(dir);
  ASSERT_EQ(found.size(), 1u) << agent.out();
  const json& ev = found[0];
  EXPECT_EQ(ev["process"]["pid"], child);
  EXPECT_EQ(ev["args"][0]["string_arg"], marker);
  ASSERT_EQ(ev["data"].size(), 2u);
  EXPECT_EQ(ev["data"][0]["int_arg"], getpid());
  EXPECT_FALSE(ev["data"][1]["string_arg"].get<std::string>().empty());
}

}  // namespace
}  // namespace octagon::testing
