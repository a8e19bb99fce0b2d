// EventToProto: the agent's event model (events/process.h, events/policy_event.h) as Tetragon's
// protobuf messages (proto/tetragon/), for the gRPC API. It follows the same rules as the JSON
// exporter (exporters/json/json_encoder.h), so that protobuf's JSON printer with proto field
// names gives the same objects; tests/unit/api/proto_json_equivalence_test.cpp proves it:
//   - wrapper fields (pid, uid=euid, auid, tid, credentials) always set;
//   - cap / ns / process_credentials / refcnt only when RenderOptions enable them;
//   - binary_properties only for the process of an exec event, and only when not empty;
//   - start_time = start_ktime + boot_to_wall offset; time = the event's wall clock time;
//   - strings are made valid UTF-8 the JSON encoder's way (proto3 requires it; bytes_arg and
//     truncated bytes stay raw bytes).
// Not thread-safe only in that the setters must not race with convert().
#pragma once

#include <cstdint>
#include <string>

#include <octagon/events/policy_event.h>
#include <octagon/events/process.h>
#include <tetragon/events.pb.h>

namespace octagon::api {

class EventToProto {
public:
  EventToProto(std::string node_name, const events::RenderOptions& options)
      : node_name_(std::move(node_name)), options_(options) {}

  void set_boot_to_wall_ns(int64_t offset) { boot_to_wall_ns_ = offset; }
  // A process namespace with the host's inum gets is_host = true.
  void set_host_namespaces(const events::Namespaces& host) {
    host_ns_ = host;
    have_host_ns_ = true;
  }

  // Each fills `out` (cleared first). Returns false (out cleared) when event.process is null.
  bool convert(const events::ExecEvent& event, tetragon::GetEventsResponse& out) const;
  bool convert(const events::ExitEvent& event, tetragon::GetEventsResponse& out) const;
  bool convert(const events::KprobeEvent& event, tetragon::GetEventsResponse& out) const;
  bool convert(const events::TracepointEvent& event, tetragon::GetEventsResponse& out) const;
  bool convert(const events::UprobeEvent& event, tetragon::GetEventsResponse& out) const;
  bool convert(const events::UsdtEvent& event, tetragon::GetEventsResponse& out) const;
  bool convert(const events::LsmEvent& event, tetragon::GetEventsResponse& out) const;
  bool convert(const events::LoaderEvent& event, tetragon::GetEventsResponse& out) const;

  void fill_process(const events::Process& p, bool binary_properties, tetragon::Process& out) const;

private:
  void fill_tail(uint64_t time_ns, tetragon::GetEventsResponse& out) const;
  template <typename Msg> void fill_common(const events::PolicyEventCommon& event, Msg& out) const;

  std::string node_name_;
  events::RenderOptions options_;
  int64_t boot_to_wall_ns_ = 0;
  events::Namespaces host_ns_;
  bool have_host_ns_ = false;
};

// `s` as valid UTF-8 (invalid bytes -> U+FFFD, as the JSON export): proto3 strings must be.
std::string utf8(std::string_view s);

// One KprobeArgument, as exporters/json/argument_json.h renders it.
void fill_argument(const events::Argument& arg, tetragon::KprobeArgument& out);
// The kernel-object members (sock_arg, skb_arg, user_ns_arg, cap sets, bpf_*, perf_event_arg,
// module_arg) of the oneof (kobject_to_proto.cpp); false for other kinds.
bool fill_kobject_argument(const events::Argument& arg, tetragon::KprobeArgument& out);

// ns since the Unix epoch as a google.protobuf.Timestamp.
void set_timestamp(uint64_t ns, google::protobuf::Timestamp& out);

} // namespace octagon::api
