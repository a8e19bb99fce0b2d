#include <octagon/sensors/loader/loader_hub.h>

#include <algorithm>
#include <ctime>

#include <octagon/base/log.h>

namespace octagon::sensors {
namespace {

void add(LoaderStats& a, const LoaderStats& b) {
  a.records += b.records;
  a.lost += b.lost;
  a.malformed += b.malformed;
  a.other += b.other;
  a.no_build_id += b.no_build_id;
}

}  // namespace

Result<std::string> LoaderHub::acquire() {
  std::lock_guard l(mu_);
  if (!sensor_) {
    OCTAGON_ASSIGN_OR_RETURN(sensor_, LoaderSensor::create(config_));
    OCTAGON_LOG_INFO("loader sensor started: %s", sensor_->mechanism().c_str());
  }
  users_++;
  active_ = true;
  return sensor_->mechanism();
}

void LoaderHub::release() {
  std::lock_guard l(mu_);
  if (users_ == 0) return;
  if (--users_ > 0) return;
  // Records still in the rings are dropped with the sensor: count them, so none is lost silently.
  std::vector<MmapRecord> rest;
  sensor_->drain(rest);
  LoaderStats st = sensor_->stats();
  st.lost += rest.size();
  add(retired_, st);
  sensor_.reset();
  active_ = false;
  OCTAGON_LOG_INFO("loader sensor stopped");
}

void LoaderHub::stage() {
  staged_.erase(staged_.begin(), staged_.begin() + static_cast<std::ptrdiff_t>(next_));
  next_ = 0;
  timespec now{};
  clock_gettime(CLOCK_BOOTTIME, &now);
  const size_t old = staged_.size();
  {
    std::lock_guard l(mu_);
    if (sensor_) sensor_->drain(staged_);
  }
  staged_upto_ = uint64_t(now.tv_sec) * 1000000000ull + uint64_t(now.tv_nsec);
  if (staged_.size() == old) return;
  // Each CPU's ring is in time order; merge the CPUs (and what was left from the last drain).
  std::stable_sort(staged_.begin(), staged_.end(),
                   [](const MmapRecord& a, const MmapRecord& b) { return a.ktime < b.ktime; });
}

void LoaderHub::emit_before(uint64_t ktime, MmapRecordHandler& handler) {
  if (ktime > staged_upto_ && (active() || next_ < staged_.size())) stage();
  while (next_ < staged_.size() && staged_[next_].ktime < ktime) handler.on_mmap(staged_[next_++]);
}

LoaderHubStats LoaderHub::stats() const {
  std::lock_guard l(mu_);
  LoaderHubStats s;
  s.active = sensor_ != nullptr;
  s.users = users_;
  s.sensor = retired_;
  if (sensor_) add(s.sensor, sensor_->stats());
  return s;
}

}  // namespace octagon::sensors
