// ByteQueue: a bounded single-producer single-consumer queue of variable-length byte records
// (JSON lines) stored in ONE ring of `capacity` bytes allocated at construction.
//
// Layout: each record is a 4-byte native-endian length followed by the payload. Both may wrap
// around the end of the ring (copies are split in two), so no space is lost to padding and
// there is no per-record allocation. head_/tail_ are monotonically increasing byte positions;
// the producer publishes tail_ with release, the consumer publishes head_ with release.
//
// Sleeping: the consumer may block in wait_for_data(). The producer only touches the mutex and
// condition variable when it sees `sleeping_` set (a Dekker-style handshake ordered by seq_cst
// operations on both sides), so steady-state pushes cost no syscall and no lock.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace octagon::pipeline {

struct ByteQueueStats {
  uint64_t pushed = 0;   // records accepted by try_push
  uint64_t dropped = 0;  // records refused (queue full or record larger than the ring)
  uint64_t popped = 0;   // records handed to the consumer
  uint64_t bytes = 0;    // payload bytes accepted (headers excluded)
};

class ByteQueue {
 public:
  static constexpr size_t kHeaderBytes = sizeof(uint32_t);
  static constexpr size_t kMinCapacity = 64;

  // Allocates the ring once. Capacities below kMinCapacity are raised to it.
  explicit ByteQueue(size_t capacity);
  ByteQueue(const ByteQueue&) = delete;
  ByteQueue& operator=(const ByteQueue&) = delete;

  // Producer thread only. Copies `record` into the ring; returns false (and counts a drop)
  // when it does not fit right now, or can never fit (size > max_record_size()).
  bool try_push(std::string_view record);

  // Consumer thread only. Appends whole records to `out` while their payload total stays within
  // `max_bytes`; always takes at least one record if any is queued, so a record larger than
  // `max_bytes` still makes progress. Returns the number of records appended.
  size_t pop_batch(std::string& out, size_t max_bytes);

  // Consumer thread only. Returns true as soon as data is queued; otherwise sleeps until a push,
  // wake(), or `timeout`. Returns whether data is queued on return.
  bool wait_for_data(std::chrono::milliseconds timeout);

  // Batching: with a threshold, a sleeping consumer is woken only once that many bytes are
  // queued; below it, wait_for_data() sleeps its whole timeout and then reports what is there.
  // A cross-CPU wake-up costs far more than a record here (shared/reference/perf-baselines.md),
  // so the default agent pipeline wakes its writer per batch, not per event. 0: wake per record.
  void set_wake_threshold(size_t bytes) { wake_threshold_ = bytes; }

  // Any thread: wakes a consumer sleeping in wait_for_data (used for shutdown). Sticky: if the
  // consumer is not sleeping, its next wait_for_data returns immediately.
  void wake();

  bool empty() const;
  size_t used_bytes() const;  // headers included
  size_t capacity() const { return capacity_; }
  size_t max_record_size() const { return capacity_ - kHeaderBytes; }
  ByteQueueStats stats() const;  // safe from any thread; fields are individually consistent

 private:
  void copy_in(uint64_t pos, const char* src, size_t n);
  void copy_out(uint64_t pos, char* dst, size_t n) const;
  void append_out(uint64_t pos, size_t n, std::string& out) const;
  void notify_consumer();

  const size_t capacity_;
  const std::unique_ptr<char[]> ring_;

  // Producer-owned cache line.
  alignas(64) std::atomic<uint64_t> tail_{0};
  uint64_t cached_head_ = 0;  // producer's last view of head_, refreshed only when short of room
  std::atomic<uint64_t> pushed_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> bytes_{0};

  // Consumer-owned cache line.
  alignas(64) std::atomic<uint64_t> head_{0};
  std::atomic<uint64_t> popped_{0};

  // Sleep/wake handshake.
  alignas(64) std::atomic<bool> sleeping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_pending_ = false;  // guarded by mu_
  size_t wake_threshold_ = 0;  // set before use
};

}  // namespace octagon::pipeline
