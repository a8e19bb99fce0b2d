#include <octagon/api/aggregator.h>

#include <algorithm>

namespace octagon::api {

Aggregator::Aggregator(uint64_t capacity, Send send)
    : capacity_(std::min(capacity, kMaxCapacity)), send_(std::move(send)) {
  thread_ = std::thread(&Aggregator::run, this);
}

Aggregator::~Aggregator() {
  stop();
}

bool Aggregator::offer(Event event) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_)
      return false;
    // capacity 0 (an unbuffered Go channel): only a sender waiting right now takes the event.
    const bool handoff = capacity_ == 0 && idle_ && queue_.empty();
    if (!handoff && queue_.size() >= capacity_) {
      dropped_++;
      return false;
    }
    queue_.push_back(std::move(event));
    idle_ = false;
  }
  cv_.notify_one();
  return true;
}

void Aggregator::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    idle_ = queue_.empty();
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty())
      return; // stopping and drained
    Event e = std::move(queue_.front());
    queue_.pop_front();
    idle_ = false;
    if (broken_)
      continue;
    lock.unlock();
    const bool ok = send_(*e);
    lock.lock();
    if (ok)
      sent_++;
    else
      broken_ = true;
  }
}

void Aggregator::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable())
    thread_.join();
}

uint64_t Aggregator::sent() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sent_;
}

uint64_t Aggregator::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

uint64_t aggregation_window_ns(const tetragon::AggregationOptions& options) {
  if (!options.has_window_size())
    return Aggregator::kDefaultWindowNs;
  const int64_t ns = options.window_size().seconds() * 1'000'000'000ll + options.window_size().nanos();
  return ns > 0 ? static_cast<uint64_t>(ns) : 0;
}

} // namespace octagon::api
