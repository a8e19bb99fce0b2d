// EncodingExporter: an EventSink that encodes events (Tetragon JSON or compact lines) on the
// reader thread into a reused buffer, and queues the bytes to an ExportWorker whose thread
// writes them to a Sink (stdout, rotating file). A full queue drops the line and counts it.
// Optional export controls, applied before encoding: the allow/deny lists (events not passing
// are counted as filtered, not lost) and the rate limit (events over it are dropped, counted,
// and reported by one rate_limit_info line per window, JSON exporters only), and the
// aggregation buffer (--enable-export-aggregation: events finding it full are dropped, counted).
// Field filters (--field-filters) then remove fields from the encoded JSON line (JSON only).
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <octagon/api/field_filter.h>
#include <octagon/base/boot_clock.h>
#include <octagon/daemon/event_processor.h>
#include <octagon/daemon/export_filter.h>
#include <octagon/daemon/export_rate_limit.h>
#include <octagon/exporters/json/escape.h>
#include <octagon/exporters/json/time_format.h>
#include <octagon/exporters/json/compact_encoder.h>
#include <octagon/exporters/json/json_encoder.h>
#include <octagon/pipeline/export_worker.h>

namespace octagon::daemon {

struct ExportControls {
  std::unique_ptr<ExportFilter> filter;  // null: every event passes
  int64_t rate_limit = -1;               // events per minute; -1 off, 0 nothing exported
  std::string node_name;                 // for rate_limit_info
  // --field-filters (null: none); applied to JSON lines only, after encoding.
  std::unique_ptr<api::FieldFilters> fields;
  // --enable-export-aggregation: at most this many events wait for the writer; an event finding
  // that many is dropped and counted (Tetragon's aggregator channel; 0: only when none waits).
  std::optional<uint64_t> aggregation_buffer;
};

class EncodingExporter : public EventSink {
 public:
  using Encoder = std::variant<exporters::JsonEncoder, exporters::CompactEncoder>;

  EncodingExporter(Encoder encoder, std::unique_ptr<pipeline::ExportWorker> worker, BootClock& clock,
                   ExportControls controls = {})
      : encoder_(std::move(encoder)), worker_(std::move(worker)), clock_(clock),
        filter_(std::move(controls.filter)), limit_(controls.rate_limit),
        node_name_(std::move(controls.node_name)), fields_(std::move(controls.fields)),
        aggregation_buffer_(controls.aggregation_buffer) {
    line_.reserve(64 * 1024);
  }

  void on_exec(const events::ExecEvent& ev) override { emit(ev); }
  void on_exit(const events::ExitEvent& ev) override { emit(ev); }
  void on_kprobe(const events::KprobeEvent& ev) override { emit(ev); }
  void on_tracepoint(const events::TracepointEvent& ev) override { emit(ev); }
  void on_uprobe(const events::UprobeEvent& ev) override { emit(ev); }
  void on_usdt(const events::UsdtEvent& ev) override { emit(ev); }
  void on_lsm(const events::LsmEvent& ev) override { emit(ev); }
  void on_loader(const events::LoaderEvent& ev) override { emit(ev); }

  pipeline::ExportWorker& worker() { return *worker_; }
  // Writes the rate_limit_info of the current window, then drains and stops the writer.
  void stop() {
    if (!stopped_) report_drops(limit_.take_pending(), clock_.boot_now_ns());
    stopped_ = true;
    worker_->stop();
  }

  uint64_t filtered() const { return filtered_.load(std::memory_order_relaxed); }
  uint64_t rate_limited() const { return limit_.dropped(); }
  uint64_t aggregation_dropped() const { return aggregation_dropped_.load(std::memory_order_relaxed); }

 private:
  template <typename Event>
  void emit(const Event& ev) {
    if (filter_ && !filter_->pass(ev, clock_.offset())) {
      filtered_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (aggregation_buffer_ && !aggregation_admit()) {
      aggregation_dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (limit_.enabled()) {
      const uint64_t now = clock_.boot_now_ns();
      report_drops(limit_.take_finished(now), now);
      if (!limit_.admit(now)) return;
    }
    line_.clear();
    std::visit(
        [&](auto& enc) {
          if constexpr (std::is_same_v<std::decay_t<decltype(enc)>, exporters::JsonEncoder>)
            enc.set_boot_to_wall_ns(clock_.offset());
          enc.encode(ev, line_);
        },
        encoder_);
    if (line_.empty()) return;
    if (fields_ && std::holds_alternative<exporters::JsonEncoder>(encoder_) &&
        fields_->apply_json(line_, fields_line_))
      line_.swap(fields_line_);
    worker_->submit(line_);
  }

  // Events queued for the writer and not yet taken, against the aggregation buffer size.
  bool aggregation_admit() const {
    const pipeline::ByteQueueStats q = worker_->queue_stats();
    const uint64_t pending = q.pushed - std::min(q.pushed, q.popped);
    return *aggregation_buffer_ == 0 ? pending == 0 : pending < *aggregation_buffer_;
  }

  void report_drops(uint64_t dropped, uint64_t boot_ns) {
    if (dropped == 0 || !std::holds_alternative<exporters::JsonEncoder>(encoder_)) return;
    line_.clear();
    line_ += R"({"rate_limit_info":{"number_of_dropped_process_events":")";
    line_ += std::to_string(dropped);
    line_ += R"("},"node_name":)";
    exporters::append_json_string(line_, node_name_);
    line_ += R"(,"time":")";
    time_.append_proto(line_, boot_ns + static_cast<uint64_t>(clock_.offset()));
    line_ += "\"}\n";
    worker_->submit(line_);
  }

  Encoder encoder_;
  std::unique_ptr<pipeline::ExportWorker> worker_;
  BootClock& clock_;
  std::string line_;
  std::unique_ptr<ExportFilter> filter_;
  ExportRateLimit limit_;
  std::string node_name_;
  exporters::TimeFormatter time_;
  std::unique_ptr<api::FieldFilters> fields_;
  std::string fields_line_;  // reused
  std::atomic<uint64_t> filtered_{0};
  std::optional<uint64_t> aggregation_buffer_;
  std::atomic<uint64_t> aggregation_dropped_{0};
  bool stopped_ = false;
};

}  // namespace octagon::daemon
