// FieldFilters: a GetEventsRequest's field_filters (Tetragon semantics). Each FieldFilter has
// paths relative to the event's own message ("process.binary", "parent", "args"), an action
// (INCLUDE keeps only the listed fields, EXCLUDE removes them) and the event types it applies
// to (event_set; empty = all; invert_event_set flips it). For one event, the INCLUDE paths of
// every applicable filter are kept together, then every applicable EXCLUDE is removed (an
// exclusion wins over an inclusion). node_name and time are never touched.
// A path naming no field of any event type the filter applies to is INVALID_ARGUMENT.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <octagon/base/result.h>
#include <tetragon/events.pb.h>

namespace octagon::api {

class FieldFilters {
public:
  static Result<FieldFilters>
  create(const google::protobuf::RepeatedPtrField<tetragon::FieldFilter>& filters);

  bool empty() const { return filters_.empty(); }
  // Applies the filters to `event` in place.
  void apply(tetragon::GetEventsResponse& event) const;
  // The same, on one line of the JSON exporter ({"process_exec":{...},"node_name":...}, keys =
  // proto field names): writes to `out` the line without the removed members, every kept byte
  // as it was (field_filter_json.cpp). Returns false, `out` untouched, when no filter applies
  // to the event or the line is not such an object: the caller keeps `line` as it is.
  bool apply_json(std::string_view line, std::string& out) const;

private:
  struct Compiled {
    std::vector<int> event_set; // GetEventsResponse oneof numbers
    bool invert = false;
    bool include = true;
    std::vector<std::vector<std::string>> paths; // split at '.'
  };
  bool applies(const Compiled& f, int event_case) const;
  std::vector<Compiled> filters_;
};

} // namespace octagon::api
