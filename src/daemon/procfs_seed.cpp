#include <octagon/daemon/procfs_seed.h>

#include <octagon/events/procfs_scanner.h>

namespace octagon::daemon {

Result<SeedResult> seed_from_procfs(EventProcessor& processor, const sensors::ProcessSensor& sensor,
                                    const std::string& proc_root, size_t max_args_bytes) {
  events::ScanOptions opts;
  opts.max_args_bytes = max_args_bytes;
  OCTAGON_ASSIGN_OR_RETURN(std::vector<events::Process> procs,
                           events::scan_procfs(proc_root, opts));
  SeedResult result;
  for (events::Process& p : procs) {
    if (auto k = sensor.lookup_process(p.pid)) {
      p.key = {k->pid, k->ktime};
      p.start_ktime = k->ktime;
      result.kernel_keys++;
    }
    if (p.parent_key.pid != 0) {
      if (auto k = sensor.lookup_process(p.parent_key.pid)) p.parent_key = {k->pid, k->ktime};
    }
  }
  events::order_parents_first(procs);
  std::vector<events::Process> all;
  all.reserve(procs.size() + 1);
  all.push_back(events::make_kernel_process());
  for (auto& p : procs) all.push_back(std::move(p));
  result.processes = all.size();
  processor.seed(std::move(all));
  return result;
}

}  // namespace octagon::daemon
