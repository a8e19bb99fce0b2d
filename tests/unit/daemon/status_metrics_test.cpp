// The metrics are rendered from the StatusSnapshot; every loss counter of the status JSON must
// have a metric with the same value. A loss counter added to the JSON without a metric (or
// without a rule below) fails LossCountersOfStatusJsonAreAllMetrics.
#include <octagon/daemon/status_metrics.h>

#include <cstdio>
#include <optional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/metrics_text.h"

namespace octagon::daemon {
namespace {

using nlohmann::json;
using Labels = std::map<std::string, std::string>;

// Every counter gets a distinct value, so a metric wired to the wrong field is caught.
StatusSnapshot rich_snapshot() {
  uint64_t next = 100;
  auto v = [&] { return next += 7; };
  StatusSnapshot s;
  s.uptime_ns = 42'000'000'000ull;
  for (uint32_t op = 0; op < OCT_MSG_OP_MAX; op++)
    for (uint32_t r = 0; r < OCT_MISS_MAX; r++) s.kernel_missed[op][r] = v();
  s.ringbuf_records = v();
  for (auto& r : s.received) r = v();
  s.decode_errors = v();
  s.unknown_hook = v();
  s.exec_events = v(), s.exit_events = v(), s.exit_unknown = v(), s.parent_misses = v();
  s.seeded = v(), s.kprobe_events = v(), s.tracepoint_events = v(), s.uprobe_events = v();
  s.loader_events = v(), s.loader_unknown_process = v(), s.loader.sensor.lost = v();
  s.loader.sensor.malformed = v(), s.loader.sensor.records = v();
  s.usdt_events = v();
  s.cache = {v(), v(), v(), v(), v(), v()};
  for (const char* name : {"stdout", "file:/var/log/\"odd\"\\name\n.log"}) {
    ExporterSnapshot e;
    e.name = name;
    e.stats = {v(), v(), v(), v(), v(), v(), v()};
    e.filtered = v();
    e.rate_limited = v();
    e.aggregation_dropped = v();
    s.exporters.push_back(e);
  }
  for (const char* name : {"block-\"bad\"\\ones\nnow", "monitor"}) {
    PolicyStatus p;
    p.id = v();
    p.name = name;
    p.state = PolicyState::kEnabled;
    p.mode = "enforce";
    p.kernel_memory_bytes = v();
    for (const char* mech : {"tracepoint/syscalls/sys_enter_openat", "raw_tp/sys_exit"}) {
      HookStatus h;
      h.mechanism = mech;
      for (int k = 0; k < 2; k++) h.selectors.push_back({v(), v(), v(), v(), v(), v(), v()});
      p.hooks.push_back(h);
    }
    for (const auto& h : p.hooks)
      for (const auto& c : h.selectors) {
        p.posted += c.posted, p.signals += c.signals, p.monitor_signals += c.monitor_signals;
        p.signal_failed += c.signal_failed, p.nopost += c.nopost;
        p.rate_limited += c.rate_limited, p.ringbuf_full += c.ringbuf_full;
      }
    s.policies.push_back(p);
  }
  s.user_actions = {v(), v(), v(), v(), v()};
  s.user_actions_not_run = v(), s.policy_nopost = v();
  s.stack_kernel_unresolved = v(), s.stack_user_unmapped = v(), s.stack_maps_errors = v();
  s.stack_user_no_symbol = v();
  s.api_enabled = true;
  s.api_clients.push_back({7, "ipv4:127.0.0.1:5555", v(), v(), v(), v(), v()});
  s.api_dropped = v();
  s.api_aggregation_dropped = v();
  s.bpf_stats_enabled = true;
  s.programs.push_back({11, "oct_exec", "tracing", v(), 1'500'000'000});
  s.programs.push_back({12, "gen_tp", "tracepoint", v(), v()});
  return s;
}

// Words that make a status JSON key a loss (or degradation) counter.
bool is_loss_key(const std::string& key) {
  for (const char* w : {"lost", "drop", "miss", "error", "full", "fail", "unresolved", "unmapped",
                        "no_symbol", "not_run", "rate_limited", "unknown"})
    if (key.find(w) != std::string::npos) return true;
  return false;
}

struct Context {
  std::string exporter, policy, hook, selector, client;
};

struct Expect {
  std::string metric;
  Labels labels;
};

// The metric (and labels) that carries the JSON counter at `path` ("[]" marks array items).
std::optional<Expect> metric_for(const std::vector<std::string>& path, const Context& c) {
  std::string p;
  for (const auto& part : path) p += (p.empty() ? "" : ".") + part;
  const std::string& key = path.back();
  if (path[0] == "kernel_missed")
    return Expect{"tetragon_bpf_missed_events_total", {{"msg_op", path[1]}, {"error", path[2]}}};
  if (p == "totals.kernel_lost") return Expect{"octagon_events_lost_total", {{"side", "kernel"}}};
  if (p == "totals.user_dropped") return Expect{"octagon_events_lost_total", {{"side", "user"}}};
  if (p == "ringbuf.decode_errors") return Expect{"tetragon_observer_ringbuf_errors_total", {}};
  if (p == "ringbuf.dropped_unknown_hook")
    return Expect{"octagon_policy_records_dropped_total", {{"reason", "unknown_hook"}}};
  if (p == "events.exit_unknown_process" || p == "events.parent_misses")
    return Expect{"octagon_process_events_degraded_total",
                  {{"reason", key == "parent_misses" ? "parent_miss" : key}}};
  if (p == "events.loader_unknown_process")
    return Expect{"octagon_loader_records_dropped_total", {{"reason", "unknown_process"}}};
  if (p == "loader.lost") return Expect{"octagon_loader_records_dropped_total", {{"reason", "lost"}}};
  if (p == "process_cache.misses") return Expect{"tetragon_process_cache_misses_total", {}};
  if (p == "exporters.[].dropped_queue_full")
    return Expect{"tetragon_observer_ringbuf_queue_events_lost_total", {{"exporter", c.exporter}}};
  if (p == "exporters.[].rate_limited")
    return Expect{"octagon_export_rate_limited_events_total", {{"exporter", c.exporter}}};
  if (p == "exporters.[].write_errors")
    return Expect{"octagon_export_write_errors_total", {{"exporter", c.exporter}}};
  if (p == "exporters.[].lost_records")
    return Expect{"octagon_export_write_lost_events_total", {{"exporter", c.exporter}}};
  if (p.starts_with("policies.[].") && (key == "ringbuf_full" || key == "rate_limited" || key == "signal_failed")) {
    Labels l{{"policy", c.policy}, {"reason", key}};
    if (!c.hook.empty()) l["hook"] = c.hook, l["selector"] = c.selector;
    return Expect{"octagon_tracingpolicy_selector_missed_total", l};
  }
  if (p == "user_actions.get_url_failed")
    return Expect{"octagon_user_actions_total", {{"action", "get_url"}, {"result", "failed"}}};
  if (p == "user_actions.dns_lookup_failed")
    return Expect{"octagon_user_actions_total", {{"action", "dns_lookup"}, {"result", "failed"}}};
  if (p == "user_actions.dropped_queue_full")
    return Expect{"octagon_user_actions_dropped_total", {{"reason", "queue_full"}}};
  if (p == "user_actions.not_run")
    return Expect{"octagon_user_actions_dropped_total", {{"reason", "no_runner"}}};
  if (path[0] == "stack_traces")
    return Expect{"octagon_stack_trace_frames_missed_total", {{"reason", key}}};
  if (p == "api.dropped") return Expect{"tetragon_notify_overflowed_events_total", {}};
  if (p == "api.aggregation_dropped")
    return Expect{"octagon_grpc_aggregation_dropped_events_total", {}};
  if (p == "api.clients.[].aggregation_dropped")
    return Expect{"octagon_grpc_client_events_total",
                  {{"client", c.client}, {"outcome", "aggregation_dropped"}}};
  if (p == "exporters.[].aggregation_dropped")
    return Expect{"octagon_export_aggregation_dropped_events_total", {{"exporter", c.exporter}}};
  if (p == "api.clients.[].dropped")
    return Expect{"octagon_grpc_client_events_total", {{"client", c.client}, {"outcome", "dropped"}}};
  return std::nullopt;
}

void walk(const json& j, std::vector<std::string>& path, Context ctx,
          const std::function<void(const std::vector<std::string>&, const Context&, uint64_t)>& leaf) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      path.push_back(k);
      walk(v, path, ctx, leaf);
      path.pop_back();
    }
  } else if (j.is_array()) {
    const std::string owner = path.back();
    path.push_back("[]");
    for (size_t i = 0; i < j.size(); i++) {
      Context c = ctx;
      const json& e = j[i];
      if (owner == "exporters") c.exporter = e["name"];
      if (owner == "policies") c.policy = e["name"];
      if (owner == "hooks") c.hook = e["mechanism"];
      if (owner == "selectors") c.selector = std::to_string(i);
      if (owner == "clients") c.client = std::to_string(e["id"].get<uint64_t>());
      walk(e, path, c, leaf);
    }
    path.pop_back();
  } else if (j.is_number_unsigned()) {
    leaf(path, ctx, j.get<uint64_t>());
  }
}

TEST(StatusMetrics, LossCountersOfStatusJsonAreAllMetrics) {
  StatusSnapshot s = rich_snapshot();
  json status = json::parse(render_status_json(s))["status"];
  auto metrics = octagon::testing::parse_metrics_text(render_status_metrics(s));
  ASSERT_EQ(metrics.error, "");
  size_t checked = 0;
  std::vector<std::string> path;
  walk(status, path, {}, [&](const std::vector<std::string>& p, const Context& c, uint64_t value) {
    if (!is_loss_key(p.back()) && !(p.size() == 3 && p[0] == "kernel_missed")) return;
    std::string where;
    for (const auto& part : p) where += "." + part;
    auto e = metric_for(p, c);
    ASSERT_TRUE(e) << "status JSON loss counter " << where << " has no metric rule";
    ASSERT_GT(metrics.count(e->metric), 0u) << where << ": no metric " << e->metric;
    EXPECT_EQ(metrics.sum(e->metric, e->labels), static_cast<double>(value))
        << where << " -> " << e->metric;
    checked++;
  });
  EXPECT_GE(checked, 50u);
}

TEST(StatusMetrics, EventsCacheExportersAndPrograms) {
  StatusSnapshot s = rich_snapshot();
  auto m = octagon::testing::parse_metrics_text(render_status_metrics(s));
  EXPECT_EQ(m.sum("tetragon_events_total", {{"type", "PROCESS_EXEC"}}), s.exec_events);
  EXPECT_EQ(m.sum("tetragon_events_total", {{"type", "PROCESS_USDT"}}), s.usdt_events);
  EXPECT_EQ(m.sum("tetragon_msg_op_total", {{"msg_op", "exec"}}), s.received[OCT_MSG_EXEC]);
  EXPECT_EQ(m.sum("tetragon_observer_ringbuf_events_received_total"), s.ringbuf_records);
  EXPECT_EQ(m.sum("tetragon_observer_ringbuf_events_lost_total"), s.kernel_lost());
  EXPECT_EQ(m.sum("tetragon_process_cache_size"), s.cache.size);
  EXPECT_EQ(m.sum("tetragon_events_exported_bytes_total", {{"exporter", s.exporters[1].name}}),
            s.exporters[1].stats.bytes);
  EXPECT_EQ(m.sum("octagon_export_filtered_events_total", {{"exporter", s.exporters[1].name}}),
            s.exporters[1].filtered);
  EXPECT_EQ(m.sum("tetragon_tracingpolicy_loaded", {{"state", "enabled"}}), 2);
  EXPECT_EQ(m.sum("tetragon_tracingpolicy_kernel_memory_bytes", {{"policy", "monitor"}}),
            s.policies[1].kernel_memory_bytes);
  EXPECT_EQ(m.sum("tetragon_tracingpolicy_selector_actions_total",
                  {{"policy", "monitor"}, {"action", "post"}}),
            s.policies[1].posted);
  EXPECT_EQ(m.sum("tetragon_policy_events_total", {{"policy", s.policies[0].name}}), s.policies[0].posted);
  EXPECT_EQ(m.sum("tetragon_overhead_program_seconds_total", {{"program", "oct_exec"}}), 1.5);
  EXPECT_EQ(m.sum("tetragon_overhead_program_runs_total", {{"id", "12"}}), s.programs[1].run_count);
  EXPECT_EQ(m.sum("tetragon_build_info"), 1);
  for (const auto& [family, type] : m.types) {
    if (type == "counter") {
      EXPECT_TRUE(family.ends_with("_total")) << family;
    }
    EXPECT_TRUE(m.helps.count(family)) << family;
  }
}

TEST(StatusMetrics, ProgramFamiliesOnlyWithBpfStats) {
  StatusSnapshot s = rich_snapshot();
  s.bpf_stats_enabled = false;
  std::string text = render_status_metrics(s);
  EXPECT_EQ(text.find("tetragon_overhead_program"), std::string::npos);
}

TEST(StatusMetrics, PromtoolAcceptsTheOutput) {
  if (system("command -v promtool >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
  std::string text = render_status_metrics(rich_snapshot());
  std::string path = ::testing::TempDir() + "/octagon-metrics-" + std::to_string(getpid()) + ".txt";
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs(text.c_str(), f);
  fclose(f);
  std::string cmd = "promtool check metrics < " + path + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof(buf), p)) out += buf;
  int rc = pclose(p);
  remove(path.c_str());
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace octagon::daemon
