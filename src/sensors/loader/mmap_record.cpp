#include <octagon/sensors/loader/mmap_record.h>

#include <linux/perf_event.h>

#include <cstring>

namespace octagon::sensors {
namespace {

// PERF_RECORD_MMAP2 up to the file name (include/uapi/linux/perf_event.h): the 24-byte union
// is either {maj, min, ino, ino_generation} or, with PERF_RECORD_MISC_MMAP_BUILD_ID,
// {build_id_size, reserved[3], build_id[20]}.
struct Mmap2Head {
  perf_event_header header;
  uint32_t pid, tid;
  uint64_t addr, len, pgoff;
  uint8_t id[24];
  uint32_t prot, flags;
};
static_assert(sizeof(Mmap2Head) == 72);

struct LostRecord {
  perf_event_header header;
  uint64_t id, lost;
};

}  // namespace

PerfRecordResult parse_perf_record(const void* data, size_t size, bool with_time, MmapRecord& out) {
  PerfRecordResult r;
  perf_event_header h{};
  if (size < sizeof(h)) return {PerfRecordKind::kMalformed, 0};
  std::memcpy(&h, data, sizeof(h));
  if (h.size != size) return {PerfRecordKind::kMalformed, 0};
  const auto* bytes = static_cast<const uint8_t*>(data);
  const size_t tail = with_time ? sizeof(uint64_t) : 0;
  if (h.type == PERF_RECORD_LOST) {
    LostRecord l{};
    if (size < sizeof(l)) return {PerfRecordKind::kMalformed, 0};
    std::memcpy(&l, data, sizeof(l));
    r.kind = PerfRecordKind::kLost;
    r.lost = l.lost;
    return r;
  }
  if (h.type != PERF_RECORD_MMAP2) return r;
  Mmap2Head m{};
  if (size < sizeof(m) + tail) return {PerfRecordKind::kMalformed, 0};
  std::memcpy(&m, data, sizeof(m));
  out.pid = m.pid;
  out.tid = m.tid;
  out.ktime = 0;
  if (with_time) std::memcpy(&out.ktime, bytes + size - tail, sizeof(out.ktime));
  out.build_id_size = 0;
  if (h.misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
    if (m.id[0] > kMaxBuildIdSize) return {PerfRecordKind::kMalformed, 0};
    out.build_id_size = m.id[0];
    std::memcpy(out.build_id, m.id + 4, out.build_id_size);
  }
  // The name is NUL-terminated and padded to 8 bytes; a name without its NUL is cut at the
  // record's end rather than read past it.
  const char* name = reinterpret_cast<const char*>(bytes + sizeof(m));
  const size_t room = size - sizeof(m) - tail;
  out.path.assign(name, strnlen(name, room));
  r.kind = PerfRecordKind::kMmap2;
  return r;
}

}  // namespace octagon::sensors
