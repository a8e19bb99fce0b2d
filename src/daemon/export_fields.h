// --field-filters: newline-separated JSON FieldFilter objects (Tetragon's FieldFilter message,
// e.g. {"fields":"process.binary,parent.pod","event_set":["PROCESS_EXEC"],"action":"INCLUDE"}),
// applied to the lines of the JSON exporters (file, and stdout with --output json) with the
// semantics of a GetEvents request's field_filters (api::FieldFilters, api/field_filter_json.cpp).
// The compact stdout format is not filtered.
#pragma once

#include <memory>
#include <string_view>

#include <octagon/api/field_filter.h>
#include <octagon/base/result.h>

namespace octagon::daemon {

// Parses and compiles the option text. Errors name the 1-based line and the cause (bad JSON,
// unknown field or event type, a path that is in none of the events the filter applies to),
// not the flag. No filter in the text: returns null.
Result<std::unique_ptr<api::FieldFilters>> parse_field_filters(std::string_view text);

} // namespace octagon::daemon
