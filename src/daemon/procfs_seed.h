// Seeds the process cache with the processes that existed before the sensor started.
#pragma once

#include <string>

#include <octagon/base/result.h>
#include <octagon/daemon/event_processor.h>
#include <octagon/sensors/process/process_sensor.h>

namespace octagon::daemon {

struct SeedResult {
  size_t processes = 0;
  size_t kernel_keys = 0;  // identities taken from the kernel's process map
};

// Scans proc_root and inserts every process (parents first, flagged procFS), plus Tetragon's
// pid-0 "<kernel>" pseudo-process. The sensor must already be attached: a process the kernel
// has seen start keeps the kernel's identity, every other one gets the start-time identity that
// the kernel side derives too (abi/process.h, OCT_USER_HZ), so exec_ids agree on both paths.
Result<SeedResult> seed_from_procfs(EventProcessor& processor, const sensors::ProcessSensor& sensor,
                                    const std::string& proc_root, size_t max_args_bytes);

}  // namespace octagon::daemon
