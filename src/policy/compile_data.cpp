// `data:` entries of kprobes (Tetragon's KProbeSpec.data): values that are not function
// arguments. `source: current_task` with a `resolve:` path reads a field of the current
// task_struct (e.g. "pid", "real_parent.tgid", "comm"), typed from the kernel's BTF. Each
// entry takes the next argument slot after the hook's args (5 slots for both together); the
// values are shown in the event's `data` list and matchData filters them in the kernel.
#include <octagon/policy/compile_internal.h>

namespace octagon::policy::detail {

Result<void> compile_data(const TracingPolicy& p, const KProbeSpec& spec, KernelFacts& kernel,
                          HookPlan& plan, std::vector<ArgSlot>& slots) {
  if (spec.data.empty()) return ok();
  oct_gen_config& cfg = plan.enter.config;
  for (size_t i = 0; i < spec.data.size(); i++) {
    const KProbeArg& d = spec.data[i];
    SourcePos at = field_pos(spec.pos, "data[" + std::to_string(i) + "]");
    size_t slot = cfg.nargs;
    if (slot >= OCT_GEN_MAX_ARGS)
      return make_error(policy_error(p, at,
                                     "data[" + std::to_string(i) + "] has no argument slot left: args and data "
                                         "share " + std::to_string(OCT_GEN_MAX_ARGS) + " slots",
                                     "drop an args or data entry"));
    if (d.source == DataSource::kPtRegs)
      return make_error(policy_error(p, field_pos(d.pos, "source"),
                                     "data source pt_regs reads the registers of a kprobe, which this "
                                     "kernel does not have (syscall kprobes run on tracepoints)",
                                     "use source: current_task with a resolve: path"));
    if (d.source != DataSource::kCurrentTask)
      return make_error(policy_error(p, at, "data entries need a source", "add source: current_task"));
    if (d.resolve.empty())
      return make_error(policy_error(p, at, "a current_task data entry needs a resolve: path",
                                     "e.g. resolve: pid, resolve: real_parent.tgid, resolve: comm"));
    if (!d.btf_type.empty() || !d.btf_type_module.empty() || d.return_copy || d.max_data || d.size_arg_index)
      return make_error(policy_error(p, at, "btfType, returnCopy, maxData and sizeArgIndex are not supported on data entries"));
    BtfFacts* btf = kernel.btf();
    if (!btf)
      return make_error(policy_error(p, field_pos(d.pos, "resolve"),
                                     "resolving current_task fields needs the kernel's BTF, which is not available"));
    auto task = btf->struct_id("task_struct");
    if (!task) return make_error(policy_error(p, field_pos(d.pos, "resolve"), task.error().message()));
    ArgPick pick;
    pick.arg.size = 8;
    OCTAGON_ASSIGN_OR_RETURN(BtfValue v, compile_resolve(p, d, *btf, *task, pick.resolve, true));
    OCTAGON_TRY(choose_btf_arg(p, d, *btf, v, pick));
    if (pick.arg.kind == OCT_GA_FD)
      return make_error(policy_error(p, field_pos(d.pos, "type"), "fd data entries are not supported",
                                     "use an integer type"));
    cfg.args[slot] = pick.arg;
    cfg.resolve[slot] = pick.resolve;
    cfg.arg_source[slot] = OCT_GEN_SRC_TASK;
    cfg.nargs = uint8_t(slot + 1);
    plan.render.data.push_back(pick.render);
    slots.push_back(pick.slot);
  }
  return ok();
}

}  // namespace octagon::policy::detail
