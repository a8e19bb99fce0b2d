#include <octagon/api/event_hub.h>

#include <algorithm>
#include <chrono>

namespace octagon::api {

void ClientQueue::offer(const EventPtr& event) {
  if (!filter_.matches(*event)) {
    filtered_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_)
      return;
    if (queue_.size() >= capacity_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    queue_.push_back(event);
  }
  queued_.fetch_add(1, std::memory_order_relaxed);
  cv_.notify_one();
}

EventPtr ClientQueue::pop(int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
               [&] { return closed_ || !queue_.empty(); });
  if (closed_ || queue_.empty())
    return nullptr;
  EventPtr e = std::move(queue_.front());
  queue_.pop_front();
  return e;
}

void ClientQueue::close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    queue_.clear();
  }
  cv_.notify_all();
}

bool ClientQueue::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

ClientStats ClientQueue::stats() const {
  return {id_,           peer_,          queued_.load(), sent_.load(), dropped_.load(),
          filtered_.load(), aggregation_dropped_.load()};
}

void EventHub::publish(const EventPtr& event) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& q : queues_)
    q->offer(event);
}

std::shared_ptr<ClientQueue> EventHub::subscribe(std::string peer, EventFilter filter) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_)
    return nullptr;
  auto q = std::make_shared<ClientQueue>(next_id_++, std::move(peer), std::move(filter), capacity_);
  queues_.push_back(q);
  clients_.store(queues_.size(), std::memory_order_relaxed);
  return q;
}

void EventHub::unsubscribe(const std::shared_ptr<ClientQueue>& client) {
  client->close();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::find(queues_.begin(), queues_.end(), client);
  if (it == queues_.end())
    return;
  gone_dropped_ += client->stats().dropped;
  gone_aggregation_dropped_ += client->stats().aggregation_dropped;
  queues_.erase(it);
  clients_.store(queues_.size(), std::memory_order_relaxed);
}

void EventHub::close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  for (const auto& q : queues_)
    q->close();
}

std::vector<ClientStats> EventHub::client_stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ClientStats> out;
  for (const auto& q : queues_)
    out.push_back(q->stats());
  return out;
}

uint64_t EventHub::total_dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = gone_dropped_;
  for (const auto& q : queues_)
    n += q->stats().dropped;
  return n;
}

} // namespace octagon::api

namespace octagon::api {

uint64_t EventHub::total_aggregation_dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = gone_aggregation_dropped_;
  for (const auto& q : queues_)
    n += q->stats().aggregation_dropped;
  return n;
}

} // namespace octagon::api
