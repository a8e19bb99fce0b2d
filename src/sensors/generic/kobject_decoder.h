// Decoding of the kernel-object captures of kernel-function and raw tracepoint arguments
// (sock/socket, skb, user_namespace, bpf_attr, bpf_prog, bpf_map, perf_event, module,
// load_info: the abi/generic.h struct oct_gen_k* records) into Tetragon's argument fields.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <octagon/events/policy_event.h>

namespace octagon::sensors {

// Fills `a` from a capture of kind `capture` (enum oct_gen_arg_kind OCT_GA_SOCK..
// OCT_GA_LOAD_INFO); false when the capture is of another kind. A record too short for its
// struct becomes an error_arg.
bool decode_kobject_arg(std::string_view raw, uint8_t capture, events::Argument& a);

// 8 bytes of a kernel_cap_t capture (kernel_cap_t_arg, cap_*_arg) as the set's bits.
void decode_cap_set_arg(std::string_view raw, events::Argument& a);

// Names Tetragon shows: "AF_INET", "SOCK_STREAM", "IPPROTO_TCP", "TCP_ESTABLISHED",
// "BPF_PROG_TYPE_KPROBE", "BPF_MAP_TYPE_HASH", "PERF_TYPE_TRACEPOINT" (the number as text
// for values without a name).
std::string family_text(uint16_t family);
std::string sock_type_text(uint16_t type);
std::string ip_protocol_text(uint16_t proto);
std::string tcp_state_text(uint8_t state);
std::string bpf_prog_type_text(uint32_t type);
std::string bpf_map_type_text(uint32_t type);
std::string perf_type_text(uint32_t type);
// Kernel taint bits (1 << TAINT_*) that Tetragon's TaintedBitsType names (module taints).
uint64_t module_taint_bits(uint64_t taints);

}  // namespace octagon::sensors
