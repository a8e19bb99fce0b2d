// protojson rendering of Tetragon's KprobeArgument (the `args`/`return` entries of
// process_kprobe, process_tracepoint, process_uprobe).
#pragma once

#include <octagon/events/policy_event.h>

#include <string>
#include <string_view>

namespace octagon::exporters {

// Appends one KprobeArgument object: exactly one member of the `arg` oneof, then "label" when
// non-empty (field 18, declared after the oneof), e.g.
//   {"int_arg":0}  {"size_arg":"4096","label":"count"}  {"bytes_arg":"AAEC/w=="}
//   {"file_arg":{"path":"/etc/passwd","permission":"-rw-r--r--"}}
//   {"truncated_bytes_arg":{"bytes_arg":"aGk=","orig_size":"5000"}}
//   {"syscall_id":{"id":257,"abi":"x64"}}  {"capability_arg":{"value":21,"name":"CAP_SYS_ADMIN"}}
// protojson rules: the oneof member itself is printed even when zero or empty (it is set); inside
// a sub-message zero scalars and empty strings are omitted, except wrapper fields
// (capability_arg.value, an Int32Value). int_arg/uint_arg are 32-bit JSON numbers, long_arg,
// size_arg and orig_size 64-bit JSON strings, bytes standard base64 with padding.
// capability_arg.name is Argument::s when set, else Tetragon's name for the value (empty names
// are omitted).
void append_argument_json(const events::Argument& arg, std::string& out);

// Appends standard base64 (RFC 4648, padded) of `bytes`, without quotes.
void append_base64(std::string& out, std::string_view bytes);

} // namespace octagon::exporters

namespace octagon::exporters::json_detail {
// The kernel-object members of the oneof (sock_arg, skb_arg, user_ns_arg, kernel_cap_t_arg and
// cap_*_arg, bpf_attr_arg, bpf_prog_arg, bpf_map_arg, perf_event_arg, module_arg), without the
// closing brace of the KprobeArgument (kobject_json.cpp). False for other kinds.
bool append_kobject_json(const events::Argument& arg, std::string& out);
// UserNamespace{level, uid, gid, ns{inum, is_host}} of the argument's userns_* fields.
void put_user_namespace(const events::Argument& arg, std::string& out);
} // namespace octagon::exporters::json_detail
