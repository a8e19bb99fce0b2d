// T4: the real agent's export options on its JSON file export: --export-allowlist,
// --export-denylist, --export-rate-limit (rate_limit_info lines, status and metrics counters
// that add up) and the startup errors of bad lists.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "e2e/metrics_fixture.h"

namespace octagon::testing {
namespace {

using nlohmann::json;

std::string testprog(const std::string& n) { return std::string(OCTAGON_TESTPROGS_DIR) + "/" + n; }

std::vector<json> events_in(const std::string& file) {
  std::vector<json> out;
  std::istringstream in(read_file(file));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

std::string binary_of(const json& ev) {
  for (const auto& [key, body] : ev.items())
    if (body.is_object() && body.contains("process")) return body["process"]["binary"];
  return "";
}

// The exit status report's first exporter.
json exporter_status(const AgentProcess& agent) {
  auto lines = lines_with(agent.err(), "status");
  if (lines.empty()) return json();
  return json::parse(lines.back())["status"]["exporters"][0];
}

class ExportOptionsE2E : public MetricsE2E {};

TEST_F(ExportOptionsE2E, AllowlistKeepsOnlyMatchingEvents) {
  const std::string log = path("events.log");
  // Anchored on this build's path: other test runs on the machine run their own exit_with.
  const std::string exit_with = std::filesystem::canonical(testprog("exit_with")).string();
  uint16_t port = start_agent({"--export-filename", log, "--export-stdout=false",
                               "--export-allowlist",
                               "{\"binary_regex\":[\"^" + exit_with +
                                   "$\"],\"event_set\":[\"PROCESS_EXEC\"]}\n"
                               "{\"binary_regex\":[\"/true$\"],\"event_set\":[\"PROCESS_EXIT\"]}"});
  ASSERT_NE(port, 0) << agent_->err();
  run_n(exit_with, 3);
  run_n("/bin/true", 3);
  // Wait until the exporter has seen them all (3 + 3 kept, the rest filtered).
  for (int i = 0; i < 250 && scrape(port).sum("tetragon_events_exported_total") < 6; i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  MetricsText m = scrape(port);
  EXPECT_GE(m.sum("octagon_export_filtered_events_total"), 6.0); // at least the other exec/exit
  ASSERT_EQ(agent_->stop(), 0);

  int execs = 0, exits = 0;
  for (const json& ev : events_in(log)) {
    if (ev.contains("process_exec")) {
      EXPECT_EQ(binary_of(ev), exit_with) << ev.dump();
      execs++;
    } else {
      ASSERT_TRUE(ev.contains("process_exit")) << ev.dump();
      EXPECT_TRUE(binary_of(ev).ends_with("/true")) << ev.dump();
      exits++;
    }
  }
  EXPECT_EQ(execs, 3);
  EXPECT_GE(exits, 3); // others may run true on this machine
  json ex = exporter_status(*agent_);
  EXPECT_GE(ex["export_filtered"].get<int>(), 6) << agent_->err();
  EXPECT_EQ(ex["rate_limited"], 0);
}

TEST_F(ExportOptionsE2E, DenylistRemovesMatchingEvents) {
  const std::string log = path("events.log");
  const std::string exit_with = std::filesystem::canonical(testprog("exit_with")).string();
  uint16_t port = start_agent({"--export-filename", log, "--export-stdout=false",
                               "--export-denylist", "{\"binary_regex\":[\"/true$\"]}"});
  ASSERT_NE(port, 0) << agent_->err();
  run_n("/bin/true", 3);
  run_n(exit_with, 2);
  int seen = 0;
  for (int i = 0; i < 250 && seen < 4; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    seen = 0;
    for (const json& ev : events_in(log)) seen += binary_of(ev) == exit_with;
  }
  EXPECT_EQ(seen, 4); // 2 exec + 2 exit
  EXPECT_GE(scrape(port).sum("octagon_export_filtered_events_total"), 6.0);
  ASSERT_EQ(agent_->stop(), 0);
  for (const json& ev : events_in(log)) EXPECT_FALSE(binary_of(ev).ends_with("/true")) << ev.dump();
}

TEST_F(ExportOptionsE2E, RateLimitDropsReportsAndCountersAddUp) {
  const std::string log = path("events.log");
  uint16_t port = start_agent({"--node-name", "e2e-node", "--export-filename", log,
                               "--export-stdout=false", "--export-rate-limit", "5"});
  ASSERT_NE(port, 0) << agent_->err();
  run_n(testprog("exit_with"), 20); // 40 events at least, within one minute
  // Wait until every produced event has reached the exporter (offered or rate-limited).
  MetricsText m;
  const std::map<std::string, std::string> file{{"exporter", "file:" + log}};
  for (int i = 0; i < 250; i++) {
    m = scrape(port);
    const double produced = m.sum("tetragon_events_total");
    const double accounted = m.sum("tetragon_observer_ringbuf_queue_events_received_total") +
                             m.sum("octagon_export_rate_limited_events_total");
    if (produced >= 40 && produced == accounted) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(m.sum("tetragon_observer_ringbuf_queue_events_received_total"), 5.0);
  const double limited = m.sum("octagon_export_rate_limited_events_total");
  EXPECT_GE(limited, 35.0);
  EXPECT_EQ(m.sum("tetragon_events_total"), 5.0 + limited);
  EXPECT_GE(m.sum("octagon_events_lost_total", {{"side", "user"}}), limited); // drops are losses
  ASSERT_EQ(agent_->stop(), 0);

  // The window is still open at stop: its drops are reported once, at stop.
  int events = 0, infos = 0;
  uint64_t reported = 0;
  for (const json& ev : events_in(log)) {
    if (!ev.contains("rate_limit_info")) {
      events++;
      continue;
    }
    infos++;
    reported += std::stoull(ev["rate_limit_info"]["number_of_dropped_process_events"].get<std::string>());
    EXPECT_EQ(ev["node_name"], "e2e-node");
    EXPECT_TRUE(ev["time"].is_string());
    EXPECT_EQ(ev.size(), 3u) << ev.dump();
  }
  EXPECT_EQ(events, 5);
  EXPECT_EQ(infos, 1);
  json ex = exporter_status(*agent_);
  EXPECT_EQ(ex["rate_limited"].get<uint64_t>(), reported) << agent_->err();
  EXPECT_GE(reported, static_cast<uint64_t>(limited));
  EXPECT_EQ(ex["written"].get<int>(), events + infos);
  auto status = json::parse(lines_with(agent_->err(), "status").back())["status"];
  EXPECT_GE(status["totals"]["user_dropped"].get<uint64_t>(), reported);
}

TEST_F(ExportOptionsE2E, BadListsFailAtStartupNamingFlagAndLine) {
  AgentProcess bad(dir_.string(), {"--export-stdout=false", "--export-denylist",
                                   "{\"pid\":[1]}\n{\"binary_regex\":[\"a(b\"]}"});
  int st = bad.wait();
  EXPECT_NE(WEXITSTATUS(st), 0);
  EXPECT_NE(bad.err().find("--export-denylist: line 2:"), std::string::npos) << bad.err();
  EXPECT_NE(bad.err().find("binary_regex"), std::string::npos) << bad.err();

  AgentProcess unknown(dir_.string(), {"--export-stdout=false", "--export-allowlist", "{\"bogus\":1}"});
  EXPECT_NE(WEXITSTATUS(unknown.wait()), 0);
  EXPECT_NE(unknown.err().find("--export-allowlist: line 1:"), std::string::npos) << unknown.err();
  EXPECT_NE(unknown.err().find("bogus"), std::string::npos) << unknown.err();
}

} // namespace
} // namespace octagon::testing
