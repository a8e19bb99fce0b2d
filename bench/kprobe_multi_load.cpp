// What kprobe.multi saves when a policy loads: a kprobes `list:` of N kernel functions on one
// kprobe.multi link (one program load and verification) against one hook per function (the
// same list with `disable-kprobe-multi`, N program loads), side by side. Per rep, in
// alternating order, it times the real PolicyManager's add() and remove() of each, and prints
// medians [min,max] and the ratio. Needs a kernel with kprobe.multi (CONFIG_FPROBE): this
// machine has no kprobes, so it runs in the VM tier's Debian 6.12 guest:
//
//   scripts/vm/run.sh -k 6.12 -w build-bench -s . -- build-bench/bench/kprobe_multi_load [reps=5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "spread.h"

#include <octagon/base/log.h>
#include <octagon/bpf/feature_probe.h>
#include <octagon/daemon/hook_registry.h>
#include <octagon/daemon/policy_manager.h>
#include <octagon/daemon/tracefs_kernel_facts.h>
#include <octagon/policy/parser.h>
#include <octagon/sensors/process/process_sensor.h>

namespace {

using namespace octagon;

// Security hooks with a pointer first argument, present in Debian 6.1 and 6.12.
const std::vector<const char*> kFunctions = {
    "security_inode_mkdir",  "security_inode_rmdir", "security_inode_unlink", "security_inode_create",
    "security_inode_rename", "security_inode_link",  "security_inode_symlink", "security_file_open"};

std::string list_policy(bool one_link) {
  std::string y = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: kmulti-";
  y += one_link ? "link" : "hooks";
  y += "\nspec:\n";
  if (!one_link) y += "  options:\n  - name: disable-kprobe-multi\n    value: \"1\"\n";
  y += "  lists:\n  - name: fns\n    values: [";
  for (size_t i = 0; i < kFunctions.size(); i++) y += std::string(i ? ", " : "") + kFunctions[i];
  y += "]\n  kprobes:\n  - call: \"list:fns\"\n    syscall: false\n    args: [{index: 0, type: uint64}]\n";
  return y;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

using bench::Spread;
using bench::spread;

}  // namespace

int main(int argc, char** argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 5;
  if (reps < 1) {
    fprintf(stderr, "usage: kprobe_multi_load [reps>=1]\n");
    return 2;
  }
  log::set_level(log::Level::kWarn);
  bpf::FeatureProbe probe;
  const bpf::Probe& multi = probe.get(bpf::Feature::kKprobeMulti);
  if (!multi.ok) {
    fprintf(stderr, "kprobe_multi_load: this kernel has no kprobe.multi: %s\n", multi.detail.c_str());
    return 2;
  }
  auto sensor = sensors::ProcessSensor::create(sensors::ProcessSensorConfig{}, probe);
  auto facts = daemon::TracefsKernelFacts::create();
  if (!sensor || !facts) {
    fprintf(stderr, "kprobe_multi_load: %s\n", (!sensor ? sensor.error() : facts.error()).describe().c_str());
    return 1;
  }
  daemon::HookRegistry registry;
  daemon::PolicyManager manager(**sensor, registry, **facts);
  std::vector<double> load[2], unload[2];  // [0]: one hook per function, [1]: one link
  for (int r = 0; r < reps; r++)
    for (int k = 0; k < 2; k++) {
      bool one_link = (k + r) % 2 == 1;  // alternate which goes first
      auto spec = policy::parse_policy(list_policy(one_link), "bench.yaml");
      if (!spec) {
        fprintf(stderr, "%s\n", spec.error().describe().c_str());
        return 1;
      }
      auto t0 = std::chrono::steady_clock::now();
      auto name = manager.add(*spec);
      double added = ms_since(t0);
      if (!name) {
        fprintf(stderr, "load: %s\n", name.error().describe().c_str());
        return 1;
      }
      t0 = std::chrono::steady_clock::now();
      (void)manager.remove(*name);
      load[one_link].push_back(added);
      unload[one_link].push_back(ms_since(t0));
    }
  printf("# kprobes list of %zu functions: one kprobe.multi link vs one hook per function (%d reps)\n\n",
         kFunctions.size(), reps);
  printf("| | one hook per function | one kprobe.multi link | ratio |\n|---|---|---|---|\n");
  const char* what[] = {"load (ms)", "unload (ms)"};
  std::vector<double>* sets[] = {load, unload};
  for (int i = 0; i < 2; i++) {
    Spread a = spread(sets[i][0]), b = spread(sets[i][1]);
    printf("| %s | %.1f [%.1f, %.1f] | %.1f [%.1f, %.1f] | %.2fx |\n", what[i], a.median, a.min, a.max, b.median,
           b.min, b.max, b.median > 0 ? a.median / b.median : 0.0);
  }
  return 0;
}
