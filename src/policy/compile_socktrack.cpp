// Socket ownership (Tetragon's TrackSock/UntrackSock): which sock a hook tracks or forgets, and
// which argument's tracked owner becomes the event's process (bpf/lib/generic/socktrack.bpf.h).
#include <octagon/policy/compile_internal.h>

namespace octagon::policy::detail {

using events::Argument;

Result<void> compile_return_sock_action(const TracingPolicy& p, const KProbeSpec& spec, HookPlan& plan) {
  if (spec.return_arg_action == ReturnArgAction::kNone) return ok();
  const bool sock_ret = spec.return_probe && plan.render.ret && plan.render.ret->kind == Argument::Kind::kSock;
  if (!sock_ret)
    return make_error(policy_error(p, field_pos(spec.pos, "returnArgAction"),
                                   std::string(enum_name(spec.return_arg_action)) +
                                       " acts on the struct sock the function returns: it needs return: true "
                                       "and a returnArg of type sock",
                                   "e.g. call: sk_alloc, return: true, returnArg: {index: 0, type: sock}"));
  oct_gen_config& cfg = plan.exit ? plan.exit->config : plan.enter.config;
  cfg.ret_sock_action = spec.return_arg_action == ReturnArgAction::kTrackSock ? OCT_SOCK_TRACK : OCT_SOCK_UNTRACK;
  return ok();
}

Result<void> compile_sock_action(const TracingPolicy& p, const Action& a, const HookRender& render,
                                 oct_gen_selector& out) {
  const uint32_t i = a.arg_sock.value_or(0);
  if (i >= render.args.size() || render.args[i].kind != Argument::Kind::kSock)
    return make_error(policy_error(p, field_pos(a.pos, a.arg_sock ? "argSock" : "action"),
                                   std::string(enum_name(a.type)) + " needs argSock: the position of a sock "
                                       "argument in args, and argument " + std::to_string(i) +
                                       (i < render.args.size() ? " is not of type sock or socket" : " does not exist"),
                                   "e.g. args: [{index: 0, type: sock}] with argSock: 0"));
  out.sock_action = a.type == ActionType::kTrackSock ? OCT_SOCK_TRACK : OCT_SOCK_UNTRACK;
  out.sock_arg = uint8_t(i);
  return ok();
}

void set_sock_owner_arg(HookPlan& plan) {
  for (size_t i = 0; i < plan.render.args.size() && i < OCT_GEN_MAX_ARGS; i++)
    if (plan.render.args[i].kind == Argument::Kind::kSock && !plan.render.args[i].nop) {
      plan.enter.config.sock_owner_arg = uint8_t(i + 1);
      if (plan.exit) plan.exit->config.sock_owner_arg = uint8_t(i + 1);
      return;
    }
}

}  // namespace octagon::policy::detail
