// Process filters of a selector -> the kernel plan (abi/generic.h): matchPIDs, matchNamespaces,
// matchNamespaceChanges, matchCapabilities, matchCapabilityChanges, matchBinaries and
// matchParentBinaries. All are evaluated in the kernel (bpf/lib/filter/process.bpf.h); what
// the plan cannot hold is refused here.
#include <cstring>

#include <octagon/policy/compile_internal.h>

namespace octagon::policy::detail {
namespace {

uint8_t set_op(SetOperator op) { return op == SetOperator::kNotIn ? OCT_SET_NOTIN : OCT_SET_IN; }

uint8_t cap_set(CapabilitySet s) {
  switch (s) {
    case CapabilitySet::kEffective: return OCT_CAPS_EFFECTIVE;
    case CapabilitySet::kInheritable: return OCT_CAPS_INHERITABLE;
    case CapabilitySet::kPermitted: return OCT_CAPS_PERMITTED;
  }
  return OCT_CAPS_EFFECTIVE;
}

// NamespaceType and enum oct_ns_index list the namespaces in the same order.
uint8_t ns_index(NamespaceType t) { return uint8_t(t); }
static_assert(int(NamespaceType::kUser) == OCT_NS_USER && int(NamespaceType::kUts) == OCT_NS_UTS);

Result<void> compile_pids(const TracingPolicy& p, const Selector& s, oct_gen_selector& out) {
  if (s.match_pids.size() > OCT_GEN_MAX_PID_FILTERS)
    return make_error(policy_error(p, field_pos(s.pos, "matchPIDs"),
                                   "at most " + std::to_string(OCT_GEN_MAX_PID_FILTERS) +
                                       " matchPIDs entries per selector"));
  for (const PidFilter& pf : s.match_pids) {
    if (pf.values.size() > OCT_GEN_MAX_PIDS)
      return make_error(policy_error(p, field_pos(pf.pos, "values"), "at most 4 pids"));
    oct_gen_pid_filter& f = out.pid_filters[out.npid_filters++];
    f.op = set_op(pf.op);
    f.flags = (pf.is_namespace_pid ? OCT_PIDF_NSPID : 0) | (pf.follow_forks ? OCT_PIDF_FOLLOW : 0);
    f.npids = uint8_t(pf.values.size());
    for (size_t i = 0; i < pf.values.size(); i++) f.pids[i] = pf.values[i];
  }
  return ok();
}

Result<void> compile_namespaces(const TracingPolicy& p, const Selector& s, KernelFacts& kernel,
                                oct_gen_selector& out) {
  if (s.match_namespaces.size() > OCT_GEN_MAX_NS_FILTERS)
    return make_error(policy_error(p, field_pos(s.pos, "matchNamespaces"),
                                   "at most " + std::to_string(OCT_GEN_MAX_NS_FILTERS) +
                                       " matchNamespaces entries per selector"));
  for (const NamespaceFilter& nf : s.match_namespaces) {
    if (nf.values.size() > OCT_GEN_MAX_VALUES)
      return make_error(policy_error(p, field_pos(nf.pos, "values"), "at most 4 values"));
    oct_gen_ns_filter& f = out.ns_filters[out.nns_filters++];
    f.ns = ns_index(nf.ns);
    f.op = set_op(nf.op);
    for (size_t i = 0; i < nf.values.size(); i++) {
      const std::string& v = nf.values[i];
      if (v == "host_ns") {
        auto inum = kernel.host_namespace(nf.ns);
        if (!inum)
          return make_error(policy_error(p, field_pos(nf.pos, "values[" + std::to_string(i) + "]"),
                                         "the host's " + std::string(enum_name(nf.ns)) +
                                             " namespace is unknown (/proc/1/ns cannot be read)",
                                         "give the namespace's inode number"));
        f.vals[f.nvals++] = *inum;
      } else {
        f.vals[f.nvals++] = uint32_t(std::stoul(v));  // the parser checked it is a u32
      }
    }
  }
  if (!s.match_namespace_changes.empty()) {
    if (s.match_namespace_changes.size() > 1)
      return make_error(policy_error(p, field_pos(s.pos, "matchNamespaceChanges"),
                                     "only one matchNamespaceChanges entry per selector",
                                     "list all namespace types in its values"));
    const NamespaceChangeFilter& c = s.match_namespace_changes[0];
    out.nschg_op = set_op(c.op);
    for (NamespaceType t : c.values) out.nschg_mask |= uint16_t(1u << ns_index(t));
  }
  return ok();
}

Result<void> compile_caps(const TracingPolicy& p, const std::vector<CapabilityFilter>& in,
                          const SourcePos& pos, const char* field, oct_gen_cap_filter* out,
                          uint8_t& n) {
  if (in.size() > OCT_GEN_MAX_CAP_FILTERS)
    return make_error(policy_error(p, field_pos(pos, field),
                                   "at most " + std::to_string(OCT_GEN_MAX_CAP_FILTERS) + " " +
                                       field + " entries per selector"));
  for (const CapabilityFilter& cf : in) {
    oct_gen_cap_filter& f = out[n++];
    f.set = cap_set(cf.type);
    f.op = set_op(cf.op);
    f.ns_only = cf.is_namespace_capability;
    for (uint8_t cap : cf.values) {
      if (cap > 63) return make_error(policy_error(p, cf.pos, "capability number out of range"));
      f.mask |= uint64_t(1) << cap;
    }
  }
  return ok();
}

uint8_t binary_op(SetOperator op) {
  switch (op) {
    case SetOperator::kIn: return OCT_OP_EQ;
    case SetOperator::kNotIn: return OCT_OP_NEQ;
    case SetOperator::kPrefix: return OCT_OP_PREFIX;
    case SetOperator::kNotPrefix: return OCT_OP_NOTPREFIX;
    case SetOperator::kPostfix: return OCT_OP_POSTFIX;
    case SetOperator::kNotPostfix: return OCT_OP_NOTPOSTFIX;
  }
  return 0;
}

// The members of one binary set: In/NotIn values NUL-terminated, Postfix values reversed.
Result<void> compile_binary_set(const TracingPolicy& p, const BinaryFilter& bf, uint8_t set,
                                uint8_t op, std::vector<oct_gen_lpm_key>& keys) {
  const bool exact = op == OCT_OP_EQ || op == OCT_OP_NEQ;
  const bool postfix = op == OCT_OP_POSTFIX || op == OCT_OP_NOTPOSTFIX;
  const size_t max = exact ? OCT_GEN_LPM_DATA - 2 : OCT_GEN_LPM_DATA - 1;
  for (size_t i = 0; i < bf.values.size(); i++) {
    std::string v = bf.values[i];
    SourcePos vp = field_pos(bf.pos, "values[" + std::to_string(i) + "]");
    if (v.size() > max)
      return make_error(policy_error(p, vp, "binary path of " + std::to_string(v.size()) +
                                                " bytes; at most " + std::to_string(max) +
                                                " are compared in the kernel"));
    if (v.find('\0') != std::string::npos)
      return make_error(policy_error(p, vp, "binary path with a NUL byte"));
    if (keys.size() >= OCT_GEN_BINARIES_MAX)
      return make_error(policy_error(p, vp, "more than " + std::to_string(OCT_GEN_BINARIES_MAX) +
                                                " binary paths in one hook"));
    if (postfix) v.assign(v.rbegin(), v.rend());
    oct_gen_lpm_key k{};
    k.data[0] = set;
    memcpy(&k.data[1], v.data(), v.size());
    size_t bytes = 1 + v.size() + (exact ? 1 : 0);  // exact: the NUL after the path too
    k.prefixlen = uint32_t(bytes * 8);
    keys.push_back(k);
  }
  return ok();
}

Result<void> compile_binaries(const TracingPolicy& p, const Selector& s, size_t si,
                              oct_gen_selector& out, std::vector<oct_gen_lpm_key>* keys) {
  struct Which {
    const std::vector<BinaryFilter>& filters;
    const char* field;
    uint8_t& op;
    uint8_t& follow;
    uint8_t set;
  } which[] = {
      {s.match_binaries, "matchBinaries", out.bin_op, out.bin_follow, uint8_t(si * 2)},
      {s.match_parent_binaries, "matchParentBinaries", out.pbin_op, out.pbin_follow, uint8_t(si * 2 + 1)},
  };
  for (Which& w : which) {
    if (w.filters.empty()) continue;
    const BinaryFilter& bf = w.filters[0];  // the parser allows one entry
    if (!keys)
      return make_error(policy_error(p, bf.pos, std::string(w.field) + " is not supported on this hook type yet"));
    w.op = binary_op(bf.op);
    w.follow = bf.follow_children;
    OCTAGON_TRY(compile_binary_set(p, bf, w.set, w.op, *keys));
  }
  return ok();
}

}  // namespace

Result<void> compile_process_filters(const TracingPolicy& p, const Selector& s, size_t si,
                                     KernelFacts& kernel, oct_gen_config& cfg,
                                     std::vector<oct_gen_lpm_key>* binaries) {
  oct_gen_selector& out = cfg.selectors[si];
  OCTAGON_TRY(compile_pids(p, s, out));
  OCTAGON_TRY(compile_namespaces(p, s, kernel, out));
  OCTAGON_TRY(compile_caps(p, s.match_capabilities, s.pos, "matchCapabilities", out.cap_filters,
                           out.ncap_filters));
  OCTAGON_TRY(compile_caps(p, s.match_capability_changes, s.pos, "matchCapabilityChanges",
                           out.capchg_filters, out.ncapchg_filters));
  OCTAGON_TRY(compile_binaries(p, s, si, out, binaries));

  if (out.nns_filters || out.nschg_op) cfg.proc_needs |= OCT_PN_NAMESPACES;
  if (out.ncap_filters || out.ncapchg_filters) cfg.proc_needs |= OCT_PN_CAPS;
  if (out.nschg_op || out.ncapchg_filters || out.bin_op) cfg.proc_needs |= OCT_PN_EXEC_INFO;
  if (out.pbin_op) cfg.proc_needs |= OCT_PN_EXEC_INFO | OCT_PN_PARENT_INFO;
  if (out.bin_follow || out.pbin_follow)
    cfg.proc_needs |= OCT_PN_EXEC_INFO | OCT_PN_PARENT_INFO | OCT_PN_ANCESTOR_INFO;
  return ok();
}

}  // namespace octagon::policy::detail
