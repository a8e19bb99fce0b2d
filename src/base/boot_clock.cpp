#include <octagon/base/boot_clock.h>

#include <ctime>

namespace octagon {
namespace {
uint64_t read_ns(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}
}  // namespace

uint64_t BootClock::boot_now_ns() const { return read_ns(CLOCK_BOOTTIME); }
uint64_t BootClock::wall_now_ns() const { return read_ns(CLOCK_REALTIME); }

int64_t BootClock::offset() {
  uint64_t boot = boot_now_ns();
  if (!valid_ || boot - refreshed_at_ > 1000000000ull) {
    uint64_t wall = wall_now_ns();
    offset_ = static_cast<int64_t>(wall) - static_cast<int64_t>(boot_now_ns());
    refreshed_at_ = boot;
    valid_ = true;
  }
  return offset_;
}

uint64_t BootClock::to_wall(uint64_t boot_ns) {
  return static_cast<uint64_t>(static_cast<int64_t>(boot_ns) + offset());
}

}  // namespace octagon
