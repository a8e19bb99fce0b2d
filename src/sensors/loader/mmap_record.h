// Parsing of the perf ring records the loader sensor asks for: PERF_RECORD_MMAP2 (an executable
// mapping, with the file's build id on Linux 5.12+) and PERF_RECORD_LOST. Pure functions over
// bytes, so that crafted and truncated records are unit-tested without a kernel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace octagon::sensors {

constexpr size_t kMaxBuildIdSize = 20;  // BUILD_ID_SIZE_MAX in the kernel

// One executable mapping.
struct MmapRecord {
  uint32_t pid = 0;  // tgid, in the agent's pid namespace
  uint32_t tid = 0;
  uint64_t ktime = 0;  // boot-time ns (the event's clock is CLOCK_BOOTTIME), 0 if not sampled
  std::string path;    // as the kernel wrote it, not escaped
  uint8_t build_id_size = 0;  // 0: the kernel sent no build id
  uint8_t build_id[kMaxBuildIdSize] = {};
};

enum class PerfRecordKind : uint8_t {
  kMmap2,      // `out` filled
  kLost,       // `lost` set: records the kernel dropped because the ring was full
  kOther,      // a record type this sensor does not use (skipped, counted)
  kMalformed,  // shorter than its type needs, or inconsistent sizes (skipped, counted)
};

struct PerfRecordResult {
  PerfRecordKind kind = PerfRecordKind::kOther;
  uint64_t lost = 0;
};

// `data` is one whole record (header.size bytes, already copied out of the ring). `with_time`:
// the event has sample_id_all with PERF_SAMPLE_TIME only, so every record ends with a u64 time.
PerfRecordResult parse_perf_record(const void* data, size_t size, bool with_time, MmapRecord& out);

}  // namespace octagon::sensors
