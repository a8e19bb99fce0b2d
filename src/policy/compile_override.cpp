// Override: a hook makes the kernel function return argError instead of running, or an LSM hook
// denies with it. Which mechanism can do that depends on the function and the kernel:
//   1. fmod_ret (BPF_MODIFY_RETURN): security_* functions and functions on the kernel's
//      error-injection list (ALLOW_ERROR_INJECTION: the arch syscall functions, when the kernel
//      has CONFIG_FUNCTION_ERROR_INJECTION; no Debian kernel does);
//   2. a kprobe calling bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE; error-injection list);
//   3. none: refused in enforce mode, naming what is missing; in monitor mode the hook observes
//      on its usual mechanism and its events say Override was not done.
// lsmhooks: deny through the BPF-LSM program's return value (compile_kfunc.cpp).
#include <octagon/policy/compile_internal.h>

namespace octagon::policy::detail {
namespace {

// x86_64 struct pt_regs offsets of the syscall argument registers (di, si, dx, r10, r8, r9) and
// of di, where an arch syscall function (__x64_sys_*) finds its struct pt_regs *.
constexpr uint16_t kSyscallArgRegs[] = {112, 104, 96, 56, 72, 64};
constexpr uint16_t kRegsDi = 112;

}  // namespace

const Action* override_action(const HookCommon& hook) {
  for (const Selector& s : hook.selectors)
    for (const Action& a : s.match_actions)
      if (a.type == ActionType::kOverride) return &a;
  return nullptr;
}

Result<OverridePick> pick_override(const TracingPolicy& p, const HookCommon& hook, const std::string& function,
                                   KernelFacts& kernel, bool monitor, std::vector<std::string>& notes) {
  OverridePick pick;
  const Action* a = override_action(hook);
  if (!a) return pick;
  HookSupport hs = kernel.hook_support();
  OverrideSupport os = kernel.override_support(function);
  if (hs.fentry && os.fmod_ret) {
    pick.via = OverridePick::Via::kFmodRet;
    return pick;
  }
  if (hs.kprobe && os.override_return) {
    pick.via = OverridePick::Via::kKprobeOverride;
    return pick;
  }
  std::string missing = "fmod_ret: " + (hs.fentry ? os.fmod_ret_why : hs.fentry_why) +
                        "; kprobe with bpf_override_return: " + (hs.kprobe ? os.override_return_why : hs.kprobe_why);
  if (!monitor)
    return make_error(policy_error(
        p, a->pos, "Override cannot work on this kernel for " + function + ": " + missing,
        "security_* functions can be overridden where the kernel has BPF trampolines (fmod_ret), syscalls only "
        "where it has error injection (CONFIG_FUNCTION_ERROR_INJECTION); use lsmhooks: on a kernel with BPF-LSM, "
        "Sigkill, or policy-mode monitor to observe only"));
  notes.push_back("Override on " + function + " is not enforced: monitor mode, and this kernel could not (" +
                  missing + "); events show the action as not done");
  return pick;
}

Result<void> check_override_errors(const TracingPolicy& p, const HookCommon& hook, int64_t lo, int64_t hi,
                                   const std::string& what) {
  for (const Selector& s : hook.selectors)
    for (const Action& a : s.match_actions) {
      if (a.type != ActionType::kOverride) continue;
      int64_t e = a.arg_error.value_or(0);
      if (e == 0 || e < lo || e > hi)
        return make_error(policy_error(p, field_pos(a.pos, a.arg_error ? "argError" : "action"),
                                       "Override needs argError between " + std::to_string(lo) + " and " +
                                           std::to_string(hi) + " here (" + what + "), not " + std::to_string(e),
                                       "e.g. argError: -1 (EPERM)"));
    }
  return ok();
}

Result<void> syscall_override_plan(const TracingPolicy& p, const KProbeSpec& spec, const std::string& function,
                                   OverridePick::Via via, HookPlan& plan) {
  if (spec.return_probe)
    return make_error(policy_error(p, field_pos(spec.pos, "return"),
                                   "return: true together with Override on a syscall is not supported by Octagon yet",
                                   "remove return: true (an overridden call returns argError)"));
  if (!spec.data.empty())
    return make_error(policy_error(p, field_pos(spec.pos, "data"),
                                   "data: together with Override on a syscall is not supported by Octagon yet"));
  oct_gen_config& cfg = plan.enter.config;
  for (size_t i = 0; i < spec.args.size() && i < OCT_GEN_MAX_ARGS; i++) {
    const KProbeArg& a = spec.args[i];
    oct_gen_arg& g = cfg.args[i];
    if (a.return_copy || g.kind == OCT_GA_CONST_BUF || g.kind == OCT_GA_DATA_LOC)
      return make_error(policy_error(p, field_pos(a.pos, "type"),
                                     "argument type " + a.type_name + " is not supported with Override on a "
                                     "syscall yet (the arguments are read when the syscall starts)"));
    if (a.index >= std::size(kSyscallArgRegs))
      return make_error(policy_error(p, field_pos(a.pos, "index"), "a syscall has at most 6 arguments"));
    // The slot is the struct pt_regs * (fmod_ret: argument 0; kprobe: in di), then one load
    // of the register, which the tracepoint field held: the same value, sign and kind.
    uint8_t size = g.size;
    g.offset = via == OverridePick::Via::kFmodRet ? 0 : kRegsDi;
    g.size = 8;
    oct_gen_resolve& r = cfg.resolve[i];
    r = {};
    r.nsteps = 1;
    r.steps[0].offset = kSyscallArgRegs[a.index];
    r.steps[0].deref_size = 8;
    if (g.kind == OCT_GA_INT && g.is_signed && size < 8) r.sign_size = size;
  }
  plan.exit.reset();
  cfg.mode = OCT_MODE_FULL;
  cfg.override_ok = 1;
  AttachTarget& t = plan.enter.target;
  t = {};
  t.function = function;
  t.kind = via == OverridePick::Via::kFmodRet ? AttachTarget::Kind::kFmodRet : AttachTarget::Kind::kKprobeOverride;
  plan.mechanism = describe(t);
  return ok();
}

}  // namespace octagon::policy::detail
