// T4: the real agent's --metrics-server: /metrics and /healthz, counters that move, startup
// errors, and the loss accounting adding up on a queue small enough to drop.
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <arpa/inet.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "e2e/metrics_fixture.h"

namespace octagon::testing {
namespace {

using namespace std::chrono_literals;

// Holds a BPF_ENABLE_STATS descriptor: the kernel counts program runs while it is open,
// without touching the global sysctl.
class BpfStatsOn {
 public:
  BpfStatsOn() {
    union bpf_attr attr {};
    attr.enable_stats.type = BPF_STATS_RUN_TIME;
    fd_ = static_cast<int>(syscall(__NR_bpf, BPF_ENABLE_STATS, &attr, sizeof(attr)));
  }
  ~BpfStatsOn() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

std::string promtool_check(const std::string& file) {
  std::string cmd = "promtool check metrics < " + file + " 2>&1; echo rc=$?";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (p && fgets(buf, sizeof(buf), p)) out += buf;
  if (p) pclose(p);
  return out;
}

TEST_F(MetricsE2E, ServesMetricsAndHealthAndCountersMove) {
  BpfStatsOn stats;
  uint16_t port = start_agent({"--export-filename", path("events.log"), "--export-stdout=false"});
  ASSERT_NE(port, 0) << agent_->err();

  auto health = http_fetch(port, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << health->body;
  auto hj = nlohmann::json::parse(health->body);
  EXPECT_EQ(hj["status"], "running");
  EXPECT_EQ(hj["sensors"]["process"], "running");

  auto first = http_fetch(port, "/metrics");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  EXPECT_NE(first->headers.find("text/plain; version=0.0.4"), std::string::npos) << first->headers;
  MetricsText before = parse_metrics_text(first->body);
  ASSERT_EQ(before.error, "");
  EXPECT_EQ(before.sum("tetragon_build_info"), 1);
  EXPECT_GT(before.sum("tetragon_process_cache_size"), 0);
  if (system("command -v promtool >/dev/null 2>&1") == 0) {
    std::string file = path("metrics.txt");
    FILE* f = fopen(file.c_str(), "w");
    fputs(first->body.c_str(), f);
    fclose(f);
    EXPECT_EQ(promtool_check(file), "rc=0\n");
  }

  const std::string exporter = "file:" + path("events.log");
  run_n("/bin/true", 25);
  MetricsText after;
  for (int i = 0; i < 100; i++) {
    after = scrape(port);
    if (after.sum("tetragon_events_exported_total", {{"exporter", exporter}}) >=
        before.sum("tetragon_events_exported_total", {{"exporter", exporter}}) + 50)
      break;
    std::this_thread::sleep_for(50ms);
  }
  const std::map<std::string, std::string> exec{{"type", "PROCESS_EXEC"}};
  EXPECT_GE(after.sum("tetragon_events_total", exec), before.sum("tetragon_events_total", exec) + 25);
  EXPECT_GE(after.sum("tetragon_msg_op_total", {{"msg_op", "exec"}}),
            before.sum("tetragon_msg_op_total", {{"msg_op", "exec"}}) + 25);
  EXPECT_GE(after.sum("tetragon_observer_ringbuf_events_received_total"),
            before.sum("tetragon_observer_ringbuf_events_received_total") + 75);  // exec, clone, exit
  EXPECT_GE(after.sum("tetragon_events_exported_total", {{"exporter", exporter}}),
            before.sum("tetragon_events_exported_total", {{"exporter", exporter}}) + 50);
  EXPECT_GT(after.sum("tetragon_events_exported_bytes_total", {{"exporter", exporter}}),
            before.sum("tetragon_events_exported_bytes_total", {{"exporter", exporter}}));
  EXPECT_TRUE(stats.ok()) << "BPF_ENABLE_STATS: " << strerror(errno);
  if (stats.ok()) {
    EXPECT_GT(after.count("tetragon_overhead_program_runs_total"), 0u);
    EXPECT_GT(after.sum("tetragon_overhead_program_runs_total"),
              before.sum("tetragon_overhead_program_runs_total"));
    EXPECT_GT(after.sum("tetragon_overhead_program_seconds_total"), 0);
  }
  auto missing = http_fetch(port, "/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(MetricsE2E, PolicyFamiliesCountAPolicysEvents) {
  const std::string policy = path("getppid.yaml");
  FILE* f = fopen(policy.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: metrics-getppid\n"
        "spec:\n  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_getppid\n",
        f);
  fclose(f);
  uint16_t port = start_agent({"--tracing-policy", policy, "--export-filename", path("events.log"),
                               "--export-stdout=false"});
  ASSERT_NE(port, 0) << agent_->err();
  const std::map<std::string, std::string> pol{{"policy", "metrics-getppid"}};
  MetricsText before = scrape(port);
  EXPECT_EQ(before.sum("tetragon_tracingpolicy_loaded", {{"state", "enabled"}}), 1);
  EXPECT_EQ(before.sum("octagon_tracingpolicy_info", {{"policy", "metrics-getppid"}, {"mode", "enforce"}}), 1);
  EXPECT_GT(before.sum("tetragon_tracingpolicy_kernel_memory_bytes", pol), 0);
  for (int i = 0; i < 50; i++) syscall(SYS_getppid);
  MetricsText after;
  auto post = pol;
  post["action"] = "post";
  for (int i = 0; i < 100; i++) {
    after = scrape(port);
    if (after.sum("tetragon_events_total", {{"type", "PROCESS_TRACEPOINT"}}) >=
        before.sum("tetragon_events_total", {{"type", "PROCESS_TRACEPOINT"}}) + 50)
      break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_GE(after.sum("tetragon_events_total", {{"type", "PROCESS_TRACEPOINT"}}),
            before.sum("tetragon_events_total", {{"type", "PROCESS_TRACEPOINT"}}) + 50);
  EXPECT_GE(after.sum("tetragon_tracingpolicy_selector_actions_total", post),
            before.sum("tetragon_tracingpolicy_selector_actions_total", post) + 50);
  EXPECT_GE(after.sum("tetragon_policy_events_total", pol), before.sum("tetragon_policy_events_total", pol) + 50);
  EXPECT_EQ(after.count("octagon_tracingpolicy_selector_missed_total"), 3u);  // one selector row
}

TEST_F(MetricsE2E, BusyOrBadAddressIsAStartupError) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const std::string busy = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  {
    AgentProcess agent(dir_.string(), {"--metrics-server", busy, "--export-stdout=false"});
    int st = agent.wait();
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 1) << st;
    EXPECT_NE(agent.err().find("--metrics-server " + busy), std::string::npos) << agent.err();
    EXPECT_NE(agent.err().find("Address already in use"), std::string::npos) << agent.err();
  }
  close(fd);
  AgentProcess bad(dir_.string(), {"--metrics-server", "localhost", "--export-stdout=false"});
  int st = bad.wait();
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 1) << st;
  EXPECT_NE(bad.err().find("--metrics-server localhost"), std::string::npos) << bad.err();
  EXPECT_NE(bad.err().find("HOST:PORT"), std::string::npos) << bad.err();
}

}  // namespace
}  // namespace octagon::testing
