#include <octagon/sensors/generic/kobject_decoder.h>

#include <abi/generic.h>
#include <arpa/inet.h>
#include <bpf/libbpf.h>

#include <cctype>
#include <cstring>

namespace octagon::sensors {
namespace {

using events::Argument;

template <typename T>
bool load(std::string_view raw, T& out, Argument& a, const char* what) {
  if (raw.size() < sizeof(T)) {
    a.kind = Argument::Kind::kError;
    a.s = std::string(what) + " argument record too short";
    return false;
  }
  memcpy(&out, raw.data(), sizeof(T));
  return true;
}

std::string addr_text(uint16_t family, const uint8_t* addr) {
  char text[INET6_ADDRSTRLEN] = {};
  if (family == AF_INET) inet_ntop(AF_INET, addr, text, sizeof(text));
  else if (family == AF_INET6) inet_ntop(AF_INET6, addr, text, sizeof(text));
  return text;
}

// A NUL-terminated name in a fixed array.
template <size_t N>
std::string fixed_name(const char (&s)[N]) {
  return std::string(s, strnlen(s, N));
}

// "kprobe" -> "BPF_PROG_TYPE_KPROBE".
std::string upper_with(const char* prefix, const char* name) {
  std::string out = prefix;
  for (const char* c = name; *c; c++) out.push_back(char(std::toupper(static_cast<unsigned char>(*c))));
  return out;
}

void decode_sock(std::string_view raw, Argument& a) {
  oct_gen_ksock k;
  if (!load(raw, k, a, "sock")) return;
  a.family = family_text(k.family);
  a.obj.type = sock_type_text(k.type);
  a.obj.protocol = ip_protocol_text(k.protocol);
  a.obj.state = tcp_state_text(k.state);
  a.obj.mark = k.mark;
  a.obj.priority = k.priority;
  a.obj.saddr = addr_text(k.family, k.saddr);
  a.obj.daddr = addr_text(k.family, k.daddr);
  a.obj.sport = k.sport;
  a.obj.dport = k.dport;
  a.obj.cookie = k.cookie;
}

void decode_skb(std::string_view raw, Argument& a) {
  oct_gen_kskb k;
  if (!load(raw, k, a, "skb")) return;
  a.obj.hash = k.hash;
  a.obj.len = k.len;
  a.obj.priority = k.priority;
  a.obj.mark = k.mark;
  a.obj.saddr = addr_text(k.family, k.saddr);
  a.obj.daddr = addr_text(k.family, k.daddr);
  a.obj.sport = k.sport;
  a.obj.dport = k.dport;
  a.obj.proto = k.proto;
  a.obj.sec_path_len = k.sec_path_len;
  a.obj.sec_path_olen = k.sec_path_olen;
  if (k.family) {
    a.obj.protocol = ip_protocol_text(k.proto);
    a.family = family_text(k.family);
  }
}

}  // namespace

std::string family_text(uint16_t family) {
  switch (family) {
    case AF_UNSPEC: return "AF_UNSPEC";
    case AF_UNIX: return "AF_UNIX";
    case AF_INET: return "AF_INET";
    case AF_INET6: return "AF_INET6";
    case AF_NETLINK: return "AF_NETLINK";
    case AF_PACKET: return "AF_PACKET";
    default: return std::to_string(family);
  }
}

std::string sock_type_text(uint16_t type) {
  static const char* const kNames[] = {nullptr, "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM",
                                       "SOCK_SEQPACKET", "SOCK_DCCP"};
  if (type < std::size(kNames) && kNames[type]) return kNames[type];
  if (type == 10) return "SOCK_PACKET";
  return std::to_string(type);
}

std::string ip_protocol_text(uint16_t proto) {
  switch (proto) {
    case 0: return "IPPROTO_IP";
    case 1: return "IPPROTO_ICMP";
    case 2: return "IPPROTO_IGMP";
    case 6: return "IPPROTO_TCP";
    case 17: return "IPPROTO_UDP";
    case 41: return "IPPROTO_IPV6";
    case 47: return "IPPROTO_GRE";
    case 50: return "IPPROTO_ESP";
    case 51: return "IPPROTO_AH";
    case 58: return "IPPROTO_ICMPV6";
    case 132: return "IPPROTO_SCTP";
    case 136: return "IPPROTO_UDPLITE";
    case 255: return "IPPROTO_RAW";
    case 262: return "IPPROTO_MPTCP";
    default: return std::to_string(proto);
  }
}

std::string tcp_state_text(uint8_t state) {
  static const char* const kNames[] = {nullptr,         "TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV",
                                       "TCP_FIN_WAIT1", "TCP_FIN_WAIT2",   "TCP_TIME_WAIT", "TCP_CLOSE",
                                       "TCP_CLOSE_WAIT", "TCP_LAST_ACK",   "TCP_LISTEN",   "TCP_CLOSING",
                                       "TCP_NEW_SYN_RECV"};
  if (state < std::size(kNames) && kNames[state]) return kNames[state];
  return std::to_string(state);
}

std::string bpf_prog_type_text(uint32_t type) {
  const char* n = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(type));
  return n ? upper_with("BPF_PROG_TYPE_", n) : std::to_string(type);
}

