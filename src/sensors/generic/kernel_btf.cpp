#include <octagon/sensors/generic/kernel_btf.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>

namespace octagon::sensors {

using policy::BtfMember;
using policy::BtfType;

Result<std::unique_ptr<KernelBtf>> KernelBtf::load(const std::string& path) {
  struct btf* b = path.empty() ? btf__load_vmlinux_btf() : btf__parse(path.c_str(), nullptr);
  if (!b) {
    int err = errno ? errno : ENOENT;
    return make_error(err, "read kernel BTF" + (path.empty() ? std::string() : " from " + path) +
                               " (raw tracepoints and resolve: need CONFIG_DEBUG_INFO_BTF)");
  }
  return std::unique_ptr<KernelBtf>(new KernelBtf(b));
}

KernelBtf::~KernelBtf() { btf__free(btf_); }

Result<std::vector<uint32_t>> KernelBtf::raw_tracepoint_args(const std::string& event) {
  std::string name = "btf_trace_" + event;
  int id = btf__find_by_name_kind(btf_, name.c_str(), BTF_KIND_TYPEDEF);
  if (id < 0) return make_error(ENOENT, "the kernel's BTF has no raw tracepoint " + event + " (no " + name + ")");
  const struct btf_type* t = btf__type_by_id(btf_, btf__type_by_id(btf_, id)->type);
  if (!t || !btf_is_ptr(t)) return make_error(EINVAL, name + " is not a function pointer");
  t = btf__type_by_id(btf_, t->type);
  if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
    return make_error(EINVAL, name + " is not a tracepoint prototype");
  std::vector<uint32_t> out;
  const struct btf_param* p = btf_params(t);
  for (int i = 1; i < btf_vlen(t); i++) out.push_back(p[i].type);  // p[0] is the void *ctx
  return out;
}

BtfType KernelBtf::type(uint32_t id) const {
  BtfType out;
  const struct btf_type* t = btf__type_by_id(btf_, id);
  while (t && (btf_is_typedef(t) || btf_is_mod(t))) {
    if (btf_is_typedef(t) && out.typedef_name.empty()) out.typedef_name = btf__name_by_offset(btf_, t->name_off);
    id = t->type;
    t = btf__type_by_id(btf_, id);
  }
  if (!t || id == 0) {
    out.kind = BtfType::Kind::kVoid;
    return out;
  }
  const char* name = btf__name_by_offset(btf_, t->name_off);
  out.name = name ? name : "";
  switch (btf_kind(t)) {
    case BTF_KIND_INT: {
      out.kind = BtfType::Kind::kInt;
      out.size = t->size;
      uint8_t enc = btf_int_encoding(t);
      out.is_signed = enc & BTF_INT_SIGNED;
      out.is_char = t->size == 1 && ((enc & BTF_INT_CHAR) || out.name.find("char") != std::string::npos);
      break;
    }
    case BTF_KIND_PTR:
      out.kind = BtfType::Kind::kPointer;
      out.size = 8;
      out.target = t->type;
      break;
    case BTF_KIND_ARRAY:
      out.kind = BtfType::Kind::kArray;
      out.target = btf_array(t)->type;
      out.nelems = btf_array(t)->nelems;
      break;
    case BTF_KIND_STRUCT: out.kind = BtfType::Kind::kStruct; out.size = t->size; break;
    case BTF_KIND_UNION: out.kind = BtfType::Kind::kUnion; out.size = t->size; break;
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
      out.kind = BtfType::Kind::kEnum;
      out.size = t->size;
      out.is_signed = btf_kflag(t);
      break;
    case BTF_KIND_FUNC_PROTO: out.kind = BtfType::Kind::kFuncProto; break;
    default: break;
  }
  return out;
}

std::vector<BtfMember> KernelBtf::members(uint32_t id) const {
  std::vector<BtfMember> out;
  const struct btf_type* t = btf__type_by_id(btf_, id);
  while (t && (btf_is_typedef(t) || btf_is_mod(t))) t = btf__type_by_id(btf_, t->type);
  if (!t || !btf_is_composite(t)) return out;
  const struct btf_member* m = btf_members(t);
  for (int i = 0; i < btf_vlen(t); i++) {
    const char* n = btf__name_by_offset(btf_, m[i].name_off);
    out.push_back({n ? n : "", m[i].type, btf_member_bit_offset(t, i), btf_member_bitfield_size(t, i)});
  }
  return out;
}

Result<uint32_t> KernelBtf::struct_id(const std::string& name) const {
  int id = btf__find_by_name_kind(btf_, name.c_str(), BTF_KIND_STRUCT);
  if (id < 0) return make_error(ENOENT, "the kernel's BTF has no struct " + name);
  return uint32_t(id);
}

bool KernelBtf::has_function(const std::string& name) const {
  return btf__find_by_name_kind(btf_, name.c_str(), BTF_KIND_FUNC) > 0;
}

Result<policy::BtfFunction> KernelBtf::function(const std::string& name) const {
  int id = btf__find_by_name_kind(btf_, name.c_str(), BTF_KIND_FUNC);
  if (id <= 0) return make_error(ENOENT, "the kernel's BTF has no function " + name);
  const struct btf_type* t = btf__type_by_id(btf_, btf__type_by_id(btf_, id)->type);
  if (!t || !btf_is_func_proto(t)) return make_error(EINVAL, name + " has no prototype in the kernel's BTF");
  policy::BtfFunction out;
  out.ret = t->type;
  const struct btf_param* p = btf_params(t);
  for (int i = 0; i < btf_vlen(t); i++) {
    const char* n = btf__name_by_offset(btf_, p[i].name_off);
    out.params.push_back(p[i].type);
    out.names.push_back(n ? n : "");
  }
  return out;
}

}  // namespace octagon::sensors
