#include <octagon/daemon/status.h>

#include <octagon/exporters/json/escape.h>

namespace octagon::daemon {
namespace {

class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  ObjectWriter& field(std::string_view key, uint64_t v) {
    key_(key);
    out_ += std::to_string(v);
    return *this;
  }
  ObjectWriter& field(std::string_view key, std::string_view v) {
    key_(key);
    exporters::append_json_string(out_, v);
    return *this;
  }
  // Starts a nested value: the caller appends it.
  std::string& raw(std::string_view key) {
    key_(key);
    return out_;
  }
  void close() { out_ += '}'; }

 private:
  void key_(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    exporters::append_json_string(out_, key);
    out_ += ':';
  }
  std::string& out_;
  bool first_ = true;
};

void render_counters(ObjectWriter& w, const SelectorCounters& c) {
  w.field("posted", c.posted).field("signals", c.signals).field("monitor_signals", c.monitor_signals);
  w.field("signal_failed", c.signal_failed).field("nopost", c.nopost);
  w.field("rate_limited", c.rate_limited).field("ringbuf_full", c.ringbuf_full);
}

// "policies":[{name, mode, totals, notes, hooks:[{mechanism, selectors:[counters]}]}],
// "user_actions":{...}, "stack_traces":{...}.
void render_policies(const StatusSnapshot& s, ObjectWriter& top) {
  std::string& pol = top.raw("policies");
  pol += '[';
  for (size_t i = 0; i < s.policies.size(); i++) {
    if (i) pol += ',';
    const PolicyStatus& p = s.policies[i];
    ObjectWriter w(pol);
    w.field("id", p.id).field("name", p.name).field("state", policy_state_name(p.state));
    if (!p.error.empty()) w.field("error", p.error);
    w.field("mode", p.mode).field("kernel_memory_bytes", p.kernel_memory_bytes);
    SelectorCounters total{p.posted, p.signals, p.monitor_signals, p.signal_failed,
                           p.nopost, p.rate_limited, p.ringbuf_full};
    render_counters(w, total);
    std::string& notes = w.raw("notes");
    notes += '[';
    for (size_t n = 0; n < p.notes.size(); n++) {
      if (n) notes += ',';
      exporters::append_json_string(notes, p.notes[n]);
    }
    notes += ']';
    std::string& hooks = w.raw("hooks");
    hooks += '[';
    for (size_t h = 0; h < p.hooks.size(); h++) {
      if (h) hooks += ',';
      ObjectWriter hw(hooks);
      hw.field("mechanism", p.hooks[h].mechanism);
      std::string& sels = hw.raw("selectors");
      sels += '[';
      for (size_t k = 0; k < p.hooks[h].selectors.size(); k++) {
        if (k) sels += ',';
        ObjectWriter sw(sels);
        render_counters(sw, p.hooks[h].selectors[k]);
        sw.close();
      }
      sels += ']';
      hw.close();
    }
    hooks += ']';
    w.close();
  }
  pol += ']';

  ObjectWriter ua(top.raw("user_actions"));
  ua.field("get_url_ok", s.user_actions.get_url_ok).field("get_url_failed", s.user_actions.get_url_failed);
  ua.field("dns_lookup_ok", s.user_actions.dns_lookup_ok);
  ua.field("dns_lookup_failed", s.user_actions.dns_lookup_failed);
  ua.field("dropped_queue_full", s.user_actions.dropped_queue_full);
  ua.field("not_run", s.user_actions_not_run).field("nopost_records", s.policy_nopost);
  ua.close();

  ObjectWriter st(top.raw("stack_traces"));
  st.field("kernel_unresolved", s.stack_kernel_unresolved).field("user_unmapped", s.stack_user_unmapped);
  st.field("user_no_symbol", s.stack_user_no_symbol).field("maps_errors", s.stack_maps_errors);
  st.close();
}

}  // namespace

uint64_t StatusSnapshot::kernel_lost() const {
  uint64_t n = 0;
  for (const auto& op : kernel_missed) n += op[OCT_MISS_RB_FULL] + op[OCT_MISS_NO_HEAP];
  return n + loader.sensor.lost;
}

uint64_t StatusSnapshot::user_dropped() const {
  uint64_t n = decode_errors + unknown_hook + loader.sensor.malformed;
  for (const auto& e : exporters)
    n += e.stats.dropped_queue_full + e.stats.lost_records + e.rate_limited + e.aggregation_dropped;
  return n;
}

