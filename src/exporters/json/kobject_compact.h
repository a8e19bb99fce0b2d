// Compact lines of kprobes whose arguments are kernel objects, as Tetragon prints them:
//   🔌 connect <proc> tcp 10.0.0.1:34965 -> 10.0.0.2:80        (tcp_connect, sock)
//   📤 sendmsg <proc> tcp ... bytes 73                         (tcp_sendmsg, sock + size)
//   🧹 close   <proc> tcp ...                                  (tcp_close, sock)
//   🐝 bpf_load <proc> BPF_PROG_TYPE_KPROBE prog instruction count 2048   (bpf_check, bpf_attr)
//   🐝 perf_event_alloc <proc> PERF_TYPE_TRACEPOINT commit_creds    (security_perf_event_alloc)
//   🗺 bpf_map_create <proc> BPF_MAP_TYPE_HASH map key size 8 value size 8 max entries 1024
//                                                   (security_bpf_map_alloc / _create, bpf_map)
#pragma once

#include <string>
#include <string_view>

#include <octagon/events/policy_event.h>

namespace octagon::exporters {

// The line's kind ("🔌 connect") and the text after the process, when `function` is one of
// these and its arguments have the object; false otherwise (the generic line is printed).
bool kobject_compact_line(std::string_view function, const std::vector<events::Argument>& args,
                          std::string_view& kind, std::string& details);

} // namespace octagon::exporters
