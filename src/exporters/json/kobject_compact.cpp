#include <octagon/exporters/json/kobject_compact.h>

#include <octagon/exporters/json/escape.h>

namespace octagon::exporters {

using events::Argument;

namespace {

const Argument* find(const std::vector<Argument>& args, Argument::Kind kind) {
  for (const Argument& a : args)
    if (a.kind == kind) return &a;
  return nullptr;
}

// "tcp 10.0.0.1:34965 -> 10.0.0.2:80"
void tuple(const Argument& s, std::string& out) {
  std::string proto = s.obj.protocol.starts_with("IPPROTO_") ? s.obj.protocol.substr(8) : s.obj.protocol;
  for (char& c : proto) c = char(std::tolower(static_cast<unsigned char>(c)));
  append_terminal_safe(out, proto);
  out.push_back(' ');
  append_terminal_safe(out, s.obj.saddr);
  out.append(":" + std::to_string(s.obj.sport) + " -> ");
  append_terminal_safe(out, s.obj.daddr);
  out.append(":" + std::to_string(s.obj.dport));
}

}  // namespace

bool kobject_compact_line(std::string_view fn, const std::vector<Argument>& args, std::string_view& kind,
                          std::string& details) {
  details.clear();
  if (fn == "tcp_connect" || fn == "tcp_sendmsg" || fn == "tcp_close") {
    const Argument* s = find(args, Argument::Kind::kSock);
    if (!s) return false;
    kind = fn == "tcp_connect" ? "🔌 connect" : fn == "tcp_sendmsg" ? "📤 sendmsg" : "🧹 close  ";
    tuple(*s, details);
    if (fn == "tcp_sendmsg") {
      const Argument* n = find(args, Argument::Kind::kInt);
      if (n) details += " bytes " + std::to_string(n->i);
      else if ((n = find(args, Argument::Kind::kSize))) details += " bytes " + std::to_string(n->u);
    }
    return true;
  }
  if (fn == "bpf_check") {
    const Argument* a = find(args, Argument::Kind::kBpfAttr);
    if (!a) return false;
    kind = "🐝 bpf_load";
    append_terminal_safe(details, a->obj.type);
    details.push_back(' ');
    append_terminal_safe(details, a->s);
    details += " instruction count " + std::to_string(a->obj.insn_cnt);
    return true;
  }
  if (fn == "security_perf_event_alloc") {
    const Argument* a = find(args, Argument::Kind::kPerfEvent);
    if (!a) return false;
    kind = "🐝 perf_event_alloc";
    append_terminal_safe(details, a->obj.type);
    details.push_back(' ');
    append_terminal_safe(details, a->s);
    return true;
  }
  if (fn == "security_bpf_map_alloc" || fn == "security_bpf_map_create") {
    const Argument* a = find(args, Argument::Kind::kBpfMap);
    if (!a) return false;
    kind = "🗺 bpf_map_create";
    append_terminal_safe(details, a->obj.type);
    details.push_back(' ');
    append_terminal_safe(details, a->s);
    details += " key size " + std::to_string(a->obj.key_size) + " value size " + std::to_string(a->obj.value_size) +
               " max entries " + std::to_string(a->obj.max_entries);
    return true;
  }
  return false;
}

} // namespace octagon::exporters
