// A rig for selector tests: the real process sensor, a policy compiled from YAML by the real
// compiler (tracefs kernel facts) and loaded as generic hooks, and the policy records it emits.
// Real processes (tests/testprogs/selector_probe.c) trigger the hooks.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <octagon/bpf/feature_probe.h>
#include <octagon/bpf/ring_buffer_reader.h>
#include "generic_records.h"
#include <octagon/sensors/generic/generic_hook.h>
#include <octagon/sensors/process/process_sensor.h>

namespace octagon::testing {

class SelectorRig {
 public:
  SelectorRig();
  // Compiles `yaml` for this kernel and loads and attaches every hook of it.
  Result<void> load(const std::string& yaml);
  // The records of process `pid` so far, in order.
  std::vector<PolicyRecord> of(pid_t pid);
  // How many records of `pid` each selector (0..4) produced.
  std::vector<int> per_selector(pid_t pid);

 private:
  bpf::FeatureProbe probe_;
  std::unique_ptr<sensors::ProcessSensor> sensor_;
  PolicyRecordReader reader_;
  std::unique_ptr<bpf::RingBufferReader> rb_;
  std::vector<std::unique_ptr<sensors::GenericHook>> hooks_;
};

// A finished child: its pid, wait status and the "name=pid" lines it printed.
struct ChildRun {
  pid_t pid = -1;
  int status = -1;
  std::map<std::string, pid_t> pids;
};
ChildRun run_child(const std::vector<std::string>& argv);

// A kprobe sys_openat policy (path argument captured) with one selector per entry: each
// selector matches opens of its own path (matchArgs Equal) AND its filter (YAML lines, e.g.
// "matchBinaries: [{operator: In, values: [/usr/bin/cat]}]"; "" for none).
std::string openat_policy(const std::vector<std::pair<std::string, std::string>>& selectors);

}  // namespace octagon::testing
