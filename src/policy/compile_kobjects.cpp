// Argument types that are kernel objects read in the kernel from a BTF-typed pointer (kernel
// function hooks, raw tracepoints): kiocb, sock, socket, skb, net_device, user_namespace,
// kernel_cap_t and cap_*, bpf_attr, bpf_prog, bpf_map, perf_event, module, load_info.
//
// Each type names the struct it reads and the fields its reader (bpf/lib/extract/
// kobjects.bpf.h) needs: a kernel whose BTF lacks one refuses the policy with what is missing.
// kiocb, socket and net_device are a field step away from a kind that exists (ki_filp -> file,
// sk -> sock, name -> string), added to the argument's resolve steps.
#include <octagon/policy/compile_internal.h>

#include <optional>

namespace octagon::policy::detail {
namespace {

using events::Argument;
using Kind = BtfType::Kind;

struct ObjectType {
  ArgType type;
  const char* struct_name;   // what the pointer must point to
  uint8_t capture;           // enum oct_gen_arg_kind
  Argument::Kind render;
  const char* step;          // field followed first ("" none): kiocb, socket, net_device
  bool step_deref;           // the step loads a pointer (false: the field's address)
  std::vector<const char*> fields;  // needed by the reader, from the struct the capture reads
};

const std::vector<const char*> kSockFields = {
    "__sk_common.skc_family", "__sk_common.skc_state", "__sk_common.skc_num",
    "__sk_common.skc_dport",  "__sk_common.skc_rcv_saddr", "__sk_common.skc_daddr",
    "__sk_common.skc_cookie", "sk_type", "sk_protocol", "sk_mark", "sk_priority"};

const std::vector<ObjectType>& object_types() {
  static const std::vector<ObjectType> kTypes = {
      {ArgType::kKiocb, "kiocb", OCT_GA_FILE, Argument::Kind::kFile, "ki_filp", true, {}},
      {ArgType::kSock, "sock", OCT_GA_SOCK, Argument::Kind::kSock, "", false, kSockFields},
      {ArgType::kSocket, "socket", OCT_GA_SOCK, Argument::Kind::kSock, "sk", true, kSockFields},
      {ArgType::kSkb, "sk_buff", OCT_GA_SKB, Argument::Kind::kSkb, "", false,
       {"hash", "len", "priority", "mark", "head", "network_header", "transport_header"}},
      {ArgType::kNetDevice, "net_device", OCT_GA_STR_KERNEL, Argument::Kind::kString, "name", false, {}},
      {ArgType::kUserNamespace, "user_namespace", OCT_GA_USER_NS, Argument::Kind::kUserNs, "", false,
       {"level", "owner", "group", "ns.inum"}},
      {ArgType::kBpfAttr, "bpf_attr", OCT_GA_BPF_ATTR, Argument::Kind::kBpfAttr, "", false,
       {"prog_type", "insn_cnt", "prog_name"}},
      {ArgType::kBpfProg, "bpf_prog", OCT_GA_BPF_PROG, Argument::Kind::kBpfProg, "", false,
       {"type", "len", "aux.name"}},
      {ArgType::kBpfMap, "bpf_map", OCT_GA_BPF_MAP, Argument::Kind::kBpfMap, "", false,
       {"map_type", "key_size", "value_size", "max_entries", "name"}},
      {ArgType::kPerfEvent, "perf_event", OCT_GA_PERF_EVENT, Argument::Kind::kPerfEvent, "", false,
       {"attr.type", "attr.config", "attr.kprobe_func", "attr.probe_offset"}},
      {ArgType::kModule, "module", OCT_GA_MODULE, Argument::Kind::kModule, "", false, {"name", "taints"}},
      {ArgType::kLoadInfo, "load_info", OCT_GA_LOAD_INFO, Argument::Kind::kModule, "", false, {"name", "mod"}},
  };
  return kTypes;
}

std::optional<Argument::Kind> cap_set_render(ArgType t) {
  switch (t) {
    case ArgType::kKernelCapT: return Argument::Kind::kKernelCapT;
    case ArgType::kCapInheritable: return Argument::Kind::kCapInheritable;
    case ArgType::kCapPermitted: return Argument::Kind::kCapPermitted;
    case ArgType::kCapEffective: return Argument::Kind::kCapEffective;
    default: return std::nullopt;
  }
}

struct Member {
  uint32_t type = 0;
  uint32_t bit_offset = 0;
  uint32_t bitfield_bits = 0;
};

// Member `name` of struct/union `id`, looking into anonymous members.
std::optional<Member> member(const BtfFacts& btf, uint32_t id, const std::string& name, int depth = 0) {
  if (depth > 8) return std::nullopt;
  for (const BtfMember& m : btf.members(id)) {
    if (m.name == name) return Member{m.type, m.bit_offset, m.bitfield_bits};
    Kind k = btf.type(m.type).kind;
    if (m.name.empty() && (k == Kind::kStruct || k == Kind::kUnion))
      if (auto f = member(btf, m.type, name, depth + 1)) {
        f->bit_offset += m.bit_offset;
        return f;
      }
  }
  return std::nullopt;
}

// A dotted field path from struct `id` ("ns.inum", "aux.name": pointers are followed);
// an error text naming what is missing, or "".
std::string check_field(const BtfFacts& btf, uint32_t id, const std::string& struct_name, const std::string& path) {
  std::string rest = path, where = struct_name;
  while (!rest.empty()) {
    size_t dot = rest.find('.');
    std::string name = rest.substr(0, dot);
    rest = dot == std::string::npos ? "" : rest.substr(dot + 1);
    auto m = member(btf, id, name);
    if (!m) return "struct " + where + " has no field " + name;
    if (m->bitfield_bits)
      return "struct " + where + "'s field " + name + " is a bitfield here, which Octagon does not read";
    BtfType t = btf.type(m->type);
    if (t.kind == Kind::kPointer) {
      id = t.target;
      t = btf.type(id);
    } else {
      id = m->type;
    }
    where = t.name;
  }
  return "";
}

// The struct or union a BTF value points to (or is), with its id.
std::optional<std::pair<uint32_t, BtfType>> pointee(const BtfFacts& btf, const BtfValue& v) {
  uint32_t id = v.type;
  BtfType t = btf.type(id);
  if (!v.address_of) {
    if (t.kind != Kind::kPointer) return std::nullopt;
    id = t.target;
    t = btf.type(id);
  }
  return std::make_pair(id, t);
}

Result<void> append_step(const TracingPolicy& p, const KProbeArg& a, const BtfFacts& btf, uint32_t id,
                         const ObjectType& o, ArgPick& out) {
  auto m = member(btf, id, o.step);
  if (!m || m->bit_offset % 8)
    return make_error(policy_error(p, field_pos(a.pos, "type"),
                                   "type " + a.type_name + " reads struct " + o.struct_name + "'s field " + o.step +
                                       ", which this kernel's BTF does not have"));
  if (out.resolve.nsteps >= OCT_GEN_MAX_STEPS)
    return make_error(policy_error(p, field_pos(a.pos, "resolve"),
                                   "type " + a.type_name + " needs one more resolve step than the " +
                                       std::to_string(OCT_GEN_MAX_STEPS) + " Octagon follows"));
  oct_gen_step& s = out.resolve.steps[out.resolve.nsteps++];
  s.offset = m->bit_offset / 8;
  s.deref_size = o.step_deref ? 8 : 0;
  out.resolve.sign_size = 0;
  return ok();
}

}  // namespace

Result<bool> choose_kobject_arg(const TracingPolicy& p, const KProbeArg& a, ArgType t, const BtfFacts& btf,
                                const BtfValue& v, ArgPick& out) {
  auto what = [&] {
    return v.address_of ? "the embedded " + btf_type_text(btf, v.type) : btf_type_text(btf, v.type);
  };
  auto target = pointee(btf, v);
  if (auto render = cap_set_render(t)) {
    if (!target || target->second.typedef_name != "kernel_cap_t" || target->second.size != 8)
      return make_error(policy_error(p, field_pos(a.pos, "type"),
                                     "type " + a.type_name + " needs a kernel_cap_t * (8 bytes), but argument " +
                                         std::to_string(a.index) + " is " + what(),
                                     "pick the type that matches the kernel's, or resolve: to such a field"));
    out.arg.kind = OCT_GA_CONST_BUF_PTR;
    out.arg.max_data = 8;
    out.render.kind = *render;
    out.slot.no_filters = "a capability set (" + a.type_name + ")";
    return true;
  }
  const ObjectType* o = nullptr;
  for (const ObjectType& c : object_types())
    if (c.type == t) o = &c;
  if (!o) return false;
  bool is_composite = target && (target->second.kind == Kind::kStruct || target->second.kind == Kind::kUnion);
  if (!is_composite || target->second.name != o->struct_name)
    return make_error(policy_error(p, field_pos(a.pos, "type"),
                                   "type " + a.type_name + " needs a " +
                                       (t == ArgType::kBpfAttr ? "union " : "struct ") + o->struct_name +
                                       " *, but argument " + std::to_string(a.index) +
                                       (a.resolve.empty() ? "" : " resolved") + " is " + what(),
                                   "pick the type that matches the kernel's, or resolve: to such a field"));
  uint32_t id = target->first;
  if (*o->step) OCTAGON_TRY(append_step(p, a, btf, id, *o, out));
  // The fields the reader needs, from the struct it reads (socket: its sock).
  if (!o->fields.empty()) {
    uint32_t read_id = id;
    std::string read_name = o->struct_name;
    if (t == ArgType::kSocket) {
      auto sid = btf.struct_id("sock");
      if (!sid)
        return make_error(policy_error(p, field_pos(a.pos, "type"),
                                       "type socket reads its struct sock, which this kernel's BTF does not have"));
      read_id = *sid;
      read_name = "sock";
    }
    for (const char* f : o->fields) {
      std::string missing = check_field(btf, read_id, read_name, f);
      if (!missing.empty())
        return make_error(policy_error(p, field_pos(a.pos, "type"),
                                       "type " + a.type_name + " cannot be read on this kernel: " + missing,
                                       "capture the fields this kernel has with resolve: and integer types"));
    }
  }
  out.arg.kind = o->capture;
  out.render.kind = o->render;
  if (o->capture == OCT_GA_FILE) {
    out.arg.max_data = OCT_GEN_ARG_MAX;
    out.slot.is_fd = true;  // path filters, as on file arguments
  } else if (o->capture == OCT_GA_STR_KERNEL) {
    out.arg.max_data = 16;  // IFNAMSIZ
    out.slot.is_string = true;
  } else if (o->capture == OCT_GA_SOCK || o->capture == OCT_GA_SKB) {
    out.slot.net_type = a.type_name;  // network operators (compile_sockaddr.cpp)
  } else {
    out.slot.no_filters = "a " + a.type_name + " argument";
  }
  return true;
}

}  // namespace octagon::policy::detail
