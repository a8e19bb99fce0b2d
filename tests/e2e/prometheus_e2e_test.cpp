// T4: a real Prometheus server (Debian's prometheus package) scrapes the agent every second;
// the target is up, the series exist, and they move when processes run.
#include <fcntl.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e/metrics_fixture.h"

namespace octagon::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string find_prometheus() {
  for (const char* p : {"/usr/bin/prometheus", "/usr/local/bin/prometheus"})
    if (access(p, X_OK) == 0) return p;
  return "";
}

class PrometheusServer {
 public:
  PrometheusServer(const std::string& binary, const std::string& dir, uint16_t target_port)
      : port_(free_tcp_port()) {
    const std::string config = dir + "/prom.yml";
    std::ofstream(config) << "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
                             "scrape_configs:\n  - job_name: octagon\n    static_configs:\n"
                             "      - targets: ['127.0.0.1:" << target_port << "']\n";
    std::vector<std::string> args = {binary, "--config.file=" + config,
                                     "--storage.tsdb.path=" + dir + "/tsdb",
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                     "--log.level=warn"};
    log_ = dir + "/prometheus.log";
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~PrometheusServer() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100 && waitpid(pid_, nullptr, WNOHANG) == 0; i++)
      std::this_thread::sleep_for(50ms);
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }

  bool wait_ready(std::chrono::milliseconds timeout) {
    for (auto end = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < end;) {
      auto r = http_fetch(port_, "/-/ready", 500ms);
      if (r && r->status == 200) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  // The value of an instant query's first series (nullopt: no series).
  std::optional<double> query(const std::string& promql) {
    auto r = http_fetch(port_, "/api/v1/query?query=" + url_encode(promql), 2000ms);
    if (!r || r->status != 200) return std::nullopt;
    json j = json::parse(r->body, nullptr, false);
    if (j.is_discarded() || j["status"] != "success" || j["data"]["result"].empty()) return std::nullopt;
    return std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
  }
  std::string log() const { return read_file(log_); }

 private:
  uint16_t port_;
  pid_t pid_ = -1;
  std::string log_;
};

// Polls `promql` until pred(value) holds.
std::optional<double> wait_value(PrometheusServer& p, const std::string& promql,
                                 const std::function<bool(double)>& pred, std::chrono::milliseconds timeout) {
  std::optional<double> v;
  for (auto end = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < end;) {
    v = p.query(promql);
    if (v && pred(*v)) return v;
    std::this_thread::sleep_for(200ms);
  }
  return v;
}

TEST_F(MetricsE2E, RealPrometheusScrapesTheAgent) {
  const std::string binary = find_prometheus();
  if (binary.empty()) GTEST_SKIP() << "prometheus not installed (Debian package prometheus; CI installs it)";
  auto t0 = std::chrono::steady_clock::now();
  uint16_t port = start_agent({"--export-filename", path("events.log"), "--export-stdout=false"});
  ASSERT_NE(port, 0) << agent_->err();
  PrometheusServer prom(binary, dir_.string(), port);
  ASSERT_TRUE(prom.wait_ready(10s)) << prom.log();

  auto up = wait_value(prom, "up{job=\"octagon\"}", [](double v) { return v == 1; }, 8s);
  ASSERT_TRUE(up && *up == 1) << "target never up\n" << prom.log();
  const std::string execs = "sum(tetragon_events_total{job=\"octagon\",type=\"PROCESS_EXEC\"})";
  auto first = wait_value(prom, execs, [](double) { return true; }, 3s);
  ASSERT_TRUE(first) << "no tetragon_events_total series";
  auto build = prom.query("tetragon_build_info{job=\"octagon\"}");
  EXPECT_TRUE(build && *build == 1);

  run_n("/bin/true", 20);
  auto moved = wait_value(prom, execs, [&](double v) { return v >= *first + 20; }, 6s);
  ASSERT_TRUE(moved);
  EXPECT_GE(*moved, *first + 20) << "Prometheus never saw the 20 execs";
  auto rate = prom.query("sum(increase(tetragon_observer_ringbuf_events_received_total{job=\"octagon\"}[1m]))");
  EXPECT_TRUE(rate && *rate > 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 20s);
}

}  // namespace
}  // namespace octagon::testing
