// Aggregator: the GetEvents `aggregation_options` stage, as Tetragon implements it
// (pkg/aggregator, pkg/server).
//
// What Tetragon does: a request with AggregationOptions{window_size, channel_buffer_size} gets
// a Go channel of channel_buffer_size events between the stream's filter loop and an
// aggregator goroutine. The loop offers each event that passed the filters and field filters
// to that channel WITHOUT waiting: when the channel is full the event is dropped (Tetragon only
// logs "Aggregator buffer is full"). The goroutine sends every event as it arrives; its
// per-type switch has no aggregating case, so no event type is aggregated, the keyed cache it
// flushes every window_size (default 15s) stays empty, and `aggregation_info` is never set.
// channel_buffer_size 0 is an unbuffered channel: an event is taken only while the goroutine is
// idle waiting for one.
//
// Octagon does the same: events are forwarded one by one, in order, without aggregation_info;
// the buffer is a bounded queue drained by a sender thread; an event offered while it is full
// is dropped and counted (Octagon counts it in status and metrics, Tetragon only logs). A
// capacity of 0 accepts an event only while the sender is idle. Differences: the capacity is
// clamped to kMaxCapacity (Tetragon would allocate any size); window_size is accepted and has
// nothing to flush (as in Tetragon); stop() sends what is still buffered before returning.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include <tetragon/events.pb.h>

namespace octagon::api {

class Aggregator {
public:
  using Event = std::shared_ptr<const tetragon::GetEventsResponse>;
  // Writes one event to the stream; false once the stream is broken (later events are
  // discarded, not counted as drops: the client is gone).
  using Send = std::function<bool(const tetragon::GetEventsResponse&)>;

  static constexpr uint64_t kMaxCapacity = 1u << 20;
  static constexpr uint64_t kDefaultWindowNs = 15'000'000'000ull; // Tetragon's default

  Aggregator(uint64_t capacity, Send send);
  ~Aggregator();
  Aggregator(const Aggregator&) = delete;
  Aggregator& operator=(const Aggregator&) = delete;

  // Producer (the stream's loop). False when the buffer is full: the event is dropped.
  bool offer(Event event);
  // Sends everything still buffered, then joins the sender. Idempotent.
  void stop();

  uint64_t capacity() const { return capacity_; }
  uint64_t sent() const;
  uint64_t dropped() const;

private:
  void run();

  const uint64_t capacity_;
  Send send_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> queue_;
  bool idle_ = false;     // the sender waits for an event (what capacity 0 hands over to)
  bool stopping_ = false;
  bool broken_ = false;   // send failed: the stream is gone
  uint64_t sent_ = 0, dropped_ = 0;
  std::thread thread_;
};

// Tetragon's window_size: google.protobuf.Duration, default 15s when unset.
uint64_t aggregation_window_ns(const tetragon::AggregationOptions& options);

} // namespace octagon::api
