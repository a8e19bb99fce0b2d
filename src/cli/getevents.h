// `octagon getevents`: Tetragon's `tetra getevents`. Streams events from the agent's gRPC API,
// or, when stdin is a pipe or a regular file (`octagon getevents -o compact < events.log`),
// reads JSON events from it line by line. The same filters apply to both (server-side for the
// stream, locally for stdin).
#pragma once

#include <string>
#include <vector>

#include <octagon/base/result.h>
#include <tetragon/events.pb.h>

namespace octagon::cli {

struct GetEventsOptions {
  bool compact = false;         // -o compact (default json)
  std::string server_address;   // default api::kDefaultServerAddress
  std::vector<int> event_types; // -e: tetragon::EventType values
  std::vector<std::string> process_regex, pod_regex, namespaces, policy_names;
  std::vector<std::string> include_fields, exclude_fields; // -f / -F (field_filters)
  bool timestamps = false;
  enum class Color { kAuto, kAlways, kNever } color = Color::kAuto;
  bool reconnect = false;
  unsigned reconnect_wait_s = 2;
  bool help = false;
};

// Errors name the flag; unknown flags and event types are errors.
Result<GetEventsOptions> parse_getevents_args(const std::vector<std::string>& args);
// The request the options describe: one allow filter with every given field (AND), as tetra,
// and one INCLUDE / EXCLUDE field filter for -f / -F.
tetragon::GetEventsRequest build_request(const GetEventsOptions& options);
std::string getevents_usage();

int run_getevents(const std::vector<std::string>& args);

} // namespace octagon::cli
