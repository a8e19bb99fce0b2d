// `tracepoints:` with `raw: true`: a raw tracepoint whose arguments are typed by the kernel's
// BTF (the btf_trace_<event> prototype). Argument i is the u64 at offset 8 * i of the program's
// context; pointers to kernel objects are followed in the kernel (struct file -> path, struct
// cred -> credentials...), optionally after a `resolve:` field path.
#include <octagon/policy/compile_internal.h>

#include <algorithm>

namespace octagon::policy::detail {
namespace {

using events::Argument;
using Kind = BtfType::Kind;

// The struct a value points to (or is, when address_of): its name, or "" when not a struct.
std::string struct_of(const BtfFacts& btf, const BtfValue& v) {
  BtfType t = btf.type(v.type);
  if (!v.address_of) {
    if (t.kind != Kind::kPointer) return "";
    t = btf.type(t.target);
  }
  return t.kind == Kind::kStruct || t.kind == Kind::kUnion ? t.name : "";
}

// A char * value, or the address of a char array.
bool is_text(const BtfFacts& btf, const BtfValue& v) {
  BtfType t = btf.type(v.type);
  if (v.address_of) return t.kind == Kind::kArray && btf.type(t.target).is_char;
  return t.kind == Kind::kPointer && btf.type(t.target).is_char;
}

bool is_scalar(const BtfFacts& btf, const BtfValue& v) {
  if (v.address_of) return false;
  Kind k = btf.type(v.type).kind;
  return k == Kind::kInt || k == Kind::kEnum || k == Kind::kPointer;
}

void set_integer(ArgPick& out, const KProbeArg& a, uint8_t bytes, bool is_signed, Argument::Kind kind) {
  out.arg.kind = OCT_GA_INT;
  out.render.kind = kind;
  out.render.bytes = bytes;
  out.render.is_signed = is_signed;
  out.render.label = a.label;
  if (out.resolve.nsteps && is_signed && bytes < 8) out.resolve.sign_size = bytes;
  if (!out.resolve.nsteps) {  // read the slot itself at the declared width
    out.arg.size = bytes;
    out.arg.is_signed = is_signed;
  }
}

// The kernel object kind a struct name maps to, for `auto` and for checks.
std::optional<ArgType> object_type_of(const std::string& s) {
  if (s == "file") return ArgType::kFile;
  if (s == "path") return ArgType::kPath;
  if (s == "dentry") return ArgType::kDentry;
  if (s == "linux_binprm") return ArgType::kLinuxBinprm;
  if (s == "cred") return ArgType::kCred;
  return std::nullopt;
}

// btfType: the struct a raw tracepoint argument (a pointer, or a 64-bit integer holding one, such
// as inet_sock_set_state's `const void *skaddr`) is cast to before resolve: follows it.
Result<uint32_t> cast_target(const TracingPolicy& p, const KProbeArg& a, const BtfFacts& btf, uint32_t arg_type) {
  SourcePos at = field_pos(a.pos, "btfType");
  if (!a.btf_type_module.empty())
    return make_error(policy_error(p, field_pos(a.pos, "btfTypeModule"),
                                   "btfTypeModule: types from kernel modules' BTF are not supported by Octagon yet",
                                   "remove btfTypeModule when the type is in the kernel's own BTF (vmlinux)"));
  BtfType t = btf.type(arg_type);
  bool pointer_sized = t.kind == Kind::kPointer || (t.kind == Kind::kInt && t.size == 8);
  if (!pointer_sized)
    return make_error(policy_error(p, at, "btfType casts a pointer, but argument " + std::to_string(a.index) +
                                              " is " + btf_type_text(btf, arg_type)));
  std::string name = a.btf_type;
  if (name.rfind("struct ", 0) == 0) name = name.substr(7);
  auto id = btf.struct_id(name);
  if (!id)
    return make_error(policy_error(p, at, "btfType '" + a.btf_type + "': " + id.error().message(),
                                   "name a struct of the kernel's BTF, e.g. sock or file"));
  return *id;
}

}  // namespace

Result<void> choose_btf_arg(const TracingPolicy& p, const KProbeArg& a, const BtfFacts& btf,
                            const BtfValue& v, ArgPick& out) {
  std::string what = v.address_of ? "the embedded " + btf_type_text(btf, v.type) : btf_type_text(btf, v.type);
  auto mismatch = [&](const std::string& want) {
    return make_error(policy_error(p, field_pos(a.pos, "type"),
                                   "type " + a.type_name + " needs " + want + ", but argument " +
                                       std::to_string(a.index) + (a.resolve.empty() ? "" : " resolved") +
                                       " is " + what,
                                   "pick the type that matches the kernel's, or resolve: to such a field"));
  };
  out.render.label = a.label;
  ArgType t = a.type;
  std::string st = struct_of(btf, v);
  if (t == ArgType::kAuto) {
    BtfType bt = btf.type(v.type);
    if (is_text(btf, v)) t = ArgType::kString;
    else if (auto o = object_type_of(st)) t = *o;
    else if (st == "sockaddr") t = ArgType::kSockaddr;
    else if (!v.address_of && (bt.kind == Kind::kInt || bt.kind == Kind::kEnum))
      t = bt.size == 8 ? (bt.is_signed ? ArgType::kSint64 : ArgType::kUint64)
                       : (bt.is_signed ? ArgType::kInt : ArgType::kUint32);
    else if (!v.address_of && bt.kind == Kind::kPointer) t = ArgType::kUint64;
    else
      return make_error(policy_error(p, a.pos, "argument " + std::to_string(a.index) + " is " + what +
                                                   ", which has no automatic type",
                                     "give a type, or resolve: one of its fields"));
  }
  auto need_scalar = [&]() -> Result<void> {
    if (!is_scalar(btf, v)) return mismatch("an integer or pointer");
    return ok();
  };
  switch (t) {
    case ArgType::kInt: case ArgType::kSint32: OCTAGON_TRY(need_scalar()); set_integer(out, a, 4, true, Argument::Kind::kInt); break;
    case ArgType::kSint16: OCTAGON_TRY(need_scalar()); set_integer(out, a, 2, true, Argument::Kind::kInt); break;
    case ArgType::kSint8: OCTAGON_TRY(need_scalar()); set_integer(out, a, 1, true, Argument::Kind::kInt); break;
    case ArgType::kUint32: OCTAGON_TRY(need_scalar()); set_integer(out, a, 4, false, Argument::Kind::kUint); break;
    case ArgType::kUint16: OCTAGON_TRY(need_scalar()); set_integer(out, a, 2, false, Argument::Kind::kUint); break;
    case ArgType::kUint8: OCTAGON_TRY(need_scalar()); set_integer(out, a, 1, false, Argument::Kind::kUint); break;
    case ArgType::kSint64: OCTAGON_TRY(need_scalar()); set_integer(out, a, 8, true, Argument::Kind::kLong); break;
    case ArgType::kUint64: case ArgType::kSizeT: OCTAGON_TRY(need_scalar()); set_integer(out, a, 8, false, Argument::Kind::kSize); break;
    case ArgType::kCapability: OCTAGON_TRY(need_scalar()); set_integer(out, a, 4, true, Argument::Kind::kCapability); break;
    case ArgType::kFd:
      OCTAGON_TRY(need_scalar());
      set_integer(out, a, 4, true, Argument::Kind::kFile);
      out.arg.kind = OCT_GA_FD;
      out.slot.is_fd = true;
      break;
    case ArgType::kString:
      if (!is_text(btf, v)) return mismatch("a char * or a char array");
      out.arg.kind = OCT_GA_STR_KERNEL;
      out.arg.max_data = OCT_GEN_ARG_MAX;
      out.render.kind = Argument::Kind::kString;
      out.slot.is_string = true;
      break;
    case ArgType::kFile: case ArgType::kPath: case ArgType::kDentry: case ArgType::kLinuxBinprm: {
      static const char* const want[] = {"file", "path", "dentry", "linux_binprm"};
      int w = t == ArgType::kFile ? 0 : t == ArgType::kPath ? 1 : t == ArgType::kDentry ? 2 : 3;
      if (st != want[w]) return mismatch(std::string("a struct ") + want[w] + " *");
      out.arg.kind = t == ArgType::kFile ? OCT_GA_FILE : t == ArgType::kPath ? OCT_GA_PATH
                     : t == ArgType::kDentry ? OCT_GA_DENTRY : OCT_GA_BINPRM;
      out.arg.max_data = OCT_GEN_ARG_MAX;
      out.render.kind = t == ArgType::kFile ? Argument::Kind::kFile
                        : t == ArgType::kLinuxBinprm ? Argument::Kind::kLinuxBinprm : Argument::Kind::kPath;
      out.slot.is_fd = true;  // path components: not comparable as one string in the kernel
      break;
    }
    case ArgType::kNop:  // the slot is read as an integer (harmless), never shown
      set_integer(out, a, 8, false, Argument::Kind::kSize);
      out.render.nop = true;
      break;
    case ArgType::kCred:
      if (st != "cred") return mismatch("a struct cred *");
      out.arg.kind = OCT_GA_CRED;
      out.render.kind = Argument::Kind::kProcessCredentials;
      break;
    case ArgType::kSockaddr: case ArgType::kSockaddrUn:
      if (st.rfind("sockaddr", 0) != 0 && st != "__kernel_sockaddr_storage")
        return mismatch("a struct sockaddr *");
      out.arg.kind = OCT_GA_SOCKADDR;
      out.render.kind = t == ArgType::kSockaddr ? Argument::Kind::kSockaddr : Argument::Kind::kSockaddrUn;
      out.slot.sockaddr_un = t == ArgType::kSockaddrUn;
      break;
    case ArgType::kConstBuf: {
      BtfType bt = btf.type(v.type);
      uint32_t size = 0;
      if (v.address_of && bt.kind == Kind::kArray) size = bt.nelems * std::max<uint32_t>(1, btf.type(bt.target).size);
      else if (v.address_of) size = bt.size;
      else if (bt.kind == Kind::kPointer) {
        BtfType to = btf.type(bt.target);
        size = to.kind == Kind::kArray ? to.nelems * std::max<uint32_t>(1, btf.type(to.target).size) : to.size;
      }
      if (size == 0 || size > OCT_GEN_ARG_MAX)
        return mismatch("an object of known size (at most " + std::to_string(OCT_GEN_ARG_MAX) + " bytes)");
      out.arg.kind = OCT_GA_CONST_BUF_PTR;
      out.arg.max_data = uint16_t(size);
      out.render.kind = Argument::Kind::kBytes;
      break;
    }
    default: {
      OCTAGON_ASSIGN_OR_RETURN(bool object, choose_kobject_arg(p, a, t, btf, v, out));
      if (object) break;
      return make_error(policy_error(p, field_pos(a.pos, "type"),
                                     "argument type " + a.type_name + " is not supported on raw tracepoints yet",
                                     "supported: int family, size_t, capability, fd, string, file, path, dentry, nop, "
                                     "linux_binprm, cred, sockaddr, sockaddr_un, const_buf, and the kernel "
                                     "objects kiocb, sock, socket, skb, net_device, user_namespace, kernel_cap_t, "
                                     "cap_*, bpf_attr, bpf_prog, bpf_map, perf_event, module, load_info"));
    }
  }
  if (out.arg.kind != OCT_GA_INT && out.arg.kind != OCT_GA_FD) {
    out.arg.size = 8;  // a kernel pointer (or address)
    out.arg.is_signed = 0;
  }
  out.render.capture = out.arg.kind;
  out.slot.kind = out.arg.kind;
  return ok();
}

Result<void> pick_btf_arg(const TracingPolicy& p, const KProbeArg& a, const BtfFacts& btf, uint32_t type,
                          ArgPick& pick) {
  BtfValue v{type, false};
  if (!a.btf_type.empty() || !a.btf_type_module.empty()) {
    OCTAGON_ASSIGN_OR_RETURN(uint32_t st, cast_target(p, a, btf, v.type));
    if (a.resolve.empty()) v = BtfValue{st, true};  // the pointer value is the struct's address
    else {
      OCTAGON_ASSIGN_OR_RETURN(v, compile_resolve(p, a, btf, st, pick.resolve, true));
    }
  } else if (!a.resolve.empty()) {
    OCTAGON_ASSIGN_OR_RETURN(v, compile_resolve(p, a, btf, v.type, pick.resolve));
  }
  return choose_btf_arg(p, a, btf, v, pick);
}

Result<void> compile_raw_args(const TracingPolicy& p, const TracepointSpec& spec, BtfFacts& btf,
                              HookPlan& plan, std::vector<ArgSlot>& slots) {
  auto params = btf.raw_tracepoint_args(spec.event);
  if (!params)
    return make_error(policy_error(p, field_pos(spec.pos, "event"),
                                   "no raw tracepoint " + spec.event + ": " + params.error().message(),
                                   "the event is the tracepoint's name without its subsystem, e.g. sched_process_exec"));
  plan.enter.config.nargs = uint8_t(spec.args.size());
  for (size_t i = 0; i < spec.args.size(); i++) {
    const KProbeArg& a = spec.args[i];
    if (a.index >= params->size())
      return make_error(policy_error(p, field_pos(a.pos, "index"),
                                     "index " + std::to_string(a.index) + " is past the " +
                                         std::to_string(params->size()) + " arguments of raw tracepoint " +
                                         spec.event));
    if (a.return_copy || a.max_data || a.size_arg_index)
      return make_error(policy_error(p, a.pos, "returnCopy, maxData and sizeArgIndex are not supported on raw tracepoints yet"));
    ArgPick pick;
    pick.arg.offset = uint16_t(8 * a.index);
    pick.arg.size = 8;
    OCTAGON_TRY(pick_btf_arg(p, a, btf, (*params)[a.index], pick));
    plan.enter.config.args[i] = pick.arg;
    plan.enter.config.resolve[i] = pick.resolve;
    plan.render.args.push_back(pick.render);
    slots.push_back(pick.slot);
  }
  return ok();
}

}  // namespace octagon::policy::detail
