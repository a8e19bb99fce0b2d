#include <octagon/daemon/export_fields.h>

#include <octagon/daemon/json_lines.h>

namespace octagon::daemon {

Result<std::unique_ptr<api::FieldFilters>> parse_field_filters(std::string_view text) {
  // Each line is compiled alone first, so that an error names its line.
  auto check = [](const tetragon::FieldFilter& f) -> Result<void> {
    google::protobuf::RepeatedPtrField<tetragon::FieldFilter> one;
    *one.Add() = f;
    auto compiled = api::FieldFilters::create(one);
    if (compiled)
      return ok();
    std::string msg = compiled.error().message();
    const std::string index = "field_filters[0]: ";
    if (msg.compare(0, index.size(), index) == 0)
      msg.erase(0, index.size());
    return make_error(EINVAL, msg);
  };
  OCTAGON_ASSIGN_OR_RETURN(auto lines,
                           parse_json_lines<tetragon::FieldFilter>(text, "FieldFilter", check));
  if (lines.empty())
    return std::unique_ptr<api::FieldFilters>();
  google::protobuf::RepeatedPtrField<tetragon::FieldFilter> all;
  for (auto& f : lines)
    *all.Add() = std::move(f);
  OCTAGON_ASSIGN_OR_RETURN(auto filters, api::FieldFilters::create(all));
  return std::make_unique<api::FieldFilters>(std::move(filters));
}

} // namespace octagon::daemon