std::string render_status_json(const StatusSnapshot& s) {
  std::string out;
  out += "{\"status\":";
  ObjectWriter top(out);
  top.field("uptime_seconds", s.uptime_ns / 1000000000ull);

  ObjectWriter totals(top.raw("totals"));
  totals.field("kernel_lost", s.kernel_lost()).field("user_dropped", s.user_dropped());
  totals.close();

  ObjectWriter kernel(top.raw("kernel_missed"));
  for (uint32_t op = 1; op < OCT_MSG_OP_MAX; op++) {
    ObjectWriter per(kernel.raw(sensors::msg_op_name(op)));
    for (uint32_t r = 0; r < OCT_MISS_MAX; r++) per.field(sensors::miss_reason_name(r), s.kernel_missed[op][r]);
    per.close();
  }
  kernel.close();

  ObjectWriter rb(top.raw("ringbuf"));
  rb.field("records", s.ringbuf_records);
  for (uint32_t op = 1; op < OCT_MSG_OP_MAX; op++) rb.field(sensors::msg_op_name(op), s.received[op]);
  rb.field("decode_errors", s.decode_errors).field("dropped_unknown_hook", s.unknown_hook);
  rb.close();

  ObjectWriter ev(top.raw("events"));
  ev.field("process_exec", s.exec_events).field("process_exit", s.exit_events);
  ev.field("exit_unknown_process", s.exit_unknown).field("parent_misses", s.parent_misses);
  ev.field("procfs_seeded", s.seeded);
  ev.field("process_kprobe", s.kprobe_events).field("process_tracepoint", s.tracepoint_events);
  ev.field("process_uprobe", s.uprobe_events).field("process_usdt", s.usdt_events);
  ev.field("process_lsm", s.lsm_events);
  ev.field("process_loader", s.loader_events).field("loader_unknown_process", s.loader_unknown_process);
  ev.close();

  ObjectWriter ld(top.raw("loader"));
  ld.field("active", uint64_t(s.loader.active)).field("policies", s.loader.users);
  ld.field("records", s.loader.sensor.records).field("lost", s.loader.sensor.lost);
  ld.field("malformed", s.loader.sensor.malformed).field("other_records", s.loader.sensor.other);
  ld.field("no_build_id", s.loader.sensor.no_build_id);
  ld.close();

  ObjectWriter cache(top.raw("process_cache"));
  cache.field("size", s.cache.size).field("capacity", s.cache.capacity);
  cache.field("evictions", s.cache.evictions).field("misses", s.cache.misses);
  cache.field("removals", s.cache.removals).field("memory_bytes", s.cache.memory_bytes);
  cache.close();

  std::string& ex = top.raw("exporters");
  ex += '[';
  for (size_t i = 0; i < s.exporters.size(); i++) {
    if (i) ex += ',';
    const auto& e = s.exporters[i];
    ObjectWriter w(ex);
    w.field("name", e.name).field("submitted", e.stats.submitted);
    w.field("dropped_queue_full", e.stats.dropped_queue_full).field("written", e.stats.written);
    w.field("write_errors", e.stats.write_errors).field("lost_records", e.stats.lost_records);
    w.field("bytes", e.stats.bytes);
    w.field("export_filtered", e.filtered).field("rate_limited", e.rate_limited);
    w.field("aggregation_dropped", e.aggregation_dropped);
    w.close();
  }
  ex += ']';
  render_policies(s, top);

  if (s.api_enabled) {
    ObjectWriter api(top.raw("api"));
    api.field("dropped", s.api_dropped).field("aggregation_dropped", s.api_aggregation_dropped);
    std::string& cl = api.raw("clients");
    cl += '[';
    for (size_t i = 0; i < s.api_clients.size(); i++) {
      if (i) cl += ',';
      const auto& c = s.api_clients[i];
      ObjectWriter w(cl);
      w.field("id", c.id).field("peer", c.peer).field("queued", c.queued).field("sent", c.sent);
      w.field("dropped", c.dropped).field("filtered", c.filtered);
      w.field("aggregation_dropped", c.aggregation_dropped);
      w.close();
    }
    cl += ']';
    api.close();
  }
  if (s.bpf_stats_enabled) {
    std::string& progs = top.raw("programs");
    progs += '[';
    for (size_t i = 0; i < s.programs.size(); i++) {
      if (i) progs += ',';
      const auto& p = s.programs[i];
      ObjectWriter w(progs);
      w.field("id", p.id).field("name", p.name).field("type", p.type);
      w.field("run_count", p.run_count).field("run_time_ns", p.run_time_ns);
      w.close();
    }
    progs += ']';
  }
  top.close();
  out += '}';
  return out;
}

}  // namespace octagon::daemon
