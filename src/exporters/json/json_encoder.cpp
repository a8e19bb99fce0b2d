#include <octagon/exporters/json/json_encoder.h>

#include <octagon/exporters/json/capability_json.h>
#include <octagon/exporters/json/escape.h>
#include <octagon/exporters/json/json_put.h>
#include <octagon/exporters/json/tetragon_names.h>

#include <array>
#include <bit>
#include <charconv>
#include <cstring>
#include <type_traits>

namespace octagon::exporters {

using namespace json_detail;

namespace {

using events::Process;

} // namespace

JsonEncoder::JsonEncoder(std::string_view node_name, const events::RenderOptions& options)
    : options_(options) {
  // Built with put() rather than operator=: GCC 12 raises a false -Wrestrict on the latter.
  node_tail_.push_back('}');
  if (!node_name.empty()) {
    put(node_tail_, ",\"node_name\":");
    append_json_string(node_tail_, node_name);
  }
  put(node_tail_, ",\"time\":\"");
}

void JsonEncoder::append_namespaces(const events::Namespaces& ns, std::string& out) const {
  struct Entry {
    std::string_view key; // `"name":{`, with the separating comma when not first
    uint32_t events::Namespaces::*field;
  };
  static constexpr Entry kEntries[] = {
      {"\"uts\":{", &events::Namespaces::uts},
      {",\"ipc\":{", &events::Namespaces::ipc},
      {",\"mnt\":{", &events::Namespaces::mnt},
      {",\"pid\":{", &events::Namespaces::pid},
      {",\"pid_for_children\":{", &events::Namespaces::pid_for_children},
      {",\"net\":{", &events::Namespaces::net},
      {",\"time\":{", &events::Namespaces::time},
      {",\"time_for_children\":{", &events::Namespaces::time_for_children},
      {",\"cgroup\":{", &events::Namespaces::cgroup},
      {",\"user\":{", &events::Namespaces::user},
  };
  // Assembled in a stack buffer, appended once. Longest entry: 23 + 7 + 10 + 15 + 1 bytes.
  char buf[10 * 56 + 8];
  char* w = copy_to(buf, ",\"ns\":{");
  for (const Entry& e : kEntries) {
    w = copy_to(w, e.key);
    const uint32_t inum = ns.*e.field;
    if (inum != 0) {
      w = copy_to(w, "\"inum\":");
      w = std::to_chars(w, buf + sizeof(buf), inum).ptr;
      if (have_host_ns_ && host_ns_.*e.field == inum)
        w = copy_to(w, ",\"is_host\":true");
    }
    *w++ = '}';
  }
  *w++ = '}';
  out.append(buf, static_cast<size_t>(w - buf));
}

// Memo keys are compared bytewise: both structs are plain integers without padding.
static_assert(std::has_unique_object_representations_v<events::Capabilities>);
static_assert(std::has_unique_object_representations_v<events::Namespaces>);

template <typename Key, typename Render>
const std::string& JsonEncoder::memoized(Memo<Key> (&memo)[2], unsigned& next, const Key& key,
                                         Render&& render) {
  for (const Memo<Key>& m : memo) {
    if (m.valid && std::memcmp(&m.key, &key, sizeof(Key)) == 0)
      return m.json;
  }
  Memo<Key>& m = memo[next];
  next ^= 1;
  m.key = key;
  m.json.clear();
  render(m.json);
  m.valid = true;
  return m.json;
}

void JsonEncoder::append_caps(const events::Capabilities& cap, std::string& out) {
  put(out, ",\"cap\":{");
  bool first = true;
  put_cap_list(out, "\"permitted\":", cap.permitted, first);
  put_cap_list(out, "\"effective\":", cap.effective, first);
  put_cap_list(out, "\"inheritable\":", cap.inheritable, first);
  out.push_back('}');
}

void JsonEncoder::append_process(const Process& p, bool binary_properties, std::string& out) {
  out.push_back('{');
  if (!p.exec_id.empty()) {
    put(out, "\"exec_id\":");
    append_json_string(out, p.exec_id);
    out.push_back(',');
  }
  put(out, "\"pid\":");
  put_uint(out, p.pid);
  put(out, ",\"uid\":");
  put_uint(out, p.creds.euid);
  put_string_field(out, ",\"cwd\":", p.cwd);
  put_string_field(out, ",\"binary\":", p.binary);
  put_string_field(out, ",\"arguments\":", p.arguments);
  if (p.flags != 0) {
    put(out, ",\"flags\":\"");
    append_process_flags(p.flags, out);
    out.push_back('"');
  }
  put(out, ",\"start_time\":\"");
  const int64_t start = static_cast<int64_t>(p.start_ktime) + boot_to_wall_ns_;
  start_time_.append_proto(out, start > 0 ? static_cast<uint64_t>(start) : 0);
  put(out, "\",\"auid\":");
  put_uint(out, p.auid);
  put_string_field(out, ",\"docker\":", p.docker);
  put_string_field(out, ",\"parent_exec_id\":", p.parent_exec_id);
  if (options_.include_refcnt && p.refcnt != 0) {
    put(out, ",\"refcnt\":");
    put_uint(out, p.refcnt);
  }
  if (options_.include_cap) {
    out.append(
        memoized(cap_memo_, cap_memo_next_, p.cap, [&](std::string& o) { append_caps(p.cap, o); }));
  }
  if (options_.include_ns) {
    out.append(memoized(ns_memo_, ns_memo_next_, p.ns,
                        [&](std::string& o) { append_namespaces(p.ns, o); }));
  }
  put(out, ",\"tid\":");
  put_uint(out, p.tid);
  if (options_.include_creds) {
    const events::Credentials& c = p.creds;
    put(out, ",\"process_credentials\":{\"uid\":");
    put_uint(out, c.uid);
    put(out, ",\"gid\":");
    put_uint(out, c.gid);
    put(out, ",\"euid\":");
    put_uint(out, c.euid);
    put(out, ",\"egid\":");
    put_uint(out, c.egid);
    put(out, ",\"suid\":");
    put_uint(out, c.suid);
    put(out, ",\"sgid\":");
    put_uint(out, c.sgid);
    put(out, ",\"fsuid\":");
    put_uint(out, c.fsuid);
    put(out, ",\"fsgid\":");
    put_uint(out, c.fsgid);
    out.push_back('}');
  }
  const events::BinaryProperties& b = p.binary_properties;
  if (binary_properties && !b.empty()) {
    put(out, ",\"binary_properties\":{");
    bool first = true;
    auto sep = [&] {
      if (!first)
        out.push_back(',');
      first = false;
    };
    if (b.has_setuid) {
      sep();
      put(out, "\"setuid\":");
      put_uint(out, b.setuid);
    }
    if (b.has_setgid) {
      sep();
      put(out, "\"setgid\":");
      put_uint(out, b.setgid);
    }
    if (b.privileges_changed != 0) {
      sep();
      put(out, "\"privileges_changed\":[");
      bool first_priv = true;
      auto priv = [&](uint32_t bit, std::string_view name) {
        if ((b.privileges_changed & bit) == 0)
          return;
        if (!first_priv)
          out.push_back(',');
        first_priv = false;
        out.push_back('"');
        out.append(name);
        out.push_back('"');
      };
      priv(events::kPrivRaisedExecFileCap, "PRIVILEGES_RAISED_EXEC_FILE_CAP");
      priv(events::kPrivRaisedExecFileSetuid, "PRIVILEGES_RAISED_EXEC_FILE_SETUID");
      priv(events::kPrivRaisedExecFileSetgid, "PRIVILEGES_RAISED_EXEC_FILE_SETGID");
      out.push_back(']');
    }
    if (b.fileless) {
      sep();
      put(out, "\"file\":{\"inode\":{");
      if (b.inode != 0) {
        put(out, "\"number\":\"");
        put_uint(out, b.inode);
        put(out, "\",");
      }
      put(out, "\"links\":");
      put_uint(out, b.links);
      out.push_back('}');
      put_string_field(out, ",\"path\":", b.path);
      out.push_back('}');
    }
    out.push_back('}');
  }
  if (p.in_init_tree)
    put(out, ",\"in_init_tree\":true");
  else
    put(out, ",\"in_init_tree\":false");
  out.push_back('}');
}

void JsonEncoder::append_ancestors(const std::vector<const Process*>& ancestors, std::string& out) {
  bool first = true;
  for (const Process* a : ancestors) {
    if (a == nullptr)
      continue;
    if (first) {
      put(out, ",\"ancestors\":[");
    } else {
      out.push_back(',');
    }
    first = false;
    append_process(*a, false, out);
  }
  if (!first)
    out.push_back(']');
}

void JsonEncoder::append_tail(uint64_t time_ns, std::string& out) {
  out.append(node_tail_);
  event_time_.append_proto(out, time_ns);
  put(out, "\"}\n");
}

void JsonEncoder::encode(const events::ExecEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  put(out, "{\"process_exec\":{\"process\":");
  append_process(*event.process, true, out);
  if (event.parent != nullptr) {
    put(out, ",\"parent\":");
    append_process(*event.parent, false, out);
  }
  append_ancestors(event.ancestors, out);
  append_tail(event.time_ns, out);
}

void JsonEncoder::encode(const events::ExitEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  put(out, "{\"process_exit\":{\"process\":");
  append_process(*event.process, false, out);
  if (event.parent != nullptr) {
    put(out, ",\"parent\":");
    append_process(*event.parent, false, out);
  }
  const std::string_view sig = signal_name(event.signal);
  if (!sig.empty()) {
    put(out, ",\"signal\":\"");
    out.append(sig);
    out.push_back('"');
  }
  if (event.status != 0) {
    put(out, ",\"status\":");
    put_uint(out, event.status);
  }
  put(out, ",\"time\":\"");
  event_time_.append_proto(out, event.time_ns);
  out.push_back('"');
  append_ancestors(event.ancestors, out);
  append_tail(event.time_ns, out);
}

} // namespace octagon::exporters
