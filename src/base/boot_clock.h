// BootClock: converts boot-time ns (bpf_ktime_get_boot_ns) to wall-clock ns since the epoch.
// The offset is re-read at most once a second so that clock adjustments (NTP) are followed.
// Virtual now() functions make it injectable in tests.
#pragma once

#include <cstdint>

namespace octagon {

class BootClock {
 public:
  virtual ~BootClock() = default;
  virtual uint64_t boot_now_ns() const;
  virtual uint64_t wall_now_ns() const;

  // Wall-clock ns for a boot-time ns value.
  uint64_t to_wall(uint64_t boot_ns);
  // Current offset wall - boot (refreshed at most once a second of boot time).
  int64_t offset();

 private:
  int64_t offset_ = 0;
  uint64_t refreshed_at_ = 0;
  bool valid_ = false;
};

}  // namespace octagon
