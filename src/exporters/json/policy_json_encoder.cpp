// JsonEncoder for the policy events: process_kprobe, process_tracepoint, process_uprobe,
// process_usdt, process_lsm, process_loader.
// Fields are written in proto declaration order (compat reference 2.2), with protojson's
// omission rules; process rendering is shared with exec/exit (json_encoder.cpp).
#include <octagon/exporters/json/json_encoder.h>

#include <octagon/exporters/json/argument_json.h>
#include <octagon/exporters/json/escape.h>
#include <octagon/exporters/json/json_put.h>
#include <octagon/exporters/json/tetragon_names.h>

namespace octagon::exporters {

using namespace json_detail;

namespace {

// `,"args":[…]` (or another repeated KprobeArgument field); omitted when empty.
void put_args(const std::vector<events::Argument>& args, std::string& out,
              std::string_view key = ",\"args\":[") {
  if (args.empty())
    return;
  out.append(key);
  bool first = true;
  for (const events::Argument& a : args) {
    if (!first)
      out.push_back(',');
    first = false;
    append_argument_json(a, out);
  }
  out.push_back(']');
}

// A KprobeAction field: omitted when 0 (KPROBE_ACTION_UNKNOWN, the enum default); by name, or
// as a number for values the enum does not name (protojson's rule for unknown enum values).
template <size_t N>
void put_action(const char (&key)[N], events::KprobeAction action, std::string& out) {
  const auto v = static_cast<uint32_t>(action);
  if (v == 0)
    return;
  put(out, key);
  const std::string_view name = kprobe_action_name(v);
  if (name.empty()) {
    put_uint(out, v);
    return;
  }
  out.push_back('"');
  out.append(name);
  out.push_back('"');
}

// `,"tags":["…",…]`; omitted when empty.
void put_tags(const std::vector<std::string>& tags, std::string& out) {
  if (tags.empty())
    return;
  put(out, ",\"tags\":[");
  bool first = true;
  for (const std::string& t : tags) {
    if (!first)
      out.push_back(',');
    first = false;
    append_json_string(out, t);
  }
  out.push_back(']');
}

// `,"<key>":[{"address":"…","offset":"…","symbol":"…","module":"…"},…]` (StackTraceEntry,
// uint64 as strings, zero values omitted); nothing when empty.
template <size_t N>
void put_stack(const char (&key)[N], const std::vector<events::StackTraceEntry>& frames,
               std::string& out) {
  if (frames.empty())
    return;
  put(out, key);
  out.push_back('[');
  bool first = true;
  for (const events::StackTraceEntry& f : frames) {
    if (!first)
      out.push_back(',');
    first = false;
    out.push_back('{');
    const size_t open = out.size();
    auto sep = [&] {
      if (out.size() != open)
        out.push_back(',');
    };
    if (f.address != 0) {
      sep();
      put(out, "\"address\":");
      put_quoted_uint(out, f.address);
    }
    if (f.offset != 0) {
      sep();
      put(out, "\"offset\":");
      put_quoted_uint(out, f.offset);
    }
    if (!f.symbol.empty()) {
      sep();
      put(out, "\"symbol\":");
      append_json_string(out, f.symbol);
    }
    if (!f.module.empty()) {
      sep();
      put(out, "\"module\":");
      append_json_string(out, f.module);
    }
    out.push_back('}');
  }
  out.push_back(']');
}

} // namespace

void JsonEncoder::append_policy_head(std::string_view open, const events::PolicyEventCommon& event,
                                     std::string& out) {
  out.append(open);
  append_process(*event.process, false, out);
  if (event.parent != nullptr) {
    put(out, ",\"parent\":");
    append_process(*event.parent, false, out);
  }
}

// ProcessKprobe: process=1, parent=2, function_name=3, args=4, return=5, action=6,
// kernel_stack_trace=7, policy_name=8, return_action=9, message=10, tags=11,
// user_stack_trace=12, ancestors=13, data=14.
void JsonEncoder::encode(const events::KprobeEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  append_policy_head("{\"process_kprobe\":{\"process\":", event, out);
  put_string_field(out, ",\"function_name\":", event.function_name);
  put_args(event.args, out);
  if (event.return_arg) {
    put(out, ",\"return\":");
    append_argument_json(*event.return_arg, out);
  }
  put_action(",\"action\":", event.action, out);
  put_stack(",\"kernel_stack_trace\":", event.kernel_stack_trace, out);
  put_string_field(out, ",\"policy_name\":", event.policy_name);
  put_action(",\"return_action\":", event.return_action, out);
  put_string_field(out, ",\"message\":", event.message);
  put_tags(event.tags, out);
  put_stack(",\"user_stack_trace\":", event.user_stack_trace, out);
  append_ancestors(event.ancestors, out);
  put_args(event.data, out, ",\"data\":[");
  append_tail(event.time_ns, out);
}

// ProcessTracepoint: process=1, parent=2, subsys=4, event=5, args=6, policy_name=7, action=8,
// message=9, tags=10, ancestors=11.
void JsonEncoder::encode(const events::TracepointEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  append_policy_head("{\"process_tracepoint\":{\"process\":", event, out);
  put_string_field(out, ",\"subsys\":", event.subsys);
  put_string_field(out, ",\"event\":", event.event);
  put_args(event.args, out);
  put_string_field(out, ",\"policy_name\":", event.policy_name);
  put_action(",\"action\":", event.action, out);
  put_string_field(out, ",\"message\":", event.message);
  put_tags(event.tags, out);
  append_ancestors(event.ancestors, out);
  append_tail(event.time_ns, out);
}

// ProcessUprobe: process=1, parent=2, path=3, symbol=4, policy_name=5, message=6, args=7, tags=8,
// ancestors=9, offset=10 (uint64), (ref_ctr_offset=11), action=12, (data=13).
void JsonEncoder::encode(const events::UprobeEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  append_policy_head("{\"process_uprobe\":{\"process\":", event, out);
  put_string_field(out, ",\"path\":", event.path);
  put_string_field(out, ",\"symbol\":", event.symbol);
  put_string_field(out, ",\"policy_name\":", event.policy_name);
  put_string_field(out, ",\"message\":", event.message);
  put_args(event.args, out);
  put_tags(event.tags, out);
  append_ancestors(event.ancestors, out);
  if (event.offset != 0) {
    put(out, ",\"offset\":");
    put_quoted_uint(out, event.offset);
  }
  if (event.ref_ctr_offset != 0) {
    put(out, ",\"ref_ctr_offset\":");
    put_quoted_uint(out, event.ref_ctr_offset);
  }
  put_action(",\"action\":", event.action, out);
  // Uretprobe values (return: true): named as in process_kprobe. The compat reference's
  // ProcessUprobe has no such field yet, so it comes after every declared one.
  if (event.return_arg) {
    put(out, ",\"return\":");
    append_argument_json(*event.return_arg, out);
  }
  append_tail(event.time_ns, out);
}

// ProcessUsdt: process=1, parent=2, path=3, provider=4, name=5, policy_name=6, message=7,
// args=8, tags=9, ancestors=10, action=11, (flags=12).
void JsonEncoder::encode(const events::UsdtEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  append_policy_head("{\"process_usdt\":{\"process\":", event, out);
  put_string_field(out, ",\"path\":", event.path);
  put_string_field(out, ",\"provider\":", event.provider);
  put_string_field(out, ",\"name\":", event.name);
  put_string_field(out, ",\"policy_name\":", event.policy_name);
  put_string_field(out, ",\"message\":", event.message);
  put_args(event.args, out);
  put_tags(event.tags, out);
  append_ancestors(event.ancestors, out);
  put_action(",\"action\":", event.action, out);
  append_tail(event.time_ns, out);
}

// ProcessLsm: process=1, parent=2, function_name=3, policy_name=5, message=6, args=7, action=8,
// tags=9, ancestors=10, ima_hash=11.
void JsonEncoder::encode(const events::LsmEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  append_policy_head("{\"process_lsm\":{\"process\":", event, out);
  put_string_field(out, ",\"function_name\":", event.function_name);
  put_string_field(out, ",\"policy_name\":", event.policy_name);
  put_string_field(out, ",\"message\":", event.message);
  put_args(event.args, out);
  put_action(",\"action\":", event.action, out);
  put_tags(event.tags, out);
  append_ancestors(event.ancestors, out);
  put_string_field(out, ",\"ima_hash\":", event.ima_hash);
  append_tail(event.time_ns, out);
}

// ProcessLoader: process=1, path=2, buildid=3 (bytes: base64), parent=4, ancestors=5.
void JsonEncoder::encode(const events::LoaderEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  put(out, "{\"process_loader\":{\"process\":");
  append_process(*event.process, false, out);
  put_string_field(out, ",\"path\":", event.path);
  if (!event.buildid.empty()) {
    put(out, ",\"buildid\":\"");
    append_base64(out, event.buildid);
    out.push_back('"');
  }
  if (event.parent != nullptr) {
    put(out, ",\"parent\":");
    append_process(*event.parent, false, out);
  }
  append_ancestors(event.ancestors, out);
  append_tail(event.time_ns, out);
}

} // namespace octagon::exporters
