// ProtoEvent: a GetEventsResponse (from the gRPC stream, or parsed from a saved JSON log) back
// in the agent's event model, so the CLI prints it with the same CompactEncoder the agent uses.
// Only what the compact lines show is carried back: process identity, binary, arguments,
// credentials' euid, capabilities; exit status/signal; policy event names and arguments.
// Event kinds without an event model (usdt, throttle, rate_limit_info) are
// reported as unsupported (encode() returns false).
#pragma once

#include <string>

#include <octagon/events/policy_event.h>
#include <octagon/events/process.h>
#include <octagon/exporters/json/compact_encoder.h>
#include <tetragon/events.pb.h>

namespace octagon::api {

class ProtoEvent {
public:
  // Appends the compact line of `event` to `out`; false when the kind has no compact form here.
  bool encode(const tetragon::GetEventsResponse& event, exporters::CompactEncoder& encoder,
              std::string& out);

private:
  events::Process process_, parent_;
  events::ExecEvent exec_;
  events::ExitEvent exit_;
  events::KprobeEvent kprobe_;
  events::TracepointEvent tracepoint_;
  events::UprobeEvent uprobe_;
  events::LsmEvent lsm_;
  events::LoaderEvent loader_;
};

void process_from_proto(const tetragon::Process& in, events::Process& out);
void argument_from_proto(const tetragon::KprobeArgument& in, events::Argument& out);
// The kernel-object members (sock_arg .. module_arg, proto_to_kobject.cpp); false for others.
bool kobject_from_proto(const tetragon::KprobeArgument& in, events::Argument& out);
uint64_t timestamp_ns(const google::protobuf::Timestamp& t);

} // namespace octagon::api
