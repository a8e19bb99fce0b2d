#include <octagon/pipeline/export_worker.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "test_helpers.h"

namespace octagon::pipeline {
namespace {

using namespace std::chrono_literals;

// Records every write; optionally blocks inside write() until released, or fails.
class TestSink : public Sink {
 public:
  Result<void> write(std::string_view data) override {
    std::unique_lock<std::mutex> lock(mu_);
    writes_.emplace_back(data);
    in_write_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return !blocked_; });
    in_write_ = false;
    if (fail_) return make_error(EPIPE, "test sink broken");
    return ok();
  }
  const char* name() const override { return "test"; }

  void block() { std::lock_guard<std::mutex> l(mu_); blocked_ = true; }
  void release() {
    std::lock_guard<std::mutex> l(mu_);
    blocked_ = false;
    cv_.notify_all();
  }
  void fail() { std::lock_guard<std::mutex> l(mu_); fail_ = true; }
  bool wait_in_write() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 10s, [this] { return in_write_; });
  }
  std::vector<std::string> writes() {
    std::lock_guard<std::mutex> l(mu_);
    return writes_;
  }
  std::string all() {
    std::string s;
    for (const std::string& w : writes()) s += w;
    return s;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> writes_;
  bool blocked_ = false;
  bool in_write_ = false;
  bool fail_ = false;
};

struct Harness {
  explicit Harness(ExportWorkerOptions options) {
    auto owned = std::make_unique<TestSink>();
    sink = owned.get();
    auto r = ExportWorker::create(std::move(owned), options);
    EXPECT_OK(r);
    if (r) worker = std::move(r).value();
  }
  TestSink* sink = nullptr;
  std::unique_ptr<ExportWorker> worker;
};

TEST(ExportWorker, WritesEverythingInOrder) {
  Harness h({});
  ASSERT_TRUE(h.worker);
  std::string expected;
  for (int i = 0; i < 10000; ++i) {
    std::string line = "{\"n\":" + std::to_string(i) + "}\n";
    ASSERT_TRUE(h.worker->submit(line));
    expected += line;
  }
  h.worker->stop();
  EXPECT_EQ(h.sink->all(), expected);
  ExportStats s = h.worker->stats();
  EXPECT_EQ(s.submitted, 10000u);
  EXPECT_EQ(s.written, 10000u);
  EXPECT_EQ(s.dropped_queue_full, 0u);
  EXPECT_EQ(s.write_errors, 0u);
  EXPECT_EQ(s.bytes, expected.size());
  EXPECT_EQ(s.batches, h.sink->writes().size());
  EXPECT_STREQ(h.worker->sink_name(), "test");
}

TEST(ExportWorker, OneWritePerBatchWithinMaxBytes) {
  ExportWorkerOptions o;
  o.max_batch_bytes = 100;
  Harness h(o);
  h.sink->block();
  ASSERT_TRUE(h.worker->submit("first\n"));
  ASSERT_TRUE(h.sink->wait_in_write());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(h.worker->submit(std::string(19, 'x') + "\n"));
  h.sink->release();
  h.worker->stop();
  std::vector<std::string> writes = h.sink->writes();
  ASSERT_EQ(writes.size(), 1u + 10u);  // 50 records of 20 bytes, 5 per 100-byte batch
  for (size_t i = 1; i < writes.size(); ++i) EXPECT_EQ(writes[i].size(), 100u);
  EXPECT_EQ(h.worker->stats().batches, 11u);
}

// While the sink blocks, the queue fills and further submits are dropped and counted; nothing
// blocks the producer, and everything accepted is written after the sink recovers.
TEST(ExportWorker, DropsWhenSinkBlocks) {
  ExportWorkerOptions o;
  o.queue_bytes = 4096;
  Harness h(o);
  h.sink->block();
  ASSERT_TRUE(h.worker->submit("first\n"));
  ASSERT_TRUE(h.sink->wait_in_write());  // the worker holds "first" and is stuck in write()
  const std::string line = std::string(99, 'y') + "\n";  // 104 bytes in the ring with its header
  int accepted = 0;
  for (int i = 0; i < 100; ++i) accepted += h.worker->submit(line) ? 1 : 0;
  EXPECT_EQ(accepted, 4096 / 104);  // 39
  ExportStats s = h.worker->stats();
  EXPECT_EQ(s.submitted, 101u);
  EXPECT_EQ(s.dropped_queue_full, 100u - 39u);
  EXPECT_EQ(h.worker->queue_stats().dropped, 61u);
  h.sink->release();
  h.worker->stop();
  s = h.worker->stats();
  EXPECT_EQ(s.written, 40u);
  EXPECT_EQ(s.written + s.dropped_queue_full, s.submitted);
  EXPECT_EQ(s.bytes, 6u + 39u * 100u);
}

TEST(ExportWorker, WriteErrorsAreCountedNotFatal) {
  Harness h({});
  h.sink->fail();
  h.sink->block();
  ASSERT_TRUE(h.worker->submit("a\n"));
  ASSERT_TRUE(h.sink->wait_in_write());
  ASSERT_TRUE(h.worker->submit("b\n"));
  ASSERT_TRUE(h.worker->submit("c\n"));
  h.sink->release();
  h.worker->stop();
  ExportStats s = h.worker->stats();
  EXPECT_EQ(s.write_errors, 2u);  // batch {a}, then batch {b, c}
  EXPECT_EQ(s.lost_records, 3u);
  EXPECT_EQ(s.written, 0u);
  EXPECT_EQ(s.bytes, 0u);
}

TEST(ExportWorker, StopDrainsQueueAndIsIdempotent) {
  Harness h({});
  h.sink->block();
  ASSERT_TRUE(h.worker->submit("0\n"));
  ASSERT_TRUE(h.sink->wait_in_write());
  for (int i = 1; i < 1000; ++i) ASSERT_TRUE(h.worker->submit(std::to_string(i) + "\n"));
  std::thread releaser([&] {
    std::this_thread::sleep_for(50ms);
    h.sink->release();
  });
  h.worker->stop();  // blocks until the sink is released and the queue drained
  releaser.join();
  EXPECT_EQ(h.worker->stats().written, 1000u);
  h.worker->stop();
  EXPECT_FALSE(h.worker->submit("late\n"));
  EXPECT_EQ(h.worker->stats().dropped_queue_full, 1u);
}

TEST(ExportWorker, StopIsPromptWhenIdle) {
  ExportWorkerOptions o;
  o.idle_wait = 10s;
  Harness h(o);
  std::this_thread::sleep_for(20ms);  // let the worker go to sleep
  auto t0 = std::chrono::steady_clock::now();
  h.worker->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST(ExportWorker, StatsReadableWhileRunning) {
  Harness h({});
  std::atomic<bool> done{false};
  std::thread reader([&] {
    uint64_t last = 0;
    while (!done) {
      uint64_t w = h.worker->stats().written;
      EXPECT_GE(w, last);
      last = w;
    }
  });
  for (int i = 0; i < 100000; ++i) h.worker->submit("line\n");
  h.worker->stop();
  done = true;
  reader.join();
  ExportStats s = h.worker->stats();
  EXPECT_EQ(s.written + s.dropped_queue_full, 100000u);
}

TEST(ExportWorker, RejectsBadArguments) {
  EXPECT_ERR(ExportWorker::create(nullptr), EINVAL, "no sink");
  ExportWorkerOptions o;
  o.max_batch_bytes = 0;
  EXPECT_ERR(ExportWorker::create(std::make_unique<TestSink>(), o), EINVAL, "max_batch_bytes");
}

}  // namespace
}  // namespace octagon::pipeline
