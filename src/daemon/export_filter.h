// Export allow/deny lists (--export-allowlist / --export-denylist): newline-separated JSON
// Filter objects (Tetragon's Filter message, protojson with proto field names). Lines are OR-ed,
// the fields of one line AND-ed, and the deny list wins: the same semantics as a GetEvents
// request's allow_list / deny_list, so the matching itself is api::EventFilter's. Events are
// converted to protobuf (api::EventToProto) only when a list is set.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <octagon/api/event_filter.h>
#include <octagon/api/event_to_proto.h>
#include <octagon/base/result.h>
#include <tetragon/events.pb.h>

namespace octagon::daemon {

// Parses one list. Blank lines are skipped. Errors name the 1-based line and the cause (bad
// JSON, unknown field, bad regex, unsupported field), without the flag name.
Result<google::protobuf::RepeatedPtrField<tetragon::Filter>> parse_filter_lines(std::string_view text);

class ExportFilter {
public:
  // Both lists empty: returns null (nothing to filter).
  static Result<std::unique_ptr<ExportFilter>>
  create(std::string_view allowlist, std::string_view denylist, api::EventToProto converter);

  // True when the event passes the lists. Not thread-safe (one filter per exporter).
  template <typename Event> bool pass(const Event& ev, int64_t boot_to_wall_ns) {
    converter_.set_boot_to_wall_ns(boot_to_wall_ns);
    if (!converter_.convert(ev, msg_))
      return true; // not convertible (no process): not the lists' business
    return filter_.matches(msg_);
  }

private:
  ExportFilter(api::EventFilter filter, api::EventToProto converter)
      : filter_(std::move(filter)), converter_(std::move(converter)) {}

  api::EventFilter filter_;
  api::EventToProto converter_;
  tetragon::GetEventsResponse msg_; // reused
};

} // namespace octagon::daemon
