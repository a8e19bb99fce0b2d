// LoaderSensor: executable mappings of every process, without BPF and without kprobes. One
// dummy software perf event per online CPU (PERF_COUNT_SW_DUMMY counts nothing; with mmap2=1 and
// mmap_data=0 the kernel writes a PERF_RECORD_MMAP2 record into its ring for each executable
// mmap, with the file's build id on Linux 5.12+). Tetragon's loader sensor gets the same records
// from a kprobe on perf_event_mmap_output; here they are read from the rings in user space.
// The rings are drained by the caller's thread (drain()); nothing is lost silently: records the
// kernel dropped (PERF_RECORD_LOST) and malformed ones are counted.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <octagon/base/fd.h>
#include <octagon/base/result.h>
#include <octagon/sensors/loader/mmap_record.h>

namespace octagon::sensors {

struct LoaderSensorConfig {
  uint32_t ring_pages = 16;  // data pages per CPU ring (a power of two)
  bool build_id = true;      // ask for build ids (falls back without them before Linux 5.12)
};

struct LoaderStats {
  uint64_t records = 0;         // PERF_RECORD_MMAP2 records read
  uint64_t lost = 0;            // records the kernel dropped (ring full), from PERF_RECORD_LOST
  uint64_t malformed = 0;       // records that did not parse: skipped
  uint64_t other = 0;           // other record types (FORK/EXIT, which mmap events imply): skipped
  uint64_t no_build_id = 0;     // mappings the kernel sent without a build id
};

class LoaderSensor {
 public:
  static Result<std::unique_ptr<LoaderSensor>> create(const LoaderSensorConfig& config = {});
  ~LoaderSensor();
  LoaderSensor(const LoaderSensor&) = delete;
  LoaderSensor& operator=(const LoaderSensor&) = delete;

  // Appends the executable mappings recorded since the last call (every CPU's ring, each in
  // its order). Never blocks. Returns how many were appended.
  size_t drain(std::vector<MmapRecord>& out);

  LoaderStats stats() const;       // any thread
  bool build_ids() const { return build_ids_; }  // false: the kernel is older than 5.12
  size_t cpus() const { return rings_.size(); }
  // "perf mmap2 records read in user space (N CPUs, build ids); no kprobe needed"
  std::string mechanism() const;

 private:
  struct Ring {
    Fd fd;
    void* base = nullptr;  // metadata page + data pages
    size_t size = 0;
  };
  LoaderSensor() = default;
  Result<void> open_cpu(int cpu, const LoaderSensorConfig& config, bool build_id);
  void drain_ring(Ring& r, std::vector<MmapRecord>& out, size_t& n);

  std::vector<Ring> rings_;
  bool build_ids_ = false;
  std::vector<uint8_t> scratch_;  // a record that wraps around the ring's end
  MmapRecord rec_;
  std::atomic<uint64_t> records_{0}, lost_{0}, malformed_{0}, other_{0}, no_build_id_{0};
};

// CPUs listed in a sysfs cpu list such as "0-3,8,10-11"; empty on a malformed list.
std::vector<int> parse_cpu_list(const std::string& list);

}  // namespace octagon::sensors
