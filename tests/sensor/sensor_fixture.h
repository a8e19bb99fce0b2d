// Runs the real process sensor in the test process: BPF programs loaded and attached on the
// running kernel, records decoded by the real EventProcessor into a recording sink.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <octagon/base/boot_clock.h>
#include <octagon/bpf/feature_probe.h>
#include <octagon/bpf/ring_buffer_reader.h>
#include <octagon/daemon/event_processor.h>
#include <octagon/events/process_cache.h>
#include <octagon/sensors/process/process_sensor.h>

namespace octagon::testing {

struct Recorded {
  enum Kind { kExec, kExit } kind;
  events::Process process;
  std::optional<events::Process> parent;
  size_t ancestors = 0;
  uint32_t status = 0;
  int signal = 0;
};

class RecordingSink : public daemon::EventSink {
 public:
  void on_exec(const events::ExecEvent& ev) override;
  void on_exit(const events::ExitEvent& ev) override;

  // Waits until an event satisfying `pred` arrives (or the timeout passes).
  std::optional<Recorded> wait_for(const std::function<bool(const Recorded&)>& pred,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // All events seen so far that satisfy `pred`.
  std::vector<Recorded> all(const std::function<bool(const Recorded&)>& pred);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Recorded> events_;
};

// One sensor per test binary (shared by all tests in it).
class LiveSensor {
 public:
  static LiveSensor& instance();  // starts on first use; skips the test when not root
  static std::string skip_reason();

  RecordingSink& sink() { return sink_; }
  events::ProcessCache& cache() { return cache_; }
  sensors::ProcessSensor& sensor() { return *sensor_; }
  const daemon::ProcessorStats& stats() { return processor_->stats(); }
  ~LiveSensor();

 private:
  LiveSensor() = default;
  bpf::FeatureProbe probe_;
  BootClock clock_;
  events::ProcessCache cache_{4096};
  RecordingSink sink_;
  std::unique_ptr<sensors::ProcessSensor> sensor_;
  std::unique_ptr<daemon::EventProcessor> processor_;
  std::unique_ptr<bpf::RingBufferReader> reader_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex cache_mu_;
};

// Spawns argv (raw bytes, no shell) with the given cwd; returns the child pid.
pid_t spawn(const std::vector<std::string>& argv, const std::string& cwd = "");
// Waits for a child; returns its wait status.
int wait_status(pid_t pid);
// Full path of a helper program built from tests/testprogs.
std::string testprog(const std::string& name);

#define OCTAGON_REQUIRE_SENSOR()                                         \
  do {                                                                   \
    std::string octagon_skip_ = ::octagon::testing::LiveSensor::skip_reason(); \
    if (!octagon_skip_.empty()) GTEST_SKIP() << octagon_skip_;           \
  } while (0)

}  // namespace octagon::testing
