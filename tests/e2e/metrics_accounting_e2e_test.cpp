// T4: the loss counters add up. The agent exports into a FIFO that the test does not read at
// first, behind a 4 KiB export queue, so an exec storm really drops events; then, per stage:
//   kernel:  execs triggered <= exec records received + exec records the kernel lost
//   reader:  ring buffer records = records per message type (+ undecodable ones)
//   decode:  exec records received = PROCESS_EXEC events (+ decode errors)
//   export:  events produced = events offered to the queue
//            = events written + queue-full drops + events lost in failed writes
// Every figure is read from /metrics while the agent runs, and the final status report agrees
// with the lines that actually came out of the FIFO.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "e2e/metrics_fixture.h"

namespace octagon::testing {
namespace {

using namespace std::chrono_literals;
using Labels = std::map<std::string, std::string>;

constexpr int kExecs = 400;

double events_produced(const MetricsText& m) { return m.sum("tetragon_events_total"); }

// The stage equalities that hold whenever no event is in flight.
std::string check_balance(const MetricsText& m, const std::string& exporter) {
  const Labels ex{{"exporter", exporter}};
  const double records = m.sum("tetragon_observer_ringbuf_events_received_total");
  const double by_op = m.sum("tetragon_msg_op_total");
  const double errors = m.sum("tetragon_observer_ringbuf_errors_total");
  const double exec_rx = m.sum("tetragon_msg_op_total", {{"msg_op", "exec"}});
  const double exec_ev = m.sum("tetragon_events_total", {{"type", "PROCESS_EXEC"}});
  const double offered = m.sum("tetragon_observer_ringbuf_queue_events_received_total", ex);
  const double written = m.sum("tetragon_events_exported_total", ex);
  const double q_lost = m.sum("tetragon_observer_ringbuf_queue_events_lost_total", ex);
  const double w_lost = m.sum("octagon_export_write_lost_events_total", ex);
  std::string bad;
  if (records != by_op + errors) bad += " reader: " + std::to_string(records) + " != " + std::to_string(by_op) + " + " + std::to_string(errors);
  if (exec_rx != exec_ev + errors) bad += " decode: " + std::to_string(exec_rx) + " != " + std::to_string(exec_ev);
  if (events_produced(m) != offered) bad += " produced " + std::to_string(events_produced(m)) + " != offered " + std::to_string(offered);
  if (offered != written + q_lost + w_lost)
    bad += " export: " + std::to_string(offered) + " != " + std::to_string(written) + " + " +
           std::to_string(q_lost) + " + " + std::to_string(w_lost);
  return bad;
}

TEST_F(MetricsE2E, CountersAddUpWhenTheExportQueueDrops) {
  const std::string fifo = path("events.fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  int rd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);  // a reader, not reading yet
  ASSERT_GE(rd, 0);
  uint16_t port = start_agent({"--export-filename", fifo, "--export-stdout=false", "--rb-queue-size", "4K"});
  ASSERT_NE(port, 0) << agent_->err();
  const std::string exporter = "file:" + fifo;
  MetricsText before = scrape(port);
  ASSERT_EQ(before.error, "");

  run_n("/bin/true", kExecs);  // the pipe (64 KiB) and the queue (4 KiB) fill up
  // The reader polls every 10 ms: wait until it has read the storm's last records.
  const Labels ex{{"exporter", exporter}};
  const Labels exec_op{{"msg_op", "exec"}};
  MetricsText during;
  double exec_generated = 0;
  for (int i = 0; i < 100; i++) {
    during = scrape(port);
    ASSERT_EQ(during.error, "");
    exec_generated = during.sum("tetragon_msg_op_total", exec_op) -
                     before.sum("tetragon_msg_op_total", exec_op) +
                     during.sum("tetragon_bpf_missed_events_total", {{"msg_op", "exec"}, {"error", "ringbuf_full"}}) +
                     during.sum("tetragon_bpf_missed_events_total", {{"msg_op", "exec"}, {"error", "no_scratch"}});
    if (exec_generated >= kExecs) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_GT(during.sum("tetragon_observer_ringbuf_queue_events_lost_total", ex), 0)
      << "the 4K queue behind a full FIFO dropped nothing";
  EXPECT_GE(exec_generated, kExecs) << "kernel stage: fewer exec records than execs";

  // Drain the FIFO from now on, counting the lines that really came out.
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> lines{0};
  std::thread drain([&] {
    char buf[65536];
    while (true) {
      pollfd p{rd, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) {
        if (stop) break;
        continue;
      }
      ssize_t n = read(rd, buf, sizeof(buf));
      if (n == 0 && stop) break;  // writer gone
      for (ssize_t i = 0; i < n; i++) lines += buf[i] == '\n';
    }
  });

  // The balance holds at any moment no event is in flight: scrape until one is seen.
  std::string last;
  bool balanced = false;
  for (int i = 0; i < 150 && !balanced; i++) {
    MetricsText m = scrape(port);
    ASSERT_EQ(m.error, "");
    last = check_balance(m, exporter);
    balanced = last.empty() && m.sum("tetragon_events_exported_total", ex) > 0;
    if (!balanced) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(balanced) << "never balanced; last:" << last;

  // At exit the agent drains its queue and reports once more: written = lines received.
  EXPECT_EQ(agent_->stop(), 0);
  stop = true;
  drain.join();
  close(rd);
  auto reports = lines_with(agent_->err(), "status");
  ASSERT_FALSE(reports.empty());
  auto st = nlohmann::json::parse(reports.back())["status"];
  const auto& e = st["exporters"][0];
  std::printf("export stage: submitted %lu = written %lu + queue full %lu + write lost %lu; "
              "FIFO lines %lu\n",
              e["submitted"].get<uint64_t>(), e["written"].get<uint64_t>(),
              e["dropped_queue_full"].get<uint64_t>(), e["lost_records"].get<uint64_t>(), lines.load());
  EXPECT_EQ(e["written"].get<uint64_t>(), lines.load());
  EXPECT_EQ(e["submitted"].get<uint64_t>(), e["written"].get<uint64_t>() +
                                               e["dropped_queue_full"].get<uint64_t>() +
                                               e["lost_records"].get<uint64_t>());
  EXPECT_GT(e["dropped_queue_full"].get<uint64_t>(), 0u);
  EXPECT_EQ(st["totals"]["user_dropped"].get<uint64_t>(),
            e["dropped_queue_full"].get<uint64_t>() + e["lost_records"].get<uint64_t>() +
                st["ringbuf"]["decode_errors"].get<uint64_t>() +
                st["ringbuf"]["dropped_unknown_hook"].get<uint64_t>());
}

}  // namespace
}  // namespace octagon::testing
