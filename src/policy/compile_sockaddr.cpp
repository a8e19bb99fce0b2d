// matchArgs network operators on sockaddr arguments, compiled for the kernel
// (bpf/lib/filter/sockaddr.bpf.h): SAddr CIDRs go to the hook's LPM trie, ports to the
// filter's (min, max) value pairs or its InMap set, families to its values.
#include <cstring>

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

Result<void> compile_families(const TracingPolicy& p, const ArgFilter& f, oct_gen_filter& out) {
  OCTAGON_TRY(need_values(p, f));
  if (f.values.size() > OCT_GEN_MAX_VALUES)
    return make_error(policy_error(p, field_pos(f.pos, "values"),
                                   "at most " + std::to_string(OCT_GEN_MAX_VALUES) + " families in one filter",
                                   "split them across selectors"));
  for (size_t i = 0; i < f.values.size(); i++) {
    NetValueError err;
    auto fam = parse_family(f.values[i], err);
    if (!fam) return make_error(policy_error(p, value_pos(f, i), err.problem, err.hint));
    out.ivals[2 * i] = *fam;
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

uint8_t sockaddr_op(AO op) {
  switch (op) {
    case AO::kSAddr: return OCT_OP_SADDR;
    case AO::kNotSAddr: return OCT_OP_NOTSADDR;
    case AO::kSPort: return OCT_OP_SPORT;
    case AO::kNotSPort: return OCT_OP_NOTSPORT;
    case AO::kSPortPriv: return OCT_OP_SPORTPRIV;
    case AO::kNotSPortPriv: return OCT_OP_NOTSPORTPRIV;
    case AO::kFamily: return OCT_OP_FAMILY;
    default: return 0;
  }
}

}  // namespace

Result<void> compile_sockaddr_filter(const TracingPolicy& p, const ArgFilter& f, uint8_t arg, const ArgSlot& slot,
                                     uint32_t set, oct_gen_filter& out, std::vector<oct_gen_inmap_key>& inmap,
                                     std::vector<oct_gen_lpm_key>* lpm) {
  const std::string name(enum_name(f.op));
  const SourcePos op_pos = field_pos(f.pos, "operator");
  if (slot.kind != OCT_GA_SOCKADDR)
    return make_error(policy_error(p, op_pos, "operator " + name + " needs a sockaddr argument",
                                   "capture the address with type: sockaddr (e.g. uservaddr of "
                                   "sys_enter_connect); sock, socket and skb arguments need kernel-function "
                                   "hooks, which Octagon cannot attach on this kernel yet"));
  if (!is_net_operator(f.op))  // the string operators of sockaddr_un paths
    return make_error(policy_error(p, op_pos,
                                   "operator " + name + " on a " + (slot.sockaddr_un ? "sockaddr_un" : "sockaddr") +
                                       " argument is not supported by Octagon yet",
                                   "filter on Family here"));
  if (auto why = sockaddr_refusal(f.op, slot.sockaddr_un))
    return make_error(policy_error(p, op_pos, why->problem, why->hint));
  out.arg = arg;
  out.op = sockaddr_op(f.op);
  out.is_string = 0;
  out.set = set;
  out.nvals = 0;
  switch (f.op) {
    case AO::kFamily: return compile_families(p, f, out);
    case AO::kSPortPriv:
    case AO::kNotSPortPriv:
      if (!f.values.empty())
        return make_error(policy_error(p, field_pos(f.pos, "values"), name + " takes no values (ports 0-1023)",
                                       "remove the values, or use SPort with a range"));
      return ok();
    case AO::kSPort:
    case AO::kNotSPort: return compile_ports(p, f, set, out, inmap);
    case AO::kSAddr:
    case AO::kNotSAddr: return compile_cidrs(p, f, set, lpm);
    default: break;
  }
  return make_error(policy_error(p, op_pos, "operator " + name + " is not supported by Octagon yet"));
}

}  // namespace octagon::policy::detail
