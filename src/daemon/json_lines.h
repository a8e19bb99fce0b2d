// Options whose value is newline-separated JSON objects of a Tetragon protobuf message
// (protojson with proto or JSON field names), as Tetragon's --redaction-filters and
// --field-filters take them. Blank lines are skipped; an unknown field is an error.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <octagon/base/result.h>

namespace octagon::daemon {

// Parses every line of `text` as a `Msg` and passes it to `check` (Result<void>(const Msg&)).
// Errors name the 1-based line and the cause: "line 2: not a RedactionFilter object: ...",
// "line 3: <check's message>". They do not name the flag (the caller does).
template <typename Msg, typename Check>
Result<std::vector<Msg>> parse_json_lines(std::string_view text, const char* message_name,
                                          Check check) {
  std::vector<Msg> out;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
      line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
      line.remove_prefix(1);
    if (line.empty())
      continue;
    const std::string where = "line " + std::to_string(line_no) + ": ";
    Msg msg;
    auto status = google::protobuf::util::JsonStringToMessage(std::string(line), &msg, options);
    if (!status.ok()) {
      return make_error(EINVAL, where + "not a " + message_name + " object: " +
                                    std::string(status.message()));
    }
    Result<void> r = check(msg);
    if (!r)
      return make_error(EINVAL, where + r.error().message());
    out.push_back(std::move(msg));
  }
  return out;
}

} // namespace octagon::daemon
