// T3: nothing is lost silently. With a ring buffer too small for a burst and a reader that is
// not reading, every exec the kernel could not deliver must show up in the loss counters:
// generated = delivered + counted as lost.
#include <sys/wait.h>
#include <unistd.h>

#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

class CountingHandler : public bpf::RecordHandler {
 public:
  explicit CountingHandler(std::vector<pid_t>& pids) : pids_(pids) {}
  void on_record(const void* data, size_t size) override {
    auto op = sensors::record_op(data, size);
    if (!op || *op != OCT_MSG_EXEC) return;
    const auto* ev = static_cast<const oct_exec_event*>(data);
    for (pid_t p : pids_)
      if (uint32_t(p) == ev->key.pid) delivered++;
  }
  uint64_t delivered = 0;

 private:
  std::vector<pid_t>& pids_;
};

TEST(ProcessSensorLoss, RingBufferOverflowIsCountedPerEventType) {
  OCTAGON_REQUIRE_SENSOR();
  bpf::FeatureProbe probe;
  sensors::ProcessSensorConfig cfg;
  cfg.ring_buffer_bytes = 16384;  // room for only a few exec records
  cfg.args_cap = 4096;
  auto sensor = sensors::ProcessSensor::create(cfg, probe);
  ASSERT_TRUE(sensor) << sensor.error().describe();
  auto before = (*sensor)->read_missed();

  // Long arguments make each exec record ~4 KB; nobody reads while they are produced.
  constexpr int kExecs = 60;
  std::vector<pid_t> pids;
  std::string big(3900, 'x');
  for (int i = 0; i < kExecs; i++) {
    pid_t pid = spawn({testprog("exit_with"), "0", big});
    ASSERT_GT(pid, 0);
    pids.push_back(pid);
    wait_status(pid);
  }
  auto after = (*sensor)->read_missed();
  CountingHandler handler(pids);
  auto reader = bpf::RingBufferReader::create((*sensor)->ring_buffer_fd(), handler);
  ASSERT_TRUE(reader);
  ASSERT_TRUE((*reader)->poll(0));

  uint64_t lost = after[OCT_MSG_EXEC][OCT_MISS_RB_FULL] - before[OCT_MSG_EXEC][OCT_MISS_RB_FULL];
  EXPECT_GT(lost, 0u) << "a 16 KiB ring cannot hold 60 exec records of 4 KB";
  EXPECT_GT(handler.delivered, 0u);
  // Other processes may exec meanwhile and be counted as lost too, so lost can only be larger.
  EXPECT_GE(handler.delivered + lost, uint64_t(kExecs));
  EXPECT_LE(handler.delivered, uint64_t(kExecs));
}

}  // namespace
}  // namespace octagon::testing
