#include <octagon/sensors/loader/loader_sensor.h>

#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>

#include <octagon/base/log.h>

namespace octagon::sensors {
namespace {

void bump(std::atomic<uint64_t>& c, uint64_t by = 1) {  // single writer: the draining thread
  c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

perf_event_attr dummy_attr(bool build_id) {
  perf_event_attr a{};
  a.size = sizeof(a);
  a.type = PERF_TYPE_SOFTWARE;
  a.config = PERF_COUNT_SW_DUMMY;
  a.mmap = 1;
  a.mmap2 = 1;
  a.mmap_data = 0;  // executable mappings only
  a.build_id = build_id ? 1 : 0;
  // Every record ends with its time on the boot clock, the clock of the BPF records, so the
  // agent can put mappings and exec/exit records in one order.
  a.sample_id_all = 1;
  a.sample_type = PERF_SAMPLE_TIME;
  a.use_clockid = 1;
  a.clockid = CLOCK_BOOTTIME;
  return a;
}

}  // namespace

std::vector<int> parse_cpu_list(const std::string& list) {
  std::vector<int> cpus;
  size_t i = 0;
  auto number = [&](int& v) {
    if (i >= list.size() || list[i] < '0' || list[i] > '9') return false;
    v = 0;
    while (i < list.size() && list[i] >= '0' && list[i] <= '9' && v < 1 << 20) v = v * 10 + (list[i++] - '0');
    return true;
  };
  while (i < list.size() && list[i] != '\n') {
    int lo = 0, hi = 0;
    if (!number(lo)) return {};
    hi = lo;
    if (i < list.size() && list[i] == '-') {
      i++;
      if (!number(hi) || hi < lo || hi - lo > 65536) return {};
    }
    for (int c = lo; c <= hi; c++) cpus.push_back(c);
    if (i < list.size() && list[i] == ',') i++;
  }
  return cpus;
}

Result<std::unique_ptr<LoaderSensor>> LoaderSensor::create(const LoaderSensorConfig& config) {
  if (config.ring_pages == 0 || (config.ring_pages & (config.ring_pages - 1)) != 0)
    return make_error(EINVAL, "loader ring pages must be a power of two");
  std::ifstream f("/sys/devices/system/cpu/online");
  std::string list;
  std::getline(f, list);
  std::vector<int> cpus = parse_cpu_list(list);
  if (cpus.empty()) return make_error(EINVAL, "cannot read the online CPUs: '" + list + "'");
  std::unique_ptr<LoaderSensor> s(new LoaderSensor());
  bool build_id = config.build_id;
  for (int cpu : cpus) {
    auto r = s->open_cpu(cpu, config, build_id);
    if (!r && build_id && cpu == cpus.front() && r.error().code() == EINVAL) {
      // Linux < 5.12 has no attr.build_id: mappings come without build ids.
      OCTAGON_LOG_INFO("loader: the kernel refuses perf build ids (Linux < 5.12?): mappings carry none");
      build_id = false;
      r = s->open_cpu(cpu, config, build_id);
    }
    if (!r) return make_error(r.error().wrap("loader sensor: CPU " + std::to_string(cpu)));
  }
  s->build_ids_ = build_id;
  return s;
}

Result<void> LoaderSensor::open_cpu(int cpu, const LoaderSensorConfig& config, bool build_id) {
  perf_event_attr attr = dummy_attr(build_id);
  int fd = static_cast<int>(syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC));
  if (fd < 0) return make_error(errno, "perf_event_open(dummy, mmap2)");
  Ring r;
  r.fd.reset(fd);
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  r.size = page * (1 + config.ring_pages);
  void* base = mmap(nullptr, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) return make_error(errno, "mmap perf ring");
  r.base = base;
  rings_.push_back(std::move(r));
  return ok();
}

LoaderSensor::~LoaderSensor() {
  for (Ring& r : rings_)
    if (r.base) munmap(r.base, r.size);
}

std::string LoaderSensor::mechanism() const {
  return "perf mmap2 records read in user space (" + std::to_string(rings_.size()) + " CPUs, " +
         (build_ids_ ? "build ids" : "no build ids: Linux < 5.12") + "); no kprobe needed";
}

LoaderStats LoaderSensor::stats() const {
  return {records_.load(std::memory_order_relaxed), lost_.load(std::memory_order_relaxed),
          malformed_.load(std::memory_order_relaxed), other_.load(std::memory_order_relaxed),
          no_build_id_.load(std::memory_order_relaxed)};
}

size_t LoaderSensor::drain(std::vector<MmapRecord>& out) {
  size_t n = 0;
  for (Ring& r : rings_) drain_ring(r, out, n);
  return n;
}

void LoaderSensor::drain_ring(Ring& r, std::vector<MmapRecord>& out, size_t& n) {
  auto* meta = static_cast<perf_event_mmap_page*>(r.base);
  const uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
  uint64_t tail = meta->data_tail;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const uint64_t doff = meta->data_offset ? meta->data_offset : page;
  const uint64_t dsize = meta->data_size ? meta->data_size : r.size - page;
  const uint8_t* data = static_cast<const uint8_t*>(r.base) + doff;
  auto copy_out = [&](uint64_t pos, void* dst, size_t len) {
    const size_t off = pos % dsize;
    const size_t first = std::min<size_t>(len, dsize - off);
    std::memcpy(dst, data + off, first);
    std::memcpy(static_cast<uint8_t*>(dst) + first, data, len - first);
  };
  while (tail < head) {
    perf_event_header h{};
    if (head - tail < sizeof(h)) {
      bump(malformed_);
      tail = head;
      break;
    }
    copy_out(tail, &h, sizeof(h));
    if (h.size < sizeof(h) || h.size > head - tail) {  // cannot find the next record: skip all
      bump(malformed_);
      tail = head;
      break;
    }
    const size_t off = tail % dsize;
    const void* rec = data + off;
    if (off + h.size > dsize) {
      scratch_.resize(h.size);
      copy_out(tail, scratch_.data(), h.size);
      rec = scratch_.data();
    }
    PerfRecordResult p = parse_perf_record(rec, h.size, true, rec_);
    switch (p.kind) {
      case PerfRecordKind::kMmap2:
        bump(records_);
        if (rec_.build_id_size == 0) bump(no_build_id_);
        out.push_back(rec_);
        n++;
        break;
      case PerfRecordKind::kLost: bump(lost_, p.lost); break;
      case PerfRecordKind::kMalformed: bump(malformed_); break;
      case PerfRecordKind::kOther: bump(other_); break;
    }
    tail += h.size;
  }
  __atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
}

}  // namespace octagon::sensors
