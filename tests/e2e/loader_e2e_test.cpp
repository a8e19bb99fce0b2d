// T4 (host kernel): Tetragon's loader.yaml, unchanged, in the real agent. An exec'd program's
// mappings come out as process_loader events: libc (mapped by ld.so after the exec) with the
// new process, the program itself (mapped by the kernel during the exec, before the exec record)
// with its pid; paths and base64 build ids equal to the files' NT_GNU_BUILD_ID notes.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/elf_build_id.h"
#include "e2e/agent_process.h"

namespace octagon::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(LoaderE2e, ExampleReportsMappingsWithBuildIds) {
  if (geteuid() != 0) GTEST_SKIP() << "the agent needs root";
  const fs::path dir = fs::temp_directory_path() / ("octagon-loader-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string policy =
      std::string(OCTAGON_SOURCE_DIR) + "/tests/fixtures/policies/tetragon-examples/loader.yaml";
  const std::string prog = std::string(OCTAGON_TESTPROGS_DIR) + "/exit_with";
  AgentProcess agent(dir.string(), {"--tracing-policy", policy, "--node-name", "e2e"});
  ASSERT_TRUE(agent.wait_stderr("exporting events")) << agent.err();
  EXPECT_NE(agent.err().find("perf mmap2 records read in user space"), std::string::npos) << agent.err();

  pid_t pid = fork();
  if (pid == 0) {
    execl(prog.c_str(), prog.c_str(), "0", nullptr);
    _exit(127);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  ASSERT_EQ(st, 0);

  std::string libc_line;
  json libc, self;
  for (int i = 0; i < 250 && (libc.is_null() || self.is_null()); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (const auto& line : lines_with(agent.out(), "process_loader")) {
      json e = json::parse(line)["process_loader"];
      if (e["process"]["pid"] != pid) continue;
      const std::string path = e["path"];
      if (path.find("/libc.so.6") != std::string::npos && libc.is_null()) {
        libc = e;
        libc_line = line;
      }
      if (path == prog) self = e;
    }
  }
  EXPECT_EQ(agent.stop(), 0);
  std::cout << "process_loader line: " << libc_line << std::endl;
  ASSERT_FALSE(libc.is_null()) << agent.out().substr(0, 4000) << agent.err();
  EXPECT_EQ(libc["process"]["binary"], prog);
  EXPECT_EQ(libc["process"]["arguments"], "0");
  EXPECT_FALSE(libc["parent"].is_null());
  const std::string libc_path = libc["path"];
  EXPECT_EQ(libc["buildid"], base64_of(elf_build_id(libc_path)));
  EXPECT_NE(json::parse(libc_line)["node_name"], nullptr);
  ASSERT_FALSE(self.is_null()) << "no mapping of " << prog;
  EXPECT_EQ(self["buildid"], base64_of(elf_build_id(prog)));
  // Statistics: the sensor ran, nothing was lost or malformed here.
  const std::string err = agent.err();
  EXPECT_NE(err.find("\"loader\":{\"active\":"), std::string::npos) << err;
  EXPECT_NE(err.find("\"lost\":0,\"malformed\":0"), std::string::npos) << err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace octagon::testing
