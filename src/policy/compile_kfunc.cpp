// kprobes: on kernel functions (not syscalls), fentries: and lsmhooks: -> hook plans on the
// kernel-function mechanisms the kernel has. Arguments are typed by the function's BTF
// prototype (bpf_lsm_<hook> for LSM hooks).
//
// Mechanism order for kprobes: (documented in docs/policies.md, "Kernel functions"):
//   1. fentry (fexit for return: true): a BPF trampoline costs less per call than a kprobe's
//      breakpoint, and fexit sees the arguments and the return value in one program;
//   2. kprobe (+ kretprobe whose entry half saves the argument slots, as for syscalls);
//   3. none: the policy is refused with what is missing.
// fentries: entries need fentry/fexit; lsmhooks: need BPF-LSM. Nothing falls back silently: the
// policy's notes and each hook's mechanism say what was chosen. A kprobe with Override runs
// where the function can return the error (fmod_ret, kprobe + bpf_override_return: see
// compile_override.cpp); an LSM hook denies through its program's return value.
#include <octagon/policy/compile_internal.h>

#include <algorithm>
#include <cstdint>

#include "compile_user.h"

namespace octagon::policy::detail {
namespace {

using events::Argument;

// x86_64 struct pt_regs offsets of the kernel calling convention's argument registers (di, si,
// dx, cx, r8, r9) and of ax (the return value).
constexpr uint16_t kArgRegs[] = {112, 104, 96, 88, 72, 64};
constexpr uint16_t kRegsAx = 80;

enum class Mech { kKprobe, kFentry, kLsm, kFmodRet, kKprobeOverride };

// One kernel-function hook being compiled: where its arguments are and how it attaches.
struct KfuncHook {
  Mech mech = Mech::kKprobe;
  std::string function;    // BTF function (kprobes, fentry) or LSM hook name
  std::string shown_name;  // function_name in events
  BtfFunction proto;
};

Result<void> refuse_extras(const TracingPolicy& p, const KProbeArg& a) {
  if (a.return_copy || a.max_data || a.size_arg_index || a.type == ArgType::kCharBuf)
    return make_error(policy_error(p, field_pos(a.pos, "type"),
                                   "char_buf, returnCopy, maxData and sizeArgIndex are not supported on kernel "
                                   "function hooks yet",
                                   "capture a string (type: string) or the buffer's pointer as an integer"));
  return ok();
}

Result<void> compile_args(const TracingPolicy& p, const HookCommon& spec, const KfuncHook& h, BtfFacts& btf,
                          HookPlan& plan, std::vector<ArgSlot>& slots) {
  plan.enter.config.nargs = uint8_t(spec.args.size());
  for (size_t i = 0; i < spec.args.size(); i++) {
    const KProbeArg& a = spec.args[i];
    if (a.index >= h.proto.params.size())
      return make_error(policy_error(p, field_pos(a.pos, "index"),
                                     "index " + std::to_string(a.index) + " is past the " +
                                         std::to_string(h.proto.params.size()) + " arguments of " + h.function));
    OCTAGON_TRY(refuse_extras(p, a));
    ArgPick pick;
    if (h.mech == Mech::kKprobe || h.mech == Mech::kKprobeOverride) {
      if (a.index >= std::size(kArgRegs))
        return make_error(policy_error(p, field_pos(a.pos, "index"),
                                       "index " + std::to_string(a.index) + ": a kprobe reads only the first 6 "
                                       "arguments (registers)",
                                       "run on a kernel with BPF trampolines (fentry), which see every argument"));
      pick.arg.offset = kArgRegs[a.index];
    } else {
      pick.arg.offset = uint16_t(8 * a.index);
    }
    pick.arg.size = 8;
    OCTAGON_TRY(pick_btf_arg(p, a, btf, h.proto.params[a.index], pick));
    // A char * is read as kernel memory: GCC-built kernels' BTF does not mark __user pointers.
    plan.enter.config.args[i] = pick.arg;
    plan.enter.config.resolve[i] = pick.resolve;
    plan.render.args.push_back(pick.render);
    slots.push_back(pick.slot);
  }
  return ok();
}

// The returnArg's render and the return value's width, from its type or the BTF return type.
Result<ArgRender> return_render(const TracingPolicy& p, const KProbeSpec& spec, const KfuncHook& h,
                                const BtfFacts& btf, uint8_t& ret_size) {
  if (!spec.return_arg) return make_error(policy_error(p, spec.pos, "return: true needs a returnArg"));
  const KProbeArg& r = *spec.return_arg;
  BtfType t = btf.type(h.proto.ret);
  if (h.proto.ret == 0 || t.kind == BtfType::Kind::kVoid)
    return make_error(policy_error(p, field_pos(spec.pos, "return"), h.function + " returns void",
                                   "remove return: true and returnArg"));
  ArgType want = r.type;
  if (want == ArgType::kSock) {  // the struct sock it points to (sk_alloc), read at the return
    ArgPick pick;
    OCTAGON_ASSIGN_OR_RETURN(bool is_object, choose_kobject_arg(p, r, want, btf, BtfValue{h.proto.ret}, pick));
    if (!is_object || pick.resolve.nsteps)
      return make_error(policy_error(p, field_pos(r.pos, "type"), "returnArg type sock needs a struct sock *"));
    pick.render.label = r.label;
    pick.render.capture = pick.arg.kind;  // decoded as the object the kernel captured
    ret_size = 8;
    return pick.render;
  }
  if (want == ArgType::kAuto) {
    bool wide = t.size == 8 || t.kind == BtfType::Kind::kPointer;
    want = wide ? (t.is_signed ? ArgType::kSint64 : ArgType::kUint64) : (t.is_signed ? ArgType::kInt : ArgType::kUint32);
  }
  auto out = integer_render(want, r.label);
  if (!out)
    return make_error(policy_error(p, field_pos(r.pos, "type"),
                                   "returnArg type " + r.type_name + " is not supported on kernel functions yet",
                                   "return values are read as integers (int, long, size_t...)"));
  ret_size = uint8_t(t.size && t.size < 8 ? t.size : 8);
  return *out;
}

std::string mech_name(Mech m, bool ret) {
  switch (m) {
    case Mech::kKprobe: return ret ? "kprobe+kretprobe" : "kprobe";
    case Mech::kFentry: return ret ? "fexit" : "fentry";
    case Mech::kLsm: return "lsm";
    case Mech::kFmodRet: return "fmod_ret";
    case Mech::kKprobeOverride: return "kprobe (override_return)";
  }
  return "?";
}

Result<void> compile_hook(const TracingPolicy& p, const HookCommon& spec, const KProbeSpec* kspec,
                          const KfuncHook& h, KernelFacts& kernel, bool monitor, CompiledPolicy& out) {
  BtfFacts& btf = *kernel.btf();
  const bool ret = kspec && kspec->return_probe;
  const bool overrides = h.mech == Mech::kFmodRet || h.mech == Mech::kKprobeOverride;
  if (ret && overrides)
    return make_error(policy_error(p, field_pos(kspec->pos, "return"),
                                   "return: true together with Override is not supported by Octagon yet",
                                   "remove return: true (an overridden call returns argError)"));
  HookPlan plan;
  plan.render.kind = h.mech == Mech::kLsm ? EventKind::kLsm : EventKind::kKprobe;
  plan.render.function_name = h.shown_name;
  std::vector<ArgSlot> slots;
  OCTAGON_TRY(compile_args(p, spec, h, btf, plan, slots));
  oct_gen_config& cfg = plan.enter.config;
  if (kspec) {
    OCTAGON_TRY(compile_data(p, *kspec, kernel, plan, slots));
  }
  if (ret) {
    uint8_t ret_size = 8;
    OCTAGON_ASSIGN_OR_RETURN(ArgRender r, return_render(p, *kspec, h, btf, ret_size));
    plan.render.ret = r;
    plan.render.return_action = events::KprobeAction::kPost;
    cfg.ret_size = ret_size;
    if (r.kind == events::Argument::Kind::kSock) cfg.ret_kind = OCT_GA_SOCK;
  }
  if (kspec) OCTAGON_TRY(compile_return_sock_action(p, *kspec, plan));
  OCTAGON_TRY(compile_selectors(p, spec, slots, ret, kernel, cfg, plan.render, plan.enter.inmap,
                                &plan.enter.binaries));
  AttachTarget& t = plan.enter.target;
  t.function = h.function;
  switch (h.mech) {
    case Mech::kLsm:
      t.kind = AttachTarget::Kind::kLsm;
      t.lsm_may_deny = override_action(spec) != nullptr;
      cfg.override_ok = t.lsm_may_deny;
      break;
    case Mech::kFmodRet:
    case Mech::kKprobeOverride:
      t.kind = h.mech == Mech::kFmodRet ? AttachTarget::Kind::kFmodRet : AttachTarget::Kind::kKprobeOverride;
      cfg.override_ok = 1;
      break;
    case Mech::kFentry:
      t.kind = ret ? AttachTarget::Kind::kFexit : AttachTarget::Kind::kFentry;
      if (ret) {
        cfg.mode = OCT_MODE_FEXIT;  // the return value follows the arguments
        cfg.ret_offset = uint16_t(8 * h.proto.params.size());
      }
      break;
    case Mech::kKprobe:
      t.kind = AttachTarget::Kind::kKprobe;
      if (ret) {  // the entry saves the argument slots, the kretprobe reads ax and emits
        cfg.mode = OCT_MODE_STORE;
        plan.exit = plan.enter;
        plan.exit->target.retprobe = true;
        plan.exit->config.mode = OCT_MODE_EXIT;
        plan.exit->config.ret_offset = kRegsAx;
      }
      break;
  }
  plan.mechanism = mech_name(h.mech, ret) + " " + h.function;
  finish(p, spec, monitor, plan);
  for (const std::string& n : plan.render.notes)
    if (std::find(out.notes.begin(), out.notes.end(), n) == out.notes.end()) out.notes.push_back(n);
  out.hooks.push_back(std::move(plan));
  return ok();
}

}  // namespace

Result<void> compile_kfunc(const TracingPolicy& p, const KProbeSpec& spec, const std::string& call, bool fentries,
                           KernelFacts& kernel, bool monitor, CompiledPolicy& out, bool prefer_kprobes,
                           bool for_multi) {
  const char* key = fentries ? "fentries" : "kprobes";
  HookSupport hs = kernel.hook_support();
  KfuncHook h;
  h.function = call;
  h.shown_name = call;
  if (fentries || (hs.fentry && !(prefer_kprobes && hs.kprobe))) {
    h.mech = Mech::kFentry;
    if (!hs.fentry)
      return make_error(policy_error(p, field_pos(spec.pos, "call"),
                                     "fentries: hook " + call + " needs BPF trampolines (fentry/fexit): " + hs.fentry_why,
                                     hs.kprobe ? "list the function under kprobes: (this kernel has kprobes)"
                                               : "hook a tracepoint or a syscall (sys_*) instead"));
  } else if (hs.kprobe) {
    h.mech = Mech::kKprobe;
  } else {
    return make_error(policy_error(p, field_pos(spec.pos, "call"),
                                   "kprobe on kernel function " + call +
                                       " needs kprobes or BPF trampolines (fentry), and this kernel has neither: " +
                                       hs.kprobe_why + "; " + hs.fentry_why,
                                   "hook a tracepoint with the same information, or a syscall (sys_*), which "
                                   "runs on syscall tracepoints"));
  }
  BtfFacts* btf = kernel.btf();
  if (!btf)
    return make_error(policy_error(p, field_pos(spec.pos, "call"),
                                   std::string(key) + " on kernel functions need the kernel's BTF (argument "
                                   "types), which is not available"));
  auto proto = btf->function(call);
  if (!proto) {
    std::string what = "kernel function " + call + " is not in the kernel's BTF (no such function, or inlined)";
    if (spec.ignore_call_not_found) {
      out.notes.push_back(std::string(key) + " " + call + ": " + what + "; skipped (ignore.callNotFound)");
      return ok();
    }
    return make_error(policy_error(p, field_pos(spec.pos, "call"), what,
                                   "check the name in /proc/kallsyms, or set ignore: {callNotFound: true}"));
  }
  h.proto = std::move(*proto);
  if (!fentries && override_action(spec)) {
    OCTAGON_ASSIGN_OR_RETURN(OverridePick pick, pick_override(p, spec, call, kernel, monitor, out.notes));
    if (pick.via != OverridePick::Via::kNone) {
      h.mech = pick.via == OverridePick::Via::kFmodRet ? Mech::kFmodRet : Mech::kKprobeOverride;
      OCTAGON_TRY(check_override_errors(p, spec, INT32_MIN, INT32_MAX, call + " returns it instead of running"));
    }
  }
  OCTAGON_TRY(compile_hook(p, spec, &spec, h, kernel, monitor, out));
  if (for_multi && h.mech == Mech::kKprobe) return ok();  // join_kprobe_multi notes the link
  const HookPlan& plan = out.hooks.back();
  std::string why = h.mech == Mech::kFentry ? (fentries ? "" : " (BPF trampoline: cheaper than a kprobe)")
                    : h.mech == Mech::kFmodRet ? " (Override: the function returns argError instead of running)"
                    : h.mech == Mech::kKprobeOverride
                        ? " (Override through bpf_override_return; this kernel cannot fmod_ret " + call + ")"
                    : hs.fentry ? " (kprobes preferred by the load options)"
                                : " (this kernel has no BPF trampolines: " + hs.fentry_why + ")";
  out.notes.push_back(std::string(fentries ? "fentry " : "kprobe ") + call + " runs on " + plan.mechanism + why);
  return ok();
}

Result<void> compile_lsm(const TracingPolicy& p, const LsmHookSpec& spec, KernelFacts& kernel, bool monitor,
                         CompiledPolicy& out) {
  HookSupport hs = kernel.hook_support();
  if (!hs.lsm)
    return make_error(policy_error(p, field_pos(spec.pos, "hook"),
                                   "lsmhooks: hook " + spec.hook + " needs BPF-LSM: " + hs.lsm_why,
                                   hs.kprobe || hs.fentry
                                       ? "hook security_" + spec.hook + " under kprobes: (observation only), or "
                                         "boot with bpf in lsm= (CONFIG_BPF_LSM)"
                                       : "boot a kernel with CONFIG_BPF_LSM and bpf in lsm="));
  BtfFacts* btf = kernel.btf();
  if (!btf)
    return make_error(policy_error(p, field_pos(spec.pos, "hook"),
                                   "lsmhooks need the kernel's BTF, which is not available"));
  auto proto = btf->function("bpf_lsm_" + spec.hook);
  if (!proto)
    return make_error(policy_error(p, field_pos(spec.pos, "hook"),
                                   "no LSM hook " + spec.hook + " on this kernel (no bpf_lsm_" + spec.hook + " in its BTF)",
                                   "the hook is named without the security_ prefix, e.g. file_open"));
  KfuncHook h;
  h.mech = Mech::kLsm;
  h.function = spec.hook;
  h.shown_name = spec.hook;  // process_lsm's function_name: the hook without security_
  h.proto = std::move(*proto);
  if (const Action* a = override_action(spec)) {
    BtfType rt = btf->type(h.proto.ret);
    if (h.proto.ret == 0 || rt.kind == BtfType::Kind::kVoid)
      return make_error(policy_error(p, a->pos, "Override cannot deny on LSM hook " + spec.hook +
                                                    ": the hook returns nothing",
                                     "use Sigkill, or an LSM hook that returns int (e.g. file_open)"));
    OCTAGON_TRY(check_override_errors(p, spec, -4095, -1, "an LSM hook denies with -errno"));
  }
  OCTAGON_TRY(compile_hook(p, spec, nullptr, h, kernel, monitor, out));
  OCTAGON_TRY(compile_ima(p, spec, kernel, out.hooks.back()));
  if (uint8_t f = out.hooks.back().enter.target.ima_file)
    out.notes.push_back("lsm hook " + spec.hook + ": imaHash hashes the " +
                        (f == 2 ? "executed file (linux_binprm->file)" : "file argument") +
                        " with bpf_ima_file_hash in a sleepable lsm.s program");
  if (override_action(spec))
    out.notes.push_back("lsm hook " + spec.hook + ": Override denies the operation with argError (BPF-LSM "
                        "program return value)");
  out.notes.push_back("lsm hook " + spec.hook + " runs on BPF-LSM (process_lsm events)");
  return ok();
}

}  // namespace octagon::policy::detail
