// What a hooked syscall costs when no selector matches: the event is dropped in the kernel and
// never reaches user space (issue goal: <= 60 ns per hooked syscall).
//
// For each workload (a tight syscall loop pinned to CPU0) it runs, interleaved per rep:
//   B  nothing attached                     (baseline)
//   E  an empty BPF program on the same tracepoint(s) (the kernel's floor for any BPF hook)
//   F  an Octagon TracingPolicy whose selector never matches, loaded by the real PolicyManager
// and reports per syscall: F-B (all the filtered event costs), E-B (the hook floor) and F-E
// (what Octagon's program adds beyond an empty one), as medians with [min,max] over reps. A
// second phase turns on BPF run-time stats (BPF_ENABLE_STATS) and reports ns per program run
// of the empty program and of Octagon's, from the kernel's own counters.
//
//   sudo build-bench/bench/filter_cost [reps=7] [iterations=300000]
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "spread.h"

#include <octagon/base/log.h>
#include <octagon/bpf/feature_probe.h>
#include <octagon/daemon/hook_registry.h>
#include <octagon/daemon/policy_manager.h>
#include <octagon/daemon/tracefs_kernel_facts.h>
#include <octagon/policy/parser.h>
#include <octagon/sensors/generic/generic_hook.h>
#include <octagon/sensors/process/process_sensor.h>

#include "bench_empty_bpf.skel.h"

namespace {

using namespace octagon;

struct Workload {
  const char* name;
  std::vector<const char*> tracepoints;  // syscalls/<tp> the policy runs on
  std::string policy;
  std::function<void(long)> loop;
};

std::string policy_yaml(const std::string& call, const std::string& body) {
  return "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: bench-" + call +
         "\nspec:\n  kprobes:\n  - call: sys_" + call + "\n    syscall: true\n" + body;
}

std::vector<Workload> workloads() {
  static const char* file = "/etc/hostname";
  return {
      {"getppid, matchPIDs In [1]",
       {"sys_enter_getppid"},
       policy_yaml("getppid", "    selectors:\n    - matchPIDs:\n      - operator: In\n        values: [1]\n"),
       [](long n) {
         for (long i = 0; i < n; i++) syscall(SYS_getppid);
       }},
      {"close(-1), int arg Equal",
       {"sys_enter_close"},
       policy_yaml("close", "    args:\n    - {index: 0, type: int}\n    selectors:\n    - matchArgs:\n"
                            "      - {index: 0, operator: Equal, values: [\"1000000\"]}\n"),
       [](long n) {
         for (long i = 0; i < n; i++) syscall(SYS_close, -1);
       }},
      {"openat, string arg Prefix",
       {"sys_enter_openat", "sys_exit_openat"},
       policy_yaml("openat", "    args:\n    - {index: 1, type: string}\n    selectors:\n    - matchArgs:\n"
                             "      - {index: 1, operator: Prefix, values: [\"/octagon-no-such-dir/\"]}\n"),
       [](long n) {
         for (long i = 0; i < n; i++) {
           int fd = openat(AT_FDCWD, file, O_RDONLY);
           if (fd >= 0) close(fd);
         }
       }},
  };
}

double time_loop(const Workload& w, long n) {
  w.loop(n / 20 + 1);  // warm up
  auto t0 = std::chrono::steady_clock::now();
  w.loop(n);
  auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::nano>(t1 - t0).count() / double(n);
}

// The empty program, attached to every tracepoint the policy uses.
class EmptyHook {
 public:
  static std::unique_ptr<EmptyHook> attach(const Workload& w) {
    auto h = std::make_unique<EmptyHook>();
    h->obj_ = bench_empty_bpf__open_and_load();
    if (!h->obj_) return nullptr;
    for (const char* tp : w.tracepoints) {
      bpf_link* l = bpf_program__attach_tracepoint(h->obj_->progs.bench_empty_tp, "syscalls", tp);
      if (!l) return nullptr;
      h->links_.push_back(l);
    }
    return h;
  }
  ~EmptyHook() {
    for (bpf_link* l : links_) bpf_link__destroy(l);
    if (obj_) bench_empty_bpf__destroy(obj_);
  }
  int prog_fd() const { return bpf_program__fd(obj_->progs.bench_empty_tp); }

 private:
  bench_empty_bpf* obj_ = nullptr;
  std::vector<bpf_link*> links_;
};

std::set<uint32_t> prog_ids() {
  std::set<uint32_t> ids;
  uint32_t id = 0;
  while (bpf_prog_get_next_id(id, &id) == 0) ids.insert(id);
  return ids;
}

// Sum of run_cnt and run_time_ns over programs.
struct RunStats {
  uint64_t cnt = 0, ns = 0;
  void add_fd(int fd) {
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
      cnt += info.run_cnt;
      ns += info.run_time_ns;
    }
  }
  double per_run() const { return cnt ? double(ns) / double(cnt) : 0; }
};

