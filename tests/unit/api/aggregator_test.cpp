// GetEvents aggregation stage (src/api/aggregator.h): pass-through in order, no
// aggregation_info, a bounded buffer whose overflow is dropped and counted, drained on stop.
#include <octagon/api/aggregator.h>

#include <atomic>
#include <future>
#include <vector>

#include <gtest/gtest.h>

namespace octagon::api {
namespace {

Aggregator::Event event(uint32_t pid) {
  auto e = std::make_shared<tetragon::GetEventsResponse>();
  e->mutable_process_exec()->mutable_process()->mutable_pid()->set_value(pid);
  return e;
}

// A sender that blocks until released, so the test controls when the buffer drains.
struct GatedSend {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  std::vector<uint32_t> pids;
  std::atomic<int> waiting{0};
  bool ok = true;

  Aggregator::Send fn() {
    return [this](const tetragon::GetEventsResponse& m) {
      std::unique_lock<std::mutex> lock(mu);
      waiting++;
      cv.wait(lock, [&] { return open; });
      waiting--;
      EXPECT_FALSE(m.has_aggregation_info()) << "Tetragon aggregates no event type";
      pids.push_back(m.process_exec().process().pid().value());
      return ok;
    };
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
  void wait_blocked() {
    while (waiting.load() == 0)
      std::this_thread::yield();
  }
};

TEST(Aggregator, ForwardsEveryEventInOrderWithoutAggregationInfo) {
  GatedSend s;
  s.release();
  Aggregator a(100, s.fn());
  for (uint32_t i = 1; i <= 50; i++)
    ASSERT_TRUE(a.offer(event(i)));
  a.stop();
  ASSERT_EQ(s.pids.size(), 50u);
  for (uint32_t i = 0; i < 50; i++)
    EXPECT_EQ(s.pids[i], i + 1);
  EXPECT_EQ(a.sent(), 50u);
  EXPECT_EQ(a.dropped(), 0u);
}

TEST(Aggregator, FullBufferDropsAndCountsThenStopDrainsTheRest) {
  GatedSend s;
  Aggregator a(3, s.fn());
  ASSERT_TRUE(a.offer(event(1)));
  s.wait_blocked(); // the sender holds event 1; the buffer is empty again
  EXPECT_TRUE(a.offer(event(2)));
  EXPECT_TRUE(a.offer(event(3)));
  EXPECT_TRUE(a.offer(event(4)));
  EXPECT_FALSE(a.offer(event(5)));
  EXPECT_FALSE(a.offer(event(6)));
  EXPECT_EQ(a.dropped(), 2u);
  s.release();
  a.stop();
  EXPECT_EQ(s.pids, (std::vector<uint32_t>{1, 2, 3, 4})) << "nothing buffered is lost at stop";
}

TEST(Aggregator, ZeroCapacityHandsOverOnlyToAnIdleSender) {
  GatedSend s;
  Aggregator a(0, s.fn());
  // Wait until the sender thread is idle, like a goroutine parked on an unbuffered channel.
  bool first = false;
  for (int i = 0; i < 1000 && !first; i++) {
    first = a.offer(event(1));
    if (!first)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(first);
  s.wait_blocked();
  EXPECT_FALSE(a.offer(event(2))) << "the sender is busy: an unbuffered channel refuses";
  s.release();
  a.stop();
  EXPECT_EQ(s.pids, (std::vector<uint32_t>{1}));
  EXPECT_GE(a.dropped(), 1u);
}

TEST(Aggregator, BrokenStreamDiscardsWithoutCountingDrops) {
  GatedSend s;
  s.ok = false;
  s.release();
  Aggregator a(10, s.fn());
  for (uint32_t i = 1; i <= 5; i++)
    a.offer(event(i));
  a.stop();
  EXPECT_EQ(a.sent(), 0u);
  EXPECT_EQ(a.dropped(), 0u);
  EXPECT_FALSE(a.offer(event(9))) << "stopped";
}

TEST(Aggregator, CapacityIsBoundedAndWindowDefaultsTo15s) {
  Aggregator a(~0ull, [](const tetragon::GetEventsResponse&) { return true; });
  EXPECT_EQ(a.capacity(), Aggregator::kMaxCapacity);
  tetragon::AggregationOptions o;
  EXPECT_EQ(aggregation_window_ns(o), 15'000'000'000ull);
  o.mutable_window_size()->set_seconds(2);
  o.mutable_window_size()->set_nanos(500);
  EXPECT_EQ(aggregation_window_ns(o), 2'000'000'500ull);
}

} // namespace
} // namespace octagon::api
