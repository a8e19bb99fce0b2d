#include <octagon/daemon/export_filter.h>

#include <cerrno>

#include <octagon/daemon/json_lines.h>

namespace octagon::daemon {

Result<google::protobuf::RepeatedPtrField<tetragon::Filter>> parse_filter_lines(std::string_view text) {
  // Each line is compiled alone, so that a bad regex or unsupported field names its line.
  auto lines = parse_json_lines<tetragon::Filter>(text, "Filter", [](const tetragon::Filter& f) -> Result<void> {
    google::protobuf::RepeatedPtrField<tetragon::Filter> one, none;
    *one.Add() = f;
    auto compiled = api::EventFilter::create(one, none);
    if (!compiled) return make_error(EINVAL, compiled.error().message());
    return ok();
  });
  if (!lines) return make_error(lines.error());
  google::protobuf::RepeatedPtrField<tetragon::Filter> filters;
  for (auto& f : *lines) *filters.Add() = std::move(f);
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
