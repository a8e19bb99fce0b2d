// matchActions -> the selector's kernel actions (oct_gen_selector: signal, post, rateLimit,
// stacks) and what user space does or shows (HookRender: shown action, GetUrl/DnsLookup).
#include <limits>

#include <octagon/policy/compile_internal.h>
#include <octagon/policy/http_url.h>

namespace octagon::policy::detail {
namespace {

using events::KprobeAction;

constexpr uint64_t kNsPerSecond = 1'000'000'000ull;

Result<void> compile_post(const TracingPolicy& p, const Action& a, const HookRender& render,
                          oct_gen_selector& out) {
  if (a.ima_hash) {  // the hook and the kernel are checked by compile_ima (compile_ima.cpp)
    if (render.kind != EventKind::kLsm)
      return make_error(policy_error(
          p, field_pos(a.pos, "imaHash"),
          "imaHash works on lsmhooks: only (the hash of the file of a BPF-LSM hook, process_lsm "
          "events)",
          "hook the LSM hook under lsmhooks: (e.g. bprm_check_security, file_open), or remove imaHash"));
    out.ima_hash = 1;
  }
  if (a.kernel_stack_trace || a.user_stack_trace) {
    if (render.kind != EventKind::kKprobe)
      return make_error(policy_error(
          p, field_pos(a.pos, a.kernel_stack_trace ? "kernelStackTrace" : "userStackTrace"),
          "stack traces are carried by process_kprobe events only; this hook's events have no "
          "stack trace fields",
          "use a kprobe hook (sys_* calls work on this kernel) or remove the field"));
    out.stack = uint8_t((a.kernel_stack_trace ? OCT_GEN_STACK_KERNEL : 0) |
                        (a.user_stack_trace ? OCT_GEN_STACK_USER : 0));
  }
  if (a.rate_limit) {
    if (a.rate_limit->window_seconds > std::numeric_limits<uint64_t>::max() / kNsPerSecond)
      return make_error(
          policy_error(p, field_pos(a.pos, "rateLimit"), "rateLimit window too long"));
    out.rate_limit_ns = a.rate_limit->window_seconds * kNsPerSecond;
    switch (a.rate_limit_scope) {
    case RateLimitScope::kThread:
      out.rate_limit_scope = OCT_RL_THREAD;
      break;
    case RateLimitScope::kProcess:
      out.rate_limit_scope = OCT_RL_PROCESS;
      break;
    case RateLimitScope::kGlobal:
      out.rate_limit_scope = OCT_RL_GLOBAL;
      break;
    }
  }
  return ok();
}

Result<UserAction> compile_user_action(const TracingPolicy& p, const Action& a) {
  UserAction u;
  if (a.type == ActionType::kGetUrl) {
    HttpUrlResult r = parse_http_url(a.arg_url);
    if (!r.url)
      return make_error(policy_error(p, field_pos(a.pos, "argUrl"), r.problem,
                                     "give an http:// URL, e.g. http://canary.example/token"));
    u.kind = UserAction::Kind::kGetUrl;
    u.target = a.arg_url;
    return u;
  }
  if (!is_dns_name(a.arg_fqdn))
    return make_error(policy_error(p, field_pos(a.pos, "argFqdn"),
                                   "'" + a.arg_fqdn + "' is not a DNS name",
                                   "labels of letters, digits, '-' and '_', 253 bytes at most"));
  u.kind = UserAction::Kind::kDnsLookup;
  u.target = a.arg_fqdn;
  return u;
}

} // namespace

Result<void> compile_actions(const TracingPolicy& p, const Selector& s, oct_gen_selector& out,
                             HookRender& render) {
  out.action = OCT_ACT_POST;
  out.post = 1;
  KprobeAction shown = KprobeAction::kPost;
  SelectorRender sr;
  bool enforce_set = false;
  auto set_signal = [&](const Action& a, uint8_t action, uint32_t sig,
                        KprobeAction as) -> Result<void> {
    if (enforce_set)
      return make_error(policy_error(p, a.pos, "only one signal action per selector"));
    enforce_set = true;
    out.action = action;  // with an Override too: action_done then tells about the signal
    out.signal = sig;
    if (out.signal == 0 || out.signal > 64)
      return make_error(
          policy_error(p, field_pos(a.pos, "argSig"), "needs argSig between 1 and 64"));
    if (!out.override) shown = as;  // the first enforcement action listed is shown
    return ok();
  };
  for (const Action& a : s.match_actions) {
    switch (a.type) {
    case ActionType::kPost:
      OCTAGON_TRY(compile_post(p, a, render, out));
      break;
    case ActionType::kNoPost:
      out.post = 0;
      sr.post = false;
      shown = KprobeAction::kNoPost;
      break;
    case ActionType::kSigkill:
      OCTAGON_TRY(set_signal(a, OCT_ACT_SIGKILL, 9, KprobeAction::kSigkill));
      break;
    case ActionType::kSignal:
      OCTAGON_TRY(set_signal(a, OCT_ACT_SIGNAL, a.arg_sig.value_or(0), KprobeAction::kSignal));
      break;
    case ActionType::kNotifyEnforcer:
      // Tetragon's enforcer program signals and overrides the return value at the syscall;
      // without override support the hook sends the signal itself.
      if (!a.arg_sig)
        return make_error(policy_error(
            p, a.pos,
            "NotifyEnforcer without argSig would only override the return value, which this "
            "kernel cannot do (no kprobe override, fmod_ret or BPF-LSM)",
            "add argSig (e.g. 9) so the hook signals the task itself"));
      OCTAGON_TRY(set_signal(a, OCT_ACT_SIGNAL, *a.arg_sig, KprobeAction::kNotifyEnforcer));
      if (a.arg_error)
        render.notes.push_back(format_diagnostic(
            p.source, field_pos(a.pos, "argError"),
            "NotifyEnforcer: argError " + std::to_string(*a.arg_error) +
                " cannot be returned on this kernel (no override); the task gets signal " +
                std::to_string(*a.arg_sig) + " from the hook and the syscall may still complete"));
      break;
    case ActionType::kCleanupEnforcerNotification:
      // NotifyEnforcer signals at once here: no notification is ever left pending.
      render.notes.push_back(format_diagnostic(
          p.source, field_pos(a.pos, "action"),
          "CleanupEnforcerNotification has nothing to clean up: NotifyEnforcer acts in the hook "
          "itself on this kernel"));
      break;
    case ActionType::kGetUrl:
    case ActionType::kDnsLookup: {
      OCTAGON_ASSIGN_OR_RETURN(UserAction u, compile_user_action(p, a));
      sr.user_actions.push_back(std::move(u));
      out.user_action = 1;
      if (shown == KprobeAction::kPost)
        shown = a.type == ActionType::kGetUrl ? KprobeAction::kGetUrl : KprobeAction::kDnsLookup;
      break;
    }
    case ActionType::kOverride:
      // The hook's compiler chose a mechanism that returns the error (or, in monitor mode,
      // none: the plan's override_ok is then 0 and events say it was not done).
      if (out.override)
        return make_error(policy_error(p, a.pos, "only one Override per selector"));
      out.override = 1;
      out.override_error = a.arg_error.value_or(0);
      if (!enforce_set) {
        out.action = OCT_ACT_OVERRIDE;
        shown = KprobeAction::kOverride;
      }
      break;
    case ActionType::kTrackSock:
    case ActionType::kUntrackSock:
      if (out.sock_action)
        return make_error(policy_error(p, a.pos, "only one TrackSock or UntrackSock per selector"));
      OCTAGON_TRY(compile_sock_action(p, a, render, out));
      break;
    default:
      return make_error(policy_error(p, a.pos,
                                     "action " + std::string(enum_name(a.type)) +
                                         " is not supported by Octagon yet"));
    }
  }
  render.selector_actions.push_back(shown);
  render.selectors.push_back(std::move(sr));
  return ok();
}

} // namespace octagon::policy::detail
