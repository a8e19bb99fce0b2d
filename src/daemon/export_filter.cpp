#include <octagon/daemon/export_filter.h>

#include <cerrno>

#include <google/protobuf/util/json_util.h>

namespace octagon::daemon {

Result<google::protobuf::RepeatedPtrField<tetragon::Filter>> parse_filter_lines(std::string_view text) {
  google::protobuf::RepeatedPtrField<tetragon::Filter> filters;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  size_t line_no = 0;
  while (!text.empty() || line_no == 0) {
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
    tetragon::Filter filter;
    auto status = google::protobuf::util::JsonStringToMessage(std::string(line), &filter, options);
    if (!status.ok()) {
      return make_error(EINVAL, "line " + std::to_string(line_no) + ": not a Filter object: " +
                                    std::string(status.message()));
    }
    // Compile this line alone, so that a bad regex or unsupported field names its line.
    google::protobuf::RepeatedPtrField<tetragon::Filter> one, none;
    *one.Add() = filter;
    auto compiled = api::EventFilter::create(one, none);
    if (!compiled)
      return make_error(EINVAL, "line " + std::to_string(line_no) + ": " + compiled.error().message());
    *filters.Add() = std::move(filter);
  }
  return filters;
}

Result<std::unique_ptr<ExportFilter>>
ExportFilter::create(std::string_view allowlist, std::string_view denylist,
                     api::EventToProto converter) {
  auto allow = parse_filter_lines(allowlist);
  if (!allow)
    return make_error(EINVAL, "--export-allowlist: " + allow.error().message());
  auto deny = parse_filter_lines(denylist);
  if (!deny)
    return make_error(EINVAL, "--export-denylist: " + deny.error().message());
  if (allow->empty() && deny->empty())
    return std::unique_ptr<ExportFilter>();
  OCTAGON_ASSIGN_OR_RETURN(auto filter, api::EventFilter::create(*allow, *deny));
  return std::unique_ptr<ExportFilter>(new ExportFilter(std::move(filter), std::move(converter)));
}

} // namespace octagon::daemon
