// EventHub: fans agent events out to gRPC GetEvents clients. The agent's reader thread calls
// publish(); each client owns a bounded queue of shared, immutable messages and its own
// filter, applied on the publishing thread so that a queue only holds events the client asked
// for. A full queue drops the event for that client only and counts it: publish() never
// blocks on a client (it takes the hub lock and each queue's lock briefly, never waits).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <octagon/api/event_filter.h>
#include <tetragon/events.pb.h>

namespace octagon::api {

using EventPtr = std::shared_ptr<const tetragon::GetEventsResponse>;

struct ClientStats {
  uint64_t id = 0;
  std::string peer;
  uint64_t queued = 0;   // accepted into the queue
  uint64_t sent = 0;     // written to the stream
  uint64_t dropped = 0;  // queue full: lost for this client
  uint64_t filtered = 0; // did not match the client's filters
  uint64_t aggregation_dropped = 0; // aggregation_options buffer full: lost (aggregator.h)
};

class ClientQueue {
public:
  ClientQueue(uint64_t id, std::string peer, EventFilter filter, size_t capacity)
      : id_(id), peer_(std::move(peer)), filter_(std::move(filter)), capacity_(capacity) {}

  // Producer side (publish thread).
  void offer(const EventPtr& event);
  // Consumer side: waits up to `timeout_ms` for an event; null on timeout or when closed.
  EventPtr pop(int timeout_ms);
  void mark_sent() { sent_.fetch_add(1, std::memory_order_relaxed); }
  void count_aggregation_drop() { aggregation_dropped_.fetch_add(1, std::memory_order_relaxed); }
  void close();
  bool closed() const;
  ClientStats stats() const;

private:
  const uint64_t id_;
  const std::string peer_;
  EventFilter filter_; // used by the producer only
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<EventPtr> queue_;
  bool closed_ = false;
  std::atomic<uint64_t> queued_{0}, sent_{0}, dropped_{0}, filtered_{0};
  std::atomic<uint64_t> aggregation_dropped_{0};
};

class EventHub {
public:
  explicit EventHub(size_t client_queue_capacity) : capacity_(client_queue_capacity) {}

  // Lock-free check so the agent converts events only when someone listens.
  bool has_clients() const { return clients_.load(std::memory_order_relaxed) > 0; }
  void publish(const EventPtr& event);

  // Registers a client; null once the hub is closed.
  std::shared_ptr<ClientQueue> subscribe(std::string peer, EventFilter filter);
  void unsubscribe(const std::shared_ptr<ClientQueue>& client);
  // Closes every queue (their consumers return) and refuses new subscribers.
  void close();

  std::vector<ClientStats> client_stats() const;
  // Drops of clients that are gone, plus those of connected clients.
  uint64_t total_dropped() const;
  // Aggregation-buffer drops of clients that are gone, plus those of connected clients.
  uint64_t total_aggregation_dropped() const;

private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<ClientQueue>> queues_;
  std::atomic<size_t> clients_{0};
  uint64_t next_id_ = 1;
  uint64_t gone_dropped_ = 0;
  uint64_t gone_aggregation_dropped_ = 0;
  bool closed_ = false;
};

} // namespace octagon::api
