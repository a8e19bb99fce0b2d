// ExportRateLimit (--export-rate-limit N): at most N events per one-minute window reach an
// exporter; the rest are dropped and counted. The window is fixed: it starts at the first event
// after the previous window ended. Once a window in which events were dropped is over (seen at
// the next event, or at stop), its drop count is handed out once, for the exporter to write
// Tetragon's {"rate_limit_info":{"number_of_dropped_process_events":"N"}} event.
// N < 0: no limit; N = 0: nothing is exported (everything counts as dropped).
// Not thread-safe (one per exporter, on the reader thread); dropped() is readable anywhere.
#pragma once

#include <atomic>
#include <cstdint>

namespace octagon::daemon {

class ExportRateLimit {
public:
  static constexpr uint64_t kWindowNs = 60'000'000'000ull;

  explicit ExportRateLimit(int64_t per_window, uint64_t window_ns = kWindowNs)
      : limit_(per_window), window_ns_(window_ns) {}

  bool enabled() const { return limit_ >= 0; }

  // Drops of a window that has ended by now_ns (0 when none); call before admit().
  uint64_t take_finished(uint64_t now_ns) {
    if (started_ && now_ns - window_start_ >= window_ns_) {
      started_ = false;
      return take_pending();
    }
    return 0;
  }
  // Drops of the current window, ending it (at stop).
  uint64_t take_pending() {
    const uint64_t n = window_dropped_;
    window_dropped_ = 0;
    started_ = false;
    return n;
  }

  // True when the event at now_ns may be exported.
  bool admit(uint64_t now_ns) {
    if (limit_ < 0)
      return true;
    if (!started_) {
      started_ = true;
      window_start_ = now_ns;
      window_admitted_ = 0;
    }
    if (window_admitted_ < static_cast<uint64_t>(limit_)) {
      ++window_admitted_;
      return true;
    }
    ++window_dropped_;
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }

  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

private:
  const int64_t limit_;
  const uint64_t window_ns_;
  bool started_ = false;
  uint64_t window_start_ = 0, window_admitted_ = 0, window_dropped_ = 0;
  std::atomic<uint64_t> dropped_{0};
};

} // namespace octagon::daemon
