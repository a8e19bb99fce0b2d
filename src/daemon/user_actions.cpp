#include <octagon/daemon/user_actions.h>

#include <octagon/base/log.h>
#include <octagon/daemon/http_get.h>

namespace octagon::daemon {

UserActionRunner::UserActionRunner(Options options) : options_(options) {
  if (options_.workers == 0)
    options_.workers = 1;
  for (size_t i = 0; i < options_.workers; i++)
    workers_.emplace_back(&UserActionRunner::work, this);
}

UserActionRunner::~UserActionRunner() {
  {
    std::lock_guard l(mu_);
    stop_ = true;
    dropped_ += queue_.size();
    queue_.clear();
  }
  cv_.notify_all();
  for (auto& t : workers_)
    t.join();
}

bool UserActionRunner::submit(const policy::UserAction& action) {
  {
    std::lock_guard l(mu_);
    if (stop_ || queue_.size() >= options_.queue) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(action);
  }
  cv_.notify_one();
  return true;
}

void UserActionRunner::work() {
  std::unique_lock l(mu_);
  while (true) {
    cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
    if (stop_)
      return;
    policy::UserAction a = std::move(queue_.front());
    queue_.pop_front();
    running_++;
    l.unlock();
    run(a);
    l.lock();
    running_--;
    if (queue_.empty() && running_ == 0)
      idle_cv_.notify_all();
  }
}

void UserActionRunner::run(const policy::UserAction& a) {
  switch (a.kind) {
  case policy::UserAction::Kind::kGetUrl: {
    auto r = http_get(a.target, options_.http_timeout);
    if (r) {
      get_url_ok_.fetch_add(1, std::memory_order_relaxed);
      OCTAGON_LOG_DEBUG("GetUrl %s: HTTP %d", a.target.c_str(), *r);
    } else {
      get_url_failed_.fetch_add(1, std::memory_order_relaxed);
      OCTAGON_LOG_WARN("GetUrl %s failed: %s", a.target.c_str(), r.error().describe().c_str());
    }
    break;
  }
  case policy::UserAction::Kind::kDnsLookup: {
    auto r = dns_lookup(a.target);
    if (r) {
      dns_ok_.fetch_add(1, std::memory_order_relaxed);
    } else {
      dns_failed_.fetch_add(1, std::memory_order_relaxed);
      OCTAGON_LOG_WARN("DnsLookup %s failed: %s", a.target.c_str(), r.error().describe().c_str());
    }
    break;
  }
  }
}

UserActionCounts UserActionRunner::counts() const {
  UserActionCounts c;
  c.get_url_ok = get_url_ok_.load();
  c.get_url_failed = get_url_failed_.load();
  c.dns_lookup_ok = dns_ok_.load();
  c.dns_lookup_failed = dns_failed_.load();
  c.dropped_queue_full = dropped_.load();
  return c;
}

bool UserActionRunner::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock l(mu_);
  return idle_cv_.wait_for(l, timeout, [&] { return queue_.empty() && running_ == 0; });
}

} // namespace octagon::daemon
