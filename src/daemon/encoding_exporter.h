// EncodingExporter: an EventSink that encodes events (Tetragon JSON or compact lines) on the
// reader thread into a reused buffer, and queues the bytes to an ExportWorker whose thread
// writes them to a Sink (stdout, rotating file). A full queue drops the line and counts it.
#pragma once

#include <memory>
#include <string>
#include <variant>

#include <octagon/base/boot_clock.h>
#include <octagon/daemon/event_processor.h>
#include <octagon/exporters/json/compact_encoder.h>
#include <octagon/exporters/json/json_encoder.h>
#include <octagon/pipeline/export_worker.h>

namespace octagon::daemon {

class EncodingExporter : public EventSink {
 public:
  using Encoder = std::variant<exporters::JsonEncoder, exporters::CompactEncoder>;

  EncodingExporter(Encoder encoder, std::unique_ptr<pipeline::ExportWorker> worker, BootClock& clock)
      : encoder_(std::move(encoder)), worker_(std::move(worker)), clock_(clock) {
    line_.reserve(64 * 1024);
  }

  void on_exec(const events::ExecEvent& ev) override { emit(ev); }
  void on_exit(const events::ExitEvent& ev) override { emit(ev); }
  void on_kprobe(const events::KprobeEvent& ev) override { emit(ev); }
  void on_tracepoint(const events::TracepointEvent& ev) override { emit(ev); }
  void on_uprobe(const events::UprobeEvent& ev) override { emit(ev); }
  void on_usdt(const events::UsdtEvent& ev) override { emit(ev); }

  pipeline::ExportWorker& worker() { return *worker_; }
  void stop() { worker_->stop(); }

 private:
  template <typename Event>
  void emit(const Event& ev) {
    line_.clear();
    std::visit(
        [&](auto& enc) {
          if constexpr (std::is_same_v<std::decay_t<decltype(enc)>, exporters::JsonEncoder>)
            enc.set_boot_to_wall_ns(clock_.offset());
          enc.encode(ev, line_);
        },
        encoder_);
    if (!line_.empty()) worker_->submit(line_);
  }

  Encoder encoder_;
  std::unique_ptr<pipeline::ExportWorker> worker_;
  BootClock& clock_;
  std::string line_;
};

}  // namespace octagon::daemon