RunStats stats_of_ids(const std::set<uint32_t>& ids) {
  RunStats s;
  for (uint32_t id : ids) {
    int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) continue;
    s.add_fd(fd);
    close(fd);
  }
  return s;
}

using bench::Spread;
using bench::spread;

}  // namespace

int main(int argc, char** argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 7;
  long n = argc > 2 ? atol(argv[2]) : 300000;
  if (reps < 1 || n < 1000) {
    fprintf(stderr, "usage: filter_cost [reps>=1] [iterations>=1000]\n");
    return 2;
  }
  if (geteuid() != 0) {
    fprintf(stderr, "filter_cost: needs root (loads BPF programs)\n");
    return 2;
  }
  cpu_set_t cpu;
  CPU_ZERO(&cpu);
  CPU_SET(0, &cpu);
  sched_setaffinity(0, sizeof(cpu), &cpu);
  log::set_level(log::Level::kWarn);

  bpf::FeatureProbe probe;
  auto sensor = sensors::ProcessSensor::create(sensors::ProcessSensorConfig{}, probe);
  auto facts = daemon::TracefsKernelFacts::create();
  if (!sensor || !facts) {
    fprintf(stderr, "filter_cost: %s\n",
            (!sensor ? sensor.error() : facts.error()).describe().c_str());
    return 1;
  }
  daemon::HookRegistry registry;
  daemon::PolicyManager manager(**sensor, registry, **facts);

  printf("# Filtered-event cost per hooked syscall (%d reps x %ld iterations, CPU0)\n\n", reps, n);
  printf("| workload | B ns/op | E-B (empty hook) | F-B (Octagon, filtered) | F-E (Octagon beyond empty) |"
         " in-BPF empty ns/run | in-BPF Octagon ns/run | difference |\n|---|---|---|---|---|---|---|---|\n");
  int failed = 0;
  for (const Workload& w : workloads()) {
    auto spec = policy::parse_policy(w.policy, "bench.yaml");
    if (!spec) {
      fprintf(stderr, "%s: %s\n", w.name, spec.error().describe().c_str());
      return 1;
    }
    std::vector<double> b, eb, fb, fe;
    for (int r = 0; r < reps; r++) {
      // Rotate the order so drift over the run does not favour one variant.
      double tb = 0, te = 0, tf = 0;
      for (int k = 0; k < 3; k++) {
        switch ((k + r) % 3) {
          case 0: tb = time_loop(w, n); break;
          case 1: {
            auto e = EmptyHook::attach(w);
            if (!e) {
              fprintf(stderr, "%s: cannot attach the empty program\n", w.name);
              return 1;
            }
            te = time_loop(w, n);
            break;
          }
          case 2: {
            auto name = manager.add(*spec);
            if (!name) {
              fprintf(stderr, "%s: %s\n", w.name, name.error().describe().c_str());
              return 1;
            }
            tf = time_loop(w, n);
            (void)manager.remove(*name);
            break;
          }
        }
      }
      b.push_back(tb);
      eb.push_back(te - tb);
      fb.push_back(tf - tb);
      fe.push_back(tf - te);
    }
    // In-program time from the kernel's counters (adds ~40-50 ns per run to both).
    int stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
    RunStats se, sf;
    uint64_t posted = 0;
    if (stats_fd >= 0) {
      {
        auto e = EmptyHook::attach(w);
        if (e) {
          time_loop(w, n);
          se.add_fd(e->prog_fd());
        }
      }
      auto before = prog_ids();
      auto name = manager.add(*spec);
      if (name) {
        std::set<uint32_t> mine;
        for (uint32_t id : prog_ids())
          if (!before.count(id)) mine.insert(id);
        time_loop(w, n);
        sf = stats_of_ids(mine);
        for (const auto& st : manager.status()) posted += st.posted;
        (void)manager.remove(*name);
      }
      close(stats_fd);
    }
    Spread sb = spread(b), s1 = spread(eb), s2 = spread(fb), s3 = spread(fe);
    printf("| %s | %.0f | %+.0f [%+.0f,%+.0f] | %+.0f [%+.0f,%+.0f] | %+.0f [%+.0f,%+.0f] | %.0f | %.0f | %+.0f |\n",
           w.name, sb.median, s1.median, s1.min, s1.max, s2.median, s2.min, s2.max, s3.median, s3.min,
           s3.max, se.per_run(), sf.per_run(), sf.per_run() - se.per_run());
    if (posted) {
      fprintf(stderr, "%s: %lu events were posted: the selector was meant to match nothing\n", w.name,
              (unsigned long)posted);
      failed = 1;
    }
  }
  printf("\nB: no hook. E: empty BPF program on the same tracepoint(s). F: the policy, loaded by the\n"
         "PolicyManager, whose selector matches nothing (no event reaches user space).\n"
         "Per op = one hooked syscall (openat: openat + close, only openat hooked, entry and exit).\n");
  return failed;
}
