// A process sensor plus a raw reader of generic hook records, for action tests that drive the
// generic hook program with hand-made plans (sys_enter_openat / sys_exit_openat).
#pragma once

#include <fcntl.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <octagon/bpf/feature_probe.h>
#include <octagon/bpf/ring_buffer_reader.h>
#include <octagon/sensors/generic/generic_hook.h>
#include <octagon/sensors/process/decoder.h>
#include <octagon/sensors/process/process_sensor.h>

#include "sensor/sensor_fixture.h"

namespace octagon::testing {

struct RawGeneric {
  oct_gen_event ev;
  std::vector<std::string> args;
  std::vector<uint64_t> kstack, ustack;
};

class RawGenericReader : public bpf::RecordHandler {
public:
  void on_record(const void* data, size_t size) override {
    auto op = sensors::record_op(data, size);
    if (!op || *op != OCT_MSG_GENERIC)
      return;
    RawGeneric c;
    memcpy(&c.ev, data, sizeof(c.ev));
    const char* p = static_cast<const char*>(data) + sizeof(oct_gen_event);
    for (int i = 0; i < c.ev.nargs; i++) {
      c.args.emplace_back(p, c.ev.arg_len[i]);
      p += c.ev.arg_len[i];
    }
    c.kstack.resize(c.ev.kstack_len / 8);
    memcpy(c.kstack.data(), p, c.kstack.size() * 8);
    p += c.ev.kstack_len;
    c.ustack.resize(c.ev.ustack_len / 8);
    memcpy(c.ustack.data(), p, c.ustack.size() * 8);
    got.push_back(std::move(c));
  }
  std::vector<RawGeneric> got;
};

// sys_enter_openat: filename @24 (user string) as the only argument.
inline oct_gen_config openat_path_plan(uint32_t hook_id, const std::string& prefix) {
  oct_gen_config c{};
  c.hook_id = hook_id;
  c.nargs = 1;
  c.args[0] = oct_gen_arg{};
  c.args[0].offset = 24;
  c.args[0].size = 8;
  c.args[0].kind = OCT_GA_STR_USER;
  c.args[0].max_data = 4096;
  c.nselectors = 1;
  oct_gen_selector& s = c.selectors[0];
  s.action = OCT_ACT_POST;
  s.post = 1;
  oct_gen_filter& f = s.filters[s.nfilters++];
  f.arg = 0;
  f.op = OCT_OP_PREFIX;
  f.is_string = 1;
  f.slen[0] = uint16_t(prefix.size());
  memcpy(f.svals[0], prefix.data(), prefix.size());
  f.nvals = 1;
  return c;
}

struct ActionRig {
  bpf::FeatureProbe probe;
  std::unique_ptr<sensors::ProcessSensor> sensor;
  RawGenericReader reader;
  std::unique_ptr<bpf::RingBufferReader> rb;
  std::unique_ptr<sensors::GenericHook> enter, exit;

  ActionRig() {
    sensors::ProcessSensorConfig cfg;
    auto s = sensors::ProcessSensor::create(cfg, probe);
    if (!s) {
      ADD_FAILURE() << s.error().describe();
      return;
    }
    sensor = std::move(*s);
    rb = std::move(*bpf::RingBufferReader::create(sensor->ring_buffer_fd(), reader));
  }
  void drain() { (void)rb->poll(0); }

  // The plan on sys_enter_openat, finished at sys_exit_openat when the path faulted at entry.
  Result<void> attach(oct_gen_config plan) {
    policy::AttachTarget t;
    t.subsystem = "syscalls";
    t.event = "sys_enter_openat";
    oct_gen_config e = plan, x = plan;
    e.mode = OCT_MODE_ENTER_DEFER;
    x.mode = OCT_MODE_EXIT_DEFER;
    x.ret_offset = 16;
    OCTAGON_ASSIGN_OR_RETURN(enter, sensors::GenericHook::create(t, e, *sensor));
    t.event = "sys_exit_openat";
    OCTAGON_ASSIGN_OR_RETURN(exit, sensors::GenericHook::create(t, x, *sensor, enter.get()));
    return ok();
  }

  // Counter `stat` of selector 0 over both halves.
  uint64_t stat(uint32_t stat) const {
    uint64_t a[OCT_GEN_MAX_SELECTORS + 1][OCT_GS_MAX], b[OCT_GEN_MAX_SELECTORS + 1][OCT_GS_MAX];
    enter->read_stats(a);
    exit->read_stats(b);
    return a[0][stat] + b[0][stat];
  }

  size_t count_path(const std::string& path) const {
    size_t n = 0;
    for (const auto& g : reader.got)
      n += !g.args.empty() && g.args[0] == path;
    return n;
  }
};

} // namespace octagon::testing