std::string bpf_map_type_text(uint32_t type) {
  const char* n = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(type));
  return n ? upper_with("BPF_MAP_TYPE_", n) : std::to_string(type);
}

std::string perf_type_text(uint32_t type) {
  static const char* const kNames[] = {"PERF_TYPE_HARDWARE", "PERF_TYPE_SOFTWARE", "PERF_TYPE_TRACEPOINT",
                                       "PERF_TYPE_HW_CACHE", "PERF_TYPE_RAW",      "PERF_TYPE_BREAKPOINT"};
  if (type < std::size(kNames)) return kNames[type];
  return std::to_string(type);  // a dynamic PMU (kprobe, uprobe...): its number
}

uint64_t module_taint_bits(uint64_t taints) {
  // TAINT_PROPRIETARY_MODULE 0, FORCED_MODULE 1, FORCED_RMMOD 3, CRAP 10, OOT_MODULE 12,
  // UNSIGNED_MODULE 13, LIVEPATCH 15, TEST 18: the bits TaintedBitsType names.
  constexpr uint64_t kNamed = (1u << 0) | (1u << 1) | (1u << 3) | (1u << 10) | (1u << 12) | (1u << 13) |
                              (1u << 15) | (1u << 18);
  return taints & kNamed;
}

void decode_cap_set_arg(std::string_view raw, Argument& a) {
  uint64_t v = 0;
  if (!load(raw, v, a, "kernel_cap_t")) return;
  a.u = v;
}

bool decode_kobject_arg(std::string_view raw, uint8_t capture, Argument& a) {
  switch (capture) {
    case OCT_GA_SOCK: decode_sock(raw, a); return true;
    case OCT_GA_SKB: decode_skb(raw, a); return true;
    case OCT_GA_USER_NS: {
      oct_gen_kuserns k;
      if (!load(raw, k, a, "user_namespace")) return true;
      a.userns_level = k.level;
      a.userns_uid = k.uid;
      a.userns_gid = k.gid;
      a.userns_inum = k.inum;
      return true;
    }
    case OCT_GA_BPF_ATTR:
    case OCT_GA_BPF_PROG: {
      oct_gen_kbpf_prog k;
      if (!load(raw, k, a, "bpf program")) return true;
      a.obj.type = bpf_prog_type_text(k.prog_type);
      a.obj.insn_cnt = k.insn_cnt;
      a.s = fixed_name(k.name);
      return true;
    }
    case OCT_GA_BPF_MAP: {
      oct_gen_kbpf_map k;
      if (!load(raw, k, a, "bpf_map")) return true;
      a.obj.type = bpf_map_type_text(k.map_type);
      a.obj.key_size = k.key_size;
      a.obj.value_size = k.value_size;
      a.obj.max_entries = k.max_entries;
      a.s = fixed_name(k.name);
      return true;
    }
    case OCT_GA_PERF_EVENT: {
      oct_gen_kperf_event k;
      if (!load(raw, k, a, "perf_event")) return true;
      a.obj.type = perf_type_text(k.type);
      a.obj.config = k.config;
      a.obj.probe_offset = k.probe_offset;
      a.s = fixed_name(k.kprobe_func);
      return true;
    }
    case OCT_GA_MODULE:
    case OCT_GA_LOAD_INFO: {
      oct_gen_kmodule k;
      if (!load(raw, k, a, "module")) return true;
      a.s = fixed_name(k.name);
      a.obj.has_signature = k.has_sig;
      a.obj.signature_ok = k.sig_ok;
      a.obj.tainted = module_taint_bits(k.taints);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace octagon::sensors
