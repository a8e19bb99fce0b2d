#include <octagon/pipeline/byte_queue.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace octagon::pipeline {
namespace {

// Single-writer counter bump: a relaxed load+store avoids a locked RMW on the hot path.
inline void bump(std::atomic<uint64_t>& counter, uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace

ByteQueue::ByteQueue(size_t capacity)
    : capacity_(std::max(capacity, kMinCapacity)), ring_(new char[capacity_]) {}

void ByteQueue::copy_in(uint64_t pos, const char* src, size_t n) {
  size_t off = pos % capacity_;
  size_t first = std::min(n, capacity_ - off);
  std::memcpy(ring_.get() + off, src, first);
  if (n > first) std::memcpy(ring_.get(), src + first, n - first);
}

void ByteQueue::copy_out(uint64_t pos, char* dst, size_t n) const {
  size_t off = pos % capacity_;
  size_t first = std::min(n, capacity_ - off);
  std::memcpy(dst, ring_.get() + off, first);
  if (n > first) std::memcpy(dst + first, ring_.get(), n - first);
}

void ByteQueue::append_out(uint64_t pos, size_t n, std::string& out) const {
  size_t off = pos % capacity_;
  size_t first = std::min(n, capacity_ - off);
  out.append(ring_.get() + off, first);
  if (n > first) out.append(ring_.get(), n - first);
}

bool ByteQueue::try_push(std::string_view record) {
  if (record.size() > max_record_size() || record.size() > std::numeric_limits<uint32_t>::max()) {
    bump(dropped_);
    return false;
  }
  const size_t need = kHeaderBytes + record.size();
  const uint64_t tail = tail_.load(std::memory_order_relaxed);
  if (capacity_ - (tail - cached_head_) < need) {
    cached_head_ = head_.load(std::memory_order_acquire);
    if (capacity_ - (tail - cached_head_) < need) {
      bump(dropped_);
      return false;
    }
  }
  const uint32_t len = static_cast<uint32_t>(record.size());
  copy_in(tail, reinterpret_cast<const char*>(&len), kHeaderBytes);
  copy_in(tail + kHeaderBytes, record.data(), record.size());
  bump(pushed_);
  bump(bytes_, record.size());
  // seq_cst store then seq_cst load, mirrored in wait_for_data (store sleeping_, load tail_):
  // either the consumer sees the new tail, or we see that it is going to sleep and wake it.
  // (seq_cst operations rather than fences, which ThreadSanitizer does not model.)
  tail_.store(tail + need, std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_seq_cst) &&
      (wake_threshold_ == 0 || tail + need - head_.load(std::memory_order_acquire) >= wake_threshold_))
    notify_consumer();
  return true;
}

void ByteQueue::notify_consumer() {
  if (!sleeping_.exchange(false, std::memory_order_acq_rel)) return;  // someone else woke it
  // Taking the mutex orders this notify after the consumer has entered (or left) its wait,
  // so the wake-up cannot be lost between its predicate check and the block.
  { std::lock_guard<std::mutex> lock(mu_); }
  cv_.notify_one();
}

size_t ByteQueue::pop_batch(std::string& out, size_t max_bytes) {
  uint64_t head = head_.load(std::memory_order_relaxed);
  const uint64_t tail = tail_.load(std::memory_order_acquire);
  size_t count = 0;
  size_t taken = 0;
  while (head != tail) {
    uint32_t len = 0;
    copy_out(head, reinterpret_cast<char*>(&len), kHeaderBytes);
    if (count > 0 && taken + len > max_bytes) break;
    append_out(head + kHeaderBytes, len, out);
    head += kHeaderBytes + len;
    taken += len;
    ++count;
  }
  if (count > 0) {
    head_.store(head, std::memory_order_release);
    bump(popped_, count);
  }
  return count;
}

bool ByteQueue::wait_for_data(std::chrono::milliseconds timeout) {
  const size_t enough = wake_threshold_ ? wake_threshold_ : 1;
  if (used_bytes() >= enough) return true;
  std::unique_lock<std::mutex> lock(mu_);
  if (wake_pending_) {
    wake_pending_ = false;
    return !empty();
  }
  sleeping_.store(true, std::memory_order_seq_cst);
  if (tail_.load(std::memory_order_seq_cst) - head_.load(std::memory_order_relaxed) >= enough) {
    sleeping_.store(false, std::memory_order_relaxed);
    return true;
  }
  cv_.wait_for(lock, timeout,
               [this] { return wake_pending_ || !sleeping_.load(std::memory_order_acquire); });
  sleeping_.store(false, std::memory_order_relaxed);
  wake_pending_ = false;
  return !empty();
}

void ByteQueue::wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_pending_ = true;
  }
  cv_.notify_all();
}

bool ByteQueue::empty() const { return used_bytes() == 0; }

size_t ByteQueue::used_bytes() const {
  // Load head first: tail only grows, so tail - head can never underflow.
  const uint64_t head = head_.load(std::memory_order_acquire);
  const uint64_t tail = tail_.load(std::memory_order_acquire);
  return static_cast<size_t>(tail - head);
}

ByteQueueStats ByteQueue::stats() const {
  ByteQueueStats s;
  s.pushed = pushed_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.popped = popped_.load(std::memory_order_relaxed);
  s.bytes = bytes_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace octagon::pipeline
