// UserActionRunner: the policy actions the agent performs itself when a selector matched
// (GetUrl: an HTTP GET of argUrl; DnsLookup: a resolve of argFqdn), off the event thread.
// A fixed pool of workers takes them from a bounded queue; submit() never blocks, and every
// action is counted as done, failed, or dropped because the queue was full.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include <octagon/policy/plan.h>

namespace octagon::daemon {

struct UserActionCounts {
  uint64_t get_url_ok = 0, get_url_failed = 0;
  uint64_t dns_lookup_ok = 0, dns_lookup_failed = 0;
  uint64_t dropped_queue_full = 0;
};

class UserActionRunner {
public:
  struct Options {
    size_t workers = 2;
    size_t queue = 256;
    std::chrono::milliseconds http_timeout{5000};
  };
  UserActionRunner() : UserActionRunner(Options{}) {}
  explicit UserActionRunner(Options options);
  ~UserActionRunner(); // finishes the actions being run, drops the queued ones (counted)
  UserActionRunner(const UserActionRunner&) = delete;
  UserActionRunner& operator=(const UserActionRunner&) = delete;

  // Queues `action`; false (counted in dropped_queue_full) when the queue is full.
  bool submit(const policy::UserAction& action);
  UserActionCounts counts() const;
  // Blocks until nothing is queued or running (tests), or the timeout passes; true when idle.
  bool wait_idle(std::chrono::milliseconds timeout);

private:
  void work();
  void run(const policy::UserAction& a);

  Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<policy::UserAction> queue_;
  size_t running_ = 0;
  bool stop_ = false;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> get_url_ok_{0}, get_url_failed_{0}, dns_ok_{0}, dns_failed_{0}, dropped_{0};
};

} // namespace octagon::daemon
