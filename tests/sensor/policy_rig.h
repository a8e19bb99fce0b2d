// A TracingPolicy loaded the way the agent loads it (parse -> compile for this kernel with
// tracefs and BTF facts -> PolicyManager -> generic hooks), with its records decoded into
// Tetragon arguments by the real decoder, for sensor tests of argument types.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <octagon/bpf/feature_probe.h>
#include <octagon/bpf/ring_buffer_reader.h>
#include <octagon/daemon/hook_registry.h>
#include <octagon/daemon/policy_manager.h>
#include <octagon/policy/parser.h>
#include <octagon/sensors/generic/chunk_assembler.h>
#include <octagon/sensors/generic/generic_decoder.h>
#include <octagon/sensors/process/decoder.h>
#include <octagon/sensors/process/process_sensor.h>

namespace octagon::testing {

struct DecodedPolicyRecord {
  uint32_t pid = 0;
  std::string subsys, event, function;
  std::vector<events::Argument> args;
  std::optional<events::Argument> ret;
  uint8_t action = 0;  // enum oct_gen_action, and whether it happened
  bool action_done = false;
  bool override_asked = false, override_done = false;  // Override of the selector
  int32_t override_ret = 0;
  bool lsm = false;      // a process_lsm event (lsmhooks:)
  std::string ima_hash;  // Post imaHash: "sha256:<hex>"
};

class DecodingPolicyRig : public bpf::RecordHandler {
 public:
  DecodingPolicyRig() {
    auto s = sensors::ProcessSensor::create(sensors::ProcessSensorConfig{}, probe_);
    if (!s) {
      ADD_FAILURE() << s.error().describe();
      return;
    }
    sensor_ = std::move(*s);
    auto k = daemon::TracefsKernelFacts::create();
    if (!k) {
      ADD_FAILURE() << k.error().describe();
      return;
    }
    kernel_ = std::move(*k);
    manager_ = std::make_unique<daemon::PolicyManager>(*sensor_, registry_, *kernel_);
    rb_ = std::move(*bpf::RingBufferReader::create(sensor_->ring_buffer_fd(), *this));
  }

  // Parses and loads `yaml`; the error (file:line: ...) when it does not load.
  Result<void> load(const std::string& yaml, const policy::CompileOptions& opts = {}) {
    if (!manager_) return make_error(EINVAL, "rig not set up");
    OCTAGON_ASSIGN_OR_RETURN(policy::TracingPolicy p, policy::parse_policy(yaml, "test.yaml"));
    OCTAGON_TRY(manager_->add(p, opts));
    return ok();
  }

  // The manager the policies were loaded into (remove, disable, status).
  daemon::PolicyManager& manager() { return *manager_; }
  // The process sensor the hooks share maps with.
  sensors::ProcessSensor& sensor() { return *sensor_; }

  void on_record(const void* data, size_t size) override {
    auto op = sensors::record_op(data, size);
    if (op && *op == OCT_MSG_GENERIC_DATA) {
      EXPECT_TRUE(chunks_.add(data, size));
      return;
    }
    if (!op || *op != OCT_MSG_GENERIC) return;
    sensors::DecodedGeneric d;
    if (!sensors::decode_generic(data, size, d)) return;
    chunks_.complete(d);
    flags_.push_back(d.arg_flags);
    auto render = registry_.find(d.hook_id);
    if (!render) return;
    DecodedPolicyRecord r;
    r.pid = d.key.pid;
    r.subsys = render->subsys;
    r.event = render->event;
    r.function = render->function_name;
    r.action = d.action;
    r.action_done = d.action_done;
    r.override_asked = d.override_asked;
    r.override_done = d.override_done;
    r.override_ret = d.override_ret;
    r.lsm = render->kind == policy::EventKind::kLsm;
    sensors::render_ima_hash(d, r.ima_hash);
    sensors::render_arguments(d, *render, r.args, r.ret);
    got_.push_back(std::move(r));
  }

  // Records of process `pid` (polls the ring for up to 2 s until at least `min` arrived).
  std::vector<DecodedPolicyRecord> of(uint32_t pid, size_t min = 1) {
    std::vector<DecodedPolicyRecord> out;
    for (int i = 0; i < 100; i++) {
      if (rb_) (void)rb_->poll(20);
      out.clear();
      for (const auto& r : got_)
        if (r.pid == pid) out.push_back(r);
      if (out.size() >= min) break;
    }
    return out;
  }

  // Every record so far that `match` accepts (polls the ring for up to 2 s until one is there):
  // for hooks that may run outside the triggering process (softirq).
  std::vector<DecodedPolicyRecord> matching(const std::function<bool(const DecodedPolicyRecord&)>& match) {
    std::vector<DecodedPolicyRecord> out;
    for (int i = 0; i < 100 && out.empty(); i++) {
      if (rb_) (void)rb_->poll(20);
      for (const auto& r : got_)
        if (match(r)) out.push_back(r);
    }
    return out;
  }

 private:
  bpf::FeatureProbe probe_;
  std::unique_ptr<sensors::ProcessSensor> sensor_;
  daemon::HookRegistry registry_;
  std::unique_ptr<daemon::TracefsKernelFacts> kernel_;
  std::unique_ptr<daemon::PolicyManager> manager_;
  std::unique_ptr<bpf::RingBufferReader> rb_;
  std::vector<DecodedPolicyRecord> got_;
  sensors::ChunkAssembler chunks_;

 public:
  std::vector<std::vector<uint8_t>> flags_;  // per record: OCT_GAF_* of each argument
};

// "apiVersion...spec:\n" + body.
inline std::string policy_with(const std::string& name, const std::string& spec_body) {
  return "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: " + name + "\nspec:\n" + spec_body;
}

}  // namespace octagon::testing
