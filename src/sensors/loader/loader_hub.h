// LoaderHub: the loader sensor shared by every policy with `loader: true`. The first acquire()
// opens the perf events, the last release() closes them (no descriptor stays open). Policy
// operations run on API threads; the agent's reader thread stages and emits the records, so the
// sensor is guarded by a mutex (uncontended but for policy loads).
//
// Ordering: mappings are merged with the BPF records by time (both on the boot clock). Before
// each BPF record the processor emits the mappings older than it (emit_before()); when the
// record is newer than the last drain of the perf rings, the rings are drained again first, so
// every mapping made before the record is staged. After each read of the BPF ring the reader
// emits the mappings older than the instant the read began: any BPF record older than them was
// in that read. A library that ld.so maps after exec is then attributed to the new process, and
// a mapping made just before exit still finds its process in the cache.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <octagon/base/result.h>
#include <octagon/sensors/loader/loader_sensor.h>

namespace octagon::sensors {

class MmapRecordHandler {
 public:
  virtual ~MmapRecordHandler() = default;
  virtual void on_mmap(const MmapRecord& r) = 0;
};

struct LoaderHubStats {
  bool active = false;
  uint32_t users = 0;  // policies holding the sensor
  LoaderStats sensor;  // summed over every sensor instance since start-up
};

class LoaderHub {
 public:
  explicit LoaderHub(LoaderSensorConfig config = {}) : config_(config) {}

  // Starts the sensor for the first user. Returns its mechanism (for the policy's notes).
  Result<std::string> acquire();
  void release();  // stops the sensor when the last user leaves

  bool active() const { return active_.load(std::memory_order_relaxed); }
  // Reader thread only: hands `handler` the mappings older than ktime (boot-time ns), oldest
  // first, draining the rings first when ktime is past the last drain.
  void emit_before(uint64_t ktime, MmapRecordHandler& handler);

  LoaderHubStats stats() const;  // any thread

 private:
  LoaderSensorConfig config_;
  mutable std::mutex mu_;
  std::unique_ptr<LoaderSensor> sensor_;
  uint32_t users_ = 0;
  LoaderStats retired_;  // counters of sensors already stopped
  std::atomic<bool> active_{false};
  // Reader thread only: drained, not yet emitted from next_ on (oldest first), and the boot
  // time just before the last drain (every mapping older than it is staged or emitted).
  void stage();
  std::vector<MmapRecord> staged_;
  size_t next_ = 0;
  uint64_t staged_upto_ = 0;
};

}  // namespace octagon::sensors
