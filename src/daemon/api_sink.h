// ApiSink: an EventSink that hands events to gRPC GetEvents clients (api::EventHub). Events are
// converted to protobuf once, on the reader thread, and only while at least one client is
// connected; the hub applies each client's filters and bounded queue, so nothing here blocks.
#pragma once

#include <memory>

#include <octagon/api/event_hub.h>
#include <octagon/api/event_to_proto.h>
#include <octagon/base/boot_clock.h>
#include <octagon/daemon/event_processor.h>

namespace octagon::daemon {

class ApiSink : public EventSink {
public:
  ApiSink(api::EventToProto converter, api::EventHub& hub, BootClock& clock)
      : converter_(std::move(converter)), hub_(hub), clock_(clock) {}

  void on_exec(const events::ExecEvent& ev) override { emit(ev); }
  void on_exit(const events::ExitEvent& ev) override { emit(ev); }
  void on_kprobe(const events::KprobeEvent& ev) override { emit(ev); }
  void on_tracepoint(const events::TracepointEvent& ev) override { emit(ev); }
  void on_uprobe(const events::UprobeEvent& ev) override { emit(ev); }
  void on_usdt(const events::UsdtEvent& ev) override { emit(ev); }
  void on_lsm(const events::LsmEvent& ev) override { emit(ev); }
  void on_loader(const events::LoaderEvent& ev) override { emit(ev); }

private:
  template <typename Event> void emit(const Event& ev) {
    if (!hub_.has_clients())
      return;
    converter_.set_boot_to_wall_ns(clock_.offset());
    auto msg = std::make_shared<tetragon::GetEventsResponse>();
    if (converter_.convert(ev, *msg))
      hub_.publish(msg);
  }

  api::EventToProto converter_;
  api::EventHub& hub_;
  BootClock& clock_;
};

} // namespace octagon::daemon
