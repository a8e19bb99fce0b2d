// T4: `octagon probe` on this machine's kernel (root: the probes load real programs).
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "e2e/cli_process.h"

namespace octagon::testing {
namespace {

TEST(ProbeE2E, ReportsThisKernelAsTextAndJson) {
  if (geteuid() != 0) GTEST_SKIP() << "the probes load BPF programs, which needs root";
  auto dir = std::filesystem::temp_directory_path() / ("octagon-probe-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  CliResult j = run_cli(dir.string(), {"probe", "-o", "json"});
  ASSERT_TRUE(WIFEXITED(j.status) && WEXITSTATUS(j.status) == 0) << j.err;
  auto report = nlohmann::json::parse(j.out);
  EXPECT_EQ(report["privileged"], true);
  std::map<std::string, bool> ok;
  for (const auto& f : report["features"]) ok[f["name"]] = f["ok"];
  // The agent runs on this machine, so what it requires is there.
  EXPECT_TRUE(ok["btf"]);
  EXPECT_TRUE(ok["ringbuf"]);
  EXPECT_TRUE(ok["bpf_loop"]);
  EXPECT_TRUE(ok["send_signal"]);
  EXPECT_EQ(ok.size(), 13u);

  CliResult t = run_cli(dir.string(), {"probe"});
  ASSERT_TRUE(WIFEXITED(t.status) && WEXITSTATUS(t.status) == 0) << t.err;
  EXPECT_EQ(t.out.rfind("kernel ", 0), 0u) << t.out;
  EXPECT_NE(t.out.find("ringbuf         yes"), std::string::npos) << t.out;
  // The text report and the JSON one agree on every feature.
  for (const auto& [name, yes] : ok) {
    std::string row = name + std::string(name.size() < 15 ? 15 - name.size() : 0, ' ') + " " + (yes ? "yes" : "no ");
    EXPECT_NE(t.out.find("\n" + row), std::string::npos) << row << "\n" << t.out;
  }

  CliResult bad = run_cli(dir.string(), {"probe", "-o", "yaml"});
  EXPECT_TRUE(WIFEXITED(bad.status) && WEXITSTATUS(bad.status) == 2);
  EXPECT_NE(bad.err.find("text or json"), std::string::npos) << bad.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace octagon::testing
