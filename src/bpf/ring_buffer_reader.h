// RingBufferReader: drains a BPF ring buffer map on the caller's thread.
#pragma once

#include <bpf/libbpf.h>

#include <atomic>
#include <cstddef>
#include <memory>

#include <octagon/base/result.h>

namespace octagon::bpf {

// Receives raw records. Must not block: it runs while the kernel keeps producing.
class RecordHandler {
 public:
  virtual ~RecordHandler() = default;
  virtual void on_record(const void* data, size_t size) = 0;
};

class RingBufferReader {
 public:
  static Result<std::unique_ptr<RingBufferReader>> create(int map_fd, RecordHandler& handler);
  ~RingBufferReader();
  RingBufferReader(const RingBufferReader&) = delete;
  RingBufferReader& operator=(const RingBufferReader&) = delete;

  // Waits up to timeout_ms for a wake-up, then consumes everything available. The BPF side
  // wakes the reader only when the ring is a quarter full, so polling with a short timeout
  // bounds latency without a wake-up per event. Returns records consumed.
  Result<int> poll(int timeout_ms);

  uint64_t records() const { return records_.load(std::memory_order_relaxed); }  // any thread

 private:
  explicit RingBufferReader(RecordHandler& handler) : handler_(handler) {}
  static int on_sample(void* ctx, void* data, size_t size);

  RecordHandler& handler_;
  ring_buffer* rb_ = nullptr;
  std::atomic<uint64_t> records_{0};  // written by the reading thread only
};

}  // namespace octagon::bpf
