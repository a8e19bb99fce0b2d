// matchArgs network operators on sockaddr arguments and on sock, socket and skb ones, compiled
// for the kernel (bpf/lib/filter/sockaddr.bpf.h, knet.bpf.h): address CIDRs go to the hook's
// LPM trie, ports to the filter's (min, max) value pairs or its InMap set, families, protocols
// and TCP states to its values.
#include <cstring>
#include <optional>

#include <octagon/policy/compile_internal.h>
#include <octagon/policy/net_values.h>

namespace octagon::policy::detail {
namespace {

using AO = ArgOperator;

SourcePos value_pos(const ArgFilter& f, size_t i) {
  return field_pos(f.pos, "values[" + std::to_string(i) + "]");
}

Result<void> need_values(const TracingPolicy& p, const ArgFilter& f) {
  if (!f.values.empty()) return ok();
  return make_error(policy_error(p, field_pos(f.pos, "values"),
                                 "operator " + std::string(enum_name(f.op)) + " needs values"));
}

// Family, Protocol and State: up to 4 names or numbers, each parsed by `parse`.
Result<void> compile_named_values(const TracingPolicy& p, const ArgFilter& f, oct_gen_filter& out,
                                  std::optional<uint16_t> (*parse)(std::string_view, NetValueError&)) {
  OCTAGON_TRY(need_values(p, f));
  if (f.values.size() > OCT_GEN_MAX_VALUES)
    return make_error(policy_error(p, field_pos(f.pos, "values"),
                                   "at most " + std::to_string(OCT_GEN_MAX_VALUES) + " values of " +
                                       std::string(enum_name(f.op)) + " in one filter",
                                   "split them across selectors"));
  for (size_t i = 0; i < f.values.size(); i++) {
    NetValueError err;
    auto value = parse(f.values[i], err);
    if (!value) return make_error(policy_error(p, value_pos(f, i), err.problem, err.hint));
    out.ivals[2 * i] = *value;
  }
  out.nvals = uint8_t(f.values.size());
  return ok();
}

// Up to 4 values: all (min, max) pairs. More: single ports join the filter's InMap set and
// ranges stay pairs (at most 4 of them).
Result<void> compile_ports(const TracingPolicy& p, const ArgFilter& f, uint32_t set, oct_gen_filter& out,
                           std::vector<oct_gen_inmap_key>& inmap) {
  OCTAGON_TRY(need_values(p, f));
  const bool all_pairs = f.values.size() <= OCT_GEN_MAX_VALUES;
  for (size_t i = 0; i < f.values.size(); i++) {
    NetValueError err;
    auto r = parse_port(f.values[i], err);
    if (!r) return make_error(policy_error(p, value_pos(f, i), err.problem, err.hint));
    if (!all_pairs && r->min == r->max) {
      if (inmap.size() >= OCT_GEN_INMAP_MAX)
        return make_error(policy_error(p, value_pos(f, i), "more than " + std::to_string(OCT_GEN_INMAP_MAX) +
                                                               " InMap values and ports in one hook"));
      oct_gen_inmap_key k{};
      k.set = set;
      k.value = r->min;
      inmap.push_back(k);
      continue;
    }
    if (out.nvals >= OCT_GEN_MAX_VALUES)
      return make_error(policy_error(p, value_pos(f, i),
                                     "more than " + std::to_string(OCT_GEN_MAX_VALUES) + " port ranges in one filter",
                                     "merge ranges, list single ports, or split the filter across selectors"));
    out.ivals[2 * out.nvals] = r->min;
    out.ivals[2 * out.nvals + 1] = r->max;
    out.nvals++;
  }
  return ok();
}

Result<void> compile_cidrs(const TracingPolicy& p, const ArgFilter& f, uint32_t set,
                           std::vector<oct_gen_lpm_key>* lpm) {
  if (!lpm)
    return make_error(policy_error(p, field_pos(f.pos, "operator"),
                                   std::string(enum_name(f.op)) + " is not supported on this hook type yet",
                                   "use it on a syscall or perf tracepoint hook"));
  OCTAGON_TRY(need_values(p, f));
  for (size_t i = 0; i < f.values.size(); i++) {
    NetValueError err;
    auto c = parse_cidr(f.values[i], err);
    if (!c) return make_error(policy_error(p, value_pos(f, i), err.problem, err.hint));
    if (lpm->size() >= OCT_GEN_BINARIES_MAX)
      return make_error(policy_error(p, value_pos(f, i), "more than " + std::to_string(OCT_GEN_BINARIES_MAX) +
                                                             " addresses, InMap strings and binary paths in one hook"));
    oct_gen_lpm_key k{};
    k.data[0] = uint8_t(OCT_GEN_LPM_ADDR_BASE + set);
    k.data[1] = c->bytes == 4 ? 4 : 6;
    memcpy(&k.data[2], c->addr, c->bytes);
    k.prefixlen = 16u + c->prefix;
    lpm->push_back(k);
  }
  return ok();
}

uint8_t net_op(AO op) {
  switch (op) {
    case AO::kSAddr: return OCT_OP_SADDR;
    case AO::kNotSAddr: return OCT_OP_NOTSADDR;
    case AO::kDAddr: return OCT_OP_DADDR;
    case AO::kNotDAddr: return OCT_OP_NOTDADDR;
    case AO::kSPort: return OCT_OP_SPORT;
    case AO::kNotSPort: return OCT_OP_NOTSPORT;
    case AO::kDPort: return OCT_OP_DPORT;
    case AO::kNotDPort: return OCT_OP_NOTDPORT;
    case AO::kSPortPriv: return OCT_OP_SPORTPRIV;
    case AO::kNotSPortPriv: return OCT_OP_NOTSPORTPRIV;
    case AO::kDPortPriv: return OCT_OP_DPORTPRIV;
    case AO::kNotDPortPriv: return OCT_OP_NOTDPORTPRIV;
    case AO::kFamily: return OCT_OP_FAMILY;
    case AO::kProtocol: return OCT_OP_PROTOCOL;
    case AO::kState: return OCT_OP_STATE;
    default: return 0;
  }
}

// A network operator the argument takes (already checked), with its values.
Result<void> compile_net_values(const TracingPolicy& p, const ArgFilter& f, uint8_t arg, uint8_t layout,
                                uint32_t set, oct_gen_filter& out, std::vector<oct_gen_inmap_key>& inmap,
                                std::vector<oct_gen_lpm_key>* lpm) {
  const std::string name(enum_name(f.op));
  out.arg = arg;
  out.op = net_op(f.op);
  out.is_string = layout;
  out.set = set;
  out.nvals = 0;
  switch (f.op) {
    case AO::kFamily: return compile_named_values(p, f, out, parse_family);
    case AO::kProtocol: return compile_named_values(p, f, out, parse_protocol);
    case AO::kState: return compile_named_values(p, f, out, parse_tcp_state);
    case AO::kSPortPriv:
    case AO::kNotSPortPriv:
    case AO::kDPortPriv:
    case AO::kNotDPortPriv:
      if (!f.values.empty())
        return make_error(policy_error(p, field_pos(f.pos, "values"), name + " takes no values (ports 0-1023)",
                                       "remove the values, or use SPort or DPort with a range"));
      return ok();
    case AO::kSPort:
    case AO::kNotSPort:
    case AO::kDPort:
    case AO::kNotDPort: return compile_ports(p, f, set, out, inmap);
    case AO::kSAddr:
    case AO::kNotSAddr:
    case AO::kDAddr:
    case AO::kNotDAddr: return compile_cidrs(p, f, set, lpm);
    default: break;
  }
  return make_error(policy_error(p, field_pos(f.pos, "operator"), "operator " + name + " is not supported by Octagon yet"));
}

// Why operator `op` does not apply to a sock, socket or skb argument (nullopt: it does).
std::optional<NetValueError> kobject_refusal(AO op, const std::string& type, bool skb) {
  const std::string problem = "operator " + std::string(enum_name(op)) + " does not apply to " + type + " arguments";
  if (!is_net_operator(op))
    return NetValueError{problem, type + " arguments take SAddr, DAddr, SPort, DPort, SPortPriv, DPortPriv (and their "
                                         "Not* forms), Protocol" + std::string(skb ? "" : ", Family and State")};
  if (skb && (op == AO::kState || op == AO::kFamily))
    return NetValueError{problem, op == AO::kState ? "a packet has no connection state: filter State on a sock or "
                                                     "socket argument (e.g. tcp_set_state's sk)"
                                                   : "Family applies to sock and socket arguments; on a packet, "
                                                     "SAddr/DAddr with IPv4 or IPv6 CIDRs tell the families apart"};
  return std::nullopt;
}

}  // namespace

Result<void> compile_sockaddr_filter(const TracingPolicy& p, const ArgFilter& f, uint8_t arg, const ArgSlot& slot,
                                     uint32_t set, oct_gen_filter& out, std::vector<oct_gen_inmap_key>& inmap,
                                     std::vector<oct_gen_lpm_key>* lpm) {
  const std::string name(enum_name(f.op));
  const SourcePos op_pos = field_pos(f.pos, "operator");
  if (!slot.net_type.empty()) {
    const bool skb = slot.kind == OCT_GA_SKB;
    if (auto why = kobject_refusal(f.op, slot.net_type, skb))
      return make_error(policy_error(p, op_pos, why->problem, why->hint));
    return compile_net_values(p, f, arg, skb ? OCT_GEN_NET_SKB : OCT_GEN_NET_SOCK, set, out, inmap, lpm);
  }
  if (slot.kind != OCT_GA_SOCKADDR)
    return make_error(policy_error(p, op_pos, "operator " + name + " needs a sockaddr, sock, socket or skb argument",
                                   "capture the address with type: sockaddr (e.g. uservaddr of sys_enter_connect), "
                                   "or a socket with type: sock, socket or skb on a kernel-function hook"));
  if (!is_net_operator(f.op))  // the string operators of sockaddr_un paths
    return make_error(policy_error(p, op_pos,
                                   "operator " + name + " on a " + (slot.sockaddr_un ? "sockaddr_un" : "sockaddr") +
                                       " argument is not supported by Octagon yet",
                                   "filter on Family here"));
  if (auto why = sockaddr_refusal(f.op, slot.sockaddr_un))
    return make_error(policy_error(p, op_pos, why->problem, why->hint));
  return compile_net_values(p, f, arg, 0, set, out, inmap, lpm);
}

}  // namespace octagon::policy::detail
