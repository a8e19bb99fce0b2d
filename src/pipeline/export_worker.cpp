#include <octagon/pipeline/export_worker.h>

#include <octagon/base/log.h>

#include <cerrno>
#include <new>
#include <system_error>

namespace octagon::pipeline {
namespace {

inline void bump(std::atomic<uint64_t>& counter, uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

// Failures are logged on the first occurrence and then every kLogEvery-th, so a sink that is
// down (full disk, closed pipe) cannot flood the agent's own log.
constexpr uint64_t kLogEvery = 1000;

}  // namespace

Result<std::unique_ptr<ExportWorker>> ExportWorker::create(std::unique_ptr<Sink> sink,
                                                           ExportWorkerOptions options) {
  if (!sink) return make_error(EINVAL, "export worker: no sink");
  if (options.max_batch_bytes == 0) return make_error(EINVAL, "export worker: max_batch_bytes is 0");
  std::unique_ptr<ExportWorker> worker;
  try {
    worker.reset(new ExportWorker(std::move(sink), options));
    worker->thread_ = std::thread([w = worker.get()] { w->run(); });
  } catch (const std::bad_alloc&) {
    return make_error(ENOMEM, "export worker: cannot allocate a " +
                                  std::to_string(options.queue_bytes) + "-byte queue");
  } catch (const std::system_error& e) {
    return make_error(e.code().value(), std::string("export worker: cannot start thread: ") +
                                            e.what());
  }
  return worker;
}

ExportWorker::ExportWorker(std::unique_ptr<Sink> sink, ExportWorkerOptions options)
    : options_(options), sink_(std::move(sink)), queue_(options.queue_bytes) {
  queue_.set_wake_threshold(options.wake_bytes);
  batch_.reserve(options_.max_batch_bytes);
}

ExportWorker::~ExportWorker() { stop(); }

bool ExportWorker::submit(std::string_view line) {
  bump(submitted_);
  if (stopping_.load(std::memory_order_relaxed) || !queue_.try_push(line)) {
    bump(dropped_);
    return false;
  }
  return true;
}

void ExportWorker::stop() {
  stopping_.store(true, std::memory_order_release);
  queue_.wake();
  if (thread_.joinable()) thread_.join();
}

void ExportWorker::run() {
  for (;;) {
    if (queue_.wait_for_data(options_.idle_wait)) {
      write_batch();
      continue;
    }
    if (stopping_.load(std::memory_order_acquire)) break;
  }
  // Every submit() happened before stop() set the flag we just read: drain what is left.
  while (!queue_.empty()) write_batch();
}

void ExportWorker::write_batch() {
  batch_.clear();
  const size_t records = queue_.pop_batch(batch_, options_.max_batch_bytes);
  if (records == 0) return;
  Result<void> r = sink_->write(batch_);
  if (r) {
    bump(written_, records);
    bump(bytes_, batch_.size());
    bump(batches_);
    return;
  }
  const uint64_t errors = write_errors_.load(std::memory_order_relaxed);
  bump(write_errors_);
  bump(lost_, records);
  if (errors % kLogEvery == 0) {
    OCTAGON_LOG_WARN("export to %s failed (%llu failures, %zu records lost in this batch): %s",
                     sink_->name(), static_cast<unsigned long long>(errors + 1), records,
                     r.error().describe().c_str());
  }
}

ExportStats ExportWorker::stats() const {
  ExportStats s;
  s.submitted = submitted_.load(std::memory_order_relaxed);
  s.dropped_queue_full = dropped_.load(std::memory_order_relaxed);
  s.written = written_.load(std::memory_order_relaxed);
  s.write_errors = write_errors_.load(std::memory_order_relaxed);
  s.lost_records = lost_.load(std::memory_order_relaxed);
  s.bytes = bytes_.load(std::memory_order_relaxed);
  s.batches = batches_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace octagon::pipeline
