// ExportWorker: decouples the event producer (ring buffer callback) from a slow sink.
//
// The producer calls submit() with one newline-terminated record; it is copied into a bounded
// ByteQueue or dropped and counted when the queue is full (the producer never blocks on I/O).
// A dedicated thread pops batches and hands each batch to the Sink in ONE write. stop() drains
// whatever is queued, then joins the thread.
#pragma once

#include <octagon/base/result.h>
#include <octagon/pipeline/byte_queue.h>
#include <octagon/pipeline/sink.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace octagon::pipeline {

struct ExportWorkerOptions {
  size_t queue_bytes = 16u << 20;      // ByteQueue ring size (--rb-queue-size)
  size_t max_batch_bytes = 256u << 10;  // payload bytes per Sink::write (at least one record)
  std::chrono::milliseconds idle_wait{200};  // consumer sleep when idle (bounds stop latency)
  size_t wake_bytes = 0;  // wake the writer only at this many queued bytes (0: per record);
                          // below it, records wait at most idle_wait
};

// A snapshot of one export stage's counters, for the status report.
struct ExportStats {
  uint64_t submitted = 0;           // submit() calls
  uint64_t dropped_queue_full = 0;  // refused by the queue (full or record larger than the ring)
  uint64_t written = 0;             // records the sink accepted
  uint64_t write_errors = 0;        // failed Sink::write calls (each loses its whole batch)
  uint64_t lost_records = 0;        // records in failed batches
  uint64_t bytes = 0;               // bytes the sink accepted
  uint64_t batches = 0;             // successful Sink::write calls
};

class ExportWorker {
 public:
  // Allocates the queue and starts the writer thread.
  static Result<std::unique_ptr<ExportWorker>> create(std::unique_ptr<Sink> sink,
                                                      ExportWorkerOptions options = {});
  ~ExportWorker();  // stop()
  ExportWorker(const ExportWorker&) = delete;
  ExportWorker& operator=(const ExportWorker&) = delete;

  // Producer thread only. Returns false (and counts the drop) when the queue is full or the
  // worker is stopping.
  bool submit(std::string_view line);

  // Drains everything already queued into the sink, then joins the thread. Idempotent. Call it
  // from the producer thread (or after the producer has stopped); not concurrently with itself.
  void stop();

  ExportStats stats() const;  // any thread
  ByteQueueStats queue_stats() const { return queue_.stats(); }
  const char* sink_name() const { return sink_->name(); }

 private:
  ExportWorker(std::unique_ptr<Sink> sink, ExportWorkerOptions options);
  void run();
  void write_batch();

  const ExportWorkerOptions options_;
  const std::unique_ptr<Sink> sink_;
  ByteQueue queue_;
  std::string batch_;  // consumer-owned, reserved once

  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> submitted_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> write_errors_{0};
  std::atomic<uint64_t> lost_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> batches_{0};
  std::thread thread_;  // last: started after every member above is constructed
};

}  // namespace octagon::pipeline
