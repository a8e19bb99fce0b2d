// ProcessSensor: the always-on process lifecycle sensor (exec, fork/clone, exit).
// Owns the BPF skeleton and its links; hands raw abi records to whoever reads its ring buffer.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <abi/process.h>
#include <octagon/base/fd.h>
#include <octagon/base/result.h>
#include <octagon/bpf/feature_probe.h>
#include <octagon/bpf/link.h>

struct process_bpf;

namespace octagon::sensors {

// How each lifecycle hook is attached. kAuto picks the best mechanism the kernel accepts.
enum class HookMechanism { kAuto, kTpBtf, kRawTp };

struct ProcessSensorConfig {
  uint32_t ring_buffer_bytes = 8u << 20;  // power of two
  uint32_t process_map_entries = 32768;
  uint32_t args_cap = OCT_ARGS_DEFAULT;
  HookMechanism mechanism = HookMechanism::kAuto;
};

// One line of the capability report: which kernel mechanism a hook uses, or why not.
struct HookReport {
  std::string hook;       // "process exec"
  std::string mechanism;  // "tp_btf/sched_process_exec"
  std::string note;       // fallbacks taken and why
};

// Kernel-side loss counters, summed over CPUs: [op][reason].
using MissedCounters = std::array<std::array<uint64_t, OCT_MISS_MAX>, OCT_MSG_OP_MAX>;

class ProcessSensor {
 public:
  static Result<std::unique_ptr<ProcessSensor>> create(const ProcessSensorConfig& config,
                                                        bpf::FeatureProbe& probe);
  ~ProcessSensor();
  ProcessSensor(const ProcessSensor&) = delete;
  ProcessSensor& operator=(const ProcessSensor&) = delete;

  int ring_buffer_fd() const;
  // Maps that generic (policy) hooks share with this sensor.
  int process_map_fd() const;
  int missed_map_fd() const;
  int exec_info_map_fd() const;  // tgid -> struct oct_proc_exec_info
  // Socket owners (TrackSock/UntrackSock): sock pointer -> struct oct_sock_owner, LRU of
  // OCT_SOCKTRACK_ENTRIES. Created when the first hook that tracks or attributes sockets loads.
  Result<int> sock_owner_map_fd() const;
  const std::vector<HookReport>& hooks() const { return hooks_; }
  MissedCounters read_missed() const;

  // The kernel's identity for a live thread group, if the sensor has seen it start.
  std::optional<oct_proc_key> lookup_process(uint32_t tgid) const;
  // Entries in the kernel process map (walks it; for status output only).
  uint32_t process_map_size() const;

 private:
  ProcessSensor() = default;
  Result<void> load_and_attach(const ProcessSensorConfig& config, HookMechanism mech,
                               bool prealloc_exec_info);

  // Declared so that links are destroyed before the skeleton that owns the programs.
  process_bpf* skel_ = nullptr;
  std::vector<bpf::Link> links_;
  std::vector<HookReport> hooks_;
  mutable std::mutex sock_owners_mu_;
  mutable Fd sock_owners_;
};

const char* miss_reason_name(uint32_t reason);
const char* msg_op_name(uint32_t op);

}  // namespace octagon::sensors
