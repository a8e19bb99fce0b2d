#include <octagon/policy/compiler.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include <octagon/policy/compile_internal.h>

namespace octagon::policy {
namespace {

using detail::ArgSlot;
using events::Argument;

constexpr uint32_t kSyscallFirstArgField = 5;  // 4 common fields + __syscall_nr

struct ArgChoice {
  oct_gen_arg arg{};
  ArgRender render;
  ArgSlot slot;
};

bool field_is_string(const FormatField& f) {
  return f.type.find("char *") != std::string::npos || f.type.find("char*") != std::string::npos;
}

// Maps a spec argument onto a tracepoint field.
Result<ArgChoice> choose_arg(const TracingPolicy& p, const KProbeArg& a, const FormatField& field,
                             const std::vector<KProbeArg>& all) {
  ArgChoice c;
  c.arg.offset = uint16_t(field.offset);
  c.arg.size = uint8_t(field.size > 8 ? 8 : field.size);
  c.render.label = a.label;
  auto integer = [&](uint8_t bytes, bool is_signed, Argument::Kind kind) {
    c.arg.kind = OCT_GA_INT;
    c.arg.size = bytes;
    c.arg.is_signed = is_signed;
    c.render = {kind, bytes, is_signed, false, a.label};
  };
  if (a.resolve.size())
    return make_error(policy_error(p, field_pos(a.pos, "resolve"),
                                   "resolve needs BTF-typed arguments, which this hook's format fields are not",
                                   "use a raw tracepoint (raw: true), whose arguments are BTF-typed"));
  if (!a.btf_type.empty() || !a.btf_type_module.empty())
    return make_error(policy_error(p, field_pos(a.pos, a.btf_type.empty() ? "btfTypeModule" : "btfType"),
                                   "btfType casts a BTF-typed argument, which this hook's format fields are not",
                                   "use a raw tracepoint (raw: true), whose arguments are BTF-typed"));
  detail::ArgPick more;
  OCTAGON_ASSIGN_OR_RETURN(bool picked, detail::choose_more_tp_arg(p, a, field, all, more));
  if (picked) {
    c.arg = more.arg;
    c.render = more.render;
    c.slot = more.slot;
    return c;
  }
  ArgType t = a.type;
  if (t == ArgType::kAuto) {
    if (field_is_string(field)) t = ArgType::kString;
    else if (field.size == 8) t = field.is_signed ? ArgType::kSint64 : ArgType::kUint64;
    else t = field.is_signed ? ArgType::kInt : ArgType::kUint32;
  }
  switch (t) {
    case ArgType::kInt: case ArgType::kSint32: integer(4, true, Argument::Kind::kInt); break;
    case ArgType::kSint16: integer(2, true, Argument::Kind::kInt); break;
    case ArgType::kSint8: integer(1, true, Argument::Kind::kInt); break;
    case ArgType::kUint32: integer(4, false, Argument::Kind::kUint); break;
    case ArgType::kUint16: integer(2, false, Argument::Kind::kUint); break;
    case ArgType::kUint8: integer(1, false, Argument::Kind::kUint); break;
    case ArgType::kSint64: integer(8, true, Argument::Kind::kLong); break;
    case ArgType::kUint64: case ArgType::kSizeT: integer(8, false, Argument::Kind::kSize); break;
    case ArgType::kSyscall64:  // raw_syscalls id: shown as syscall_id{id, abi}
      integer(8, true, Argument::Kind::kSyscallId);
      break;
    case ArgType::kString: case ArgType::kFilename:
      c.arg.kind = OCT_GA_STR_USER;
      c.arg.size = 8;
      c.arg.max_data = OCT_GEN_ARG_MAX;
      c.render.kind = Argument::Kind::kString;
      c.slot.is_string = true;
      break;
    case ArgType::kCharBuf: {
      if (a.size_arg_index == 0)
        return make_error(policy_error(p, a.pos, "char_buf needs sizeArgIndex (or returnCopy)"));
      uint32_t fn_index = a.size_arg_index - 1, pos = UINT32_MAX;
      for (size_t i = 0; i < all.size(); i++)
        if (all[i].index == fn_index) pos = uint32_t(i);
      if (pos == UINT32_MAX)
        return make_error(policy_error(p, field_pos(a.pos, "sizeArgIndex"),
                                       "the size argument (index " + std::to_string(fn_index) +
                                           ") must also be listed in args",
                                       "add {index: " + std::to_string(fn_index) + ", type: size_t}"));
      c.arg.kind = OCT_GA_BUF_USER;
      c.arg.size = 8;
      c.arg.size_arg = uint8_t(pos);
      c.arg.max_data = OCT_GEN_ARG_MAX;
      if (a.max_data) c.arg.chunk_max = OCT_GEN_MAXDATA_MAX - OCT_GEN_ARG_MAX;  // sent in chunks
      c.render.kind = Argument::Kind::kBytes;
      c.slot.is_string = true;
      break;
    }
    case ArgType::kFd:
      c.arg.kind = OCT_GA_FD;
      c.arg.size = 4;
      c.arg.is_signed = 1;
      c.render.kind = Argument::Kind::kFile;
      c.slot.is_fd = true;
      break;
    default:
      return make_error(policy_error(p, field_pos(a.pos, "type"),
                                     "argument type " + a.type_name + " is not supported on tracepoints yet",
                                     "supported: int family, size_t, string, filename, char_buf, fd"));
  }
  c.slot.kind = c.arg.kind;
  return c;
}

// Why a syscall kprobe runs on the syscall's tracepoints: where the kernel has kprobes this is a
// choice (the tracepoints carry the syscall's own arguments, the same on every kernel and
// architecture, and cost less than a kprobe on the syscall wrapper), elsewhere the only way.
std::string syscall_tracepoint_reason(KernelFacts& k) {
  if (!k.hook_support().kprobe) return "(this kernel has no kprobes)";
  return "(syscall tracepoints: the syscall's own arguments on every kernel, cheaper than a kprobe)";
}

class HookCompiler {
 public:
  HookCompiler(const TracingPolicy& p, KernelFacts& k, CompiledPolicy& out, bool monitor)
      : p_(p), k_(k), out_(out), monitor_(monitor) {}

  Result<void> syscall_kprobe(const KProbeSpec& spec, const std::string& syscall) {
    std::string enter = "sys_enter_" + syscall, exit = "sys_exit_" + syscall;
    // Override needs the arch syscall function (fmod_ret or bpf_override_return), which
    // returns argError instead of running; without Override the syscall stays on its tracepoints.
    const std::string function = k_.syscall_prefix() + "sys_" + syscall;
    detail::OverridePick ov;
    if (detail::override_action(spec)) {
      OCTAGON_ASSIGN_OR_RETURN(ov, detail::pick_override(p_, spec, function, k_, monitor_, out_.notes));
      if (ov.via != detail::OverridePick::Via::kNone)
        OCTAGON_TRY(detail::check_override_errors(p_, spec, INT32_MIN, INT32_MAX,
                                                  function + " returns it instead of running"));
    }
    auto fields = k_.tracepoint_fields("syscalls", enter);
    if (!fields) {
      HookSupport hs = k_.hook_support();
      if (!hs.kprobe && !hs.fentry)
        return make_error(policy_error(p_, field_pos(spec.pos, "call"),
                                       "syscall " + syscall + " has no tracepoint syscalls/" + enter +
                                           " on this kernel, and the kernel has no kprobes: " +
                                           fields.error().message()));
      return make_error(policy_error(p_, field_pos(spec.pos, "call"),
                                     "syscall " + syscall + " has no tracepoint syscalls/" + enter +
                                         " on this kernel (syscall kprobes run on their tracepoints): " +
                                         fields.error().message(),
                                     "hook the syscall's function itself: call: " + k_.syscall_prefix() + "sys_" +
                                         syscall + " with syscall: false"));
    }
    HookPlan plan;
    plan.enter.target.subsystem = "syscalls";
    plan.enter.target.event = enter;
    plan.render.kind = EventKind::kKprobe;
    plan.render.function_name = k_.syscall_prefix() + "sys_" + syscall;
    std::vector<ArgSlot> slots;
    OCTAGON_TRY(fill_args(spec, *fields, kSyscallFirstArgField, plan, slots));
    bool user_memory = false, return_copy = false;
    for (const auto& s : slots)
      user_memory |= s.kind == OCT_GA_STR_USER || s.kind == OCT_GA_BUF_USER || s.user_memory;
    for (const auto& a : spec.args) return_copy |= a.return_copy;
    bool at_exit = spec.return_probe || return_copy;  // events need the syscall's result
    if (at_exit || user_memory) {
      auto xf = k_.tracepoint_fields("syscalls", exit);
      if (!xf) return make_error(policy_error(p_, spec.pos, "no tracepoint syscalls/" + exit));
      uint32_t ret_off = 0;
      for (const auto& f : *xf)
        if (f.name == "ret") ret_off = f.offset;
      plan.exit = plan.enter;
      plan.exit->target.event = exit;
      plan.exit->config.mode = at_exit ? OCT_MODE_EXIT : OCT_MODE_EXIT_DEFER;
      plan.exit->config.ret_offset = uint16_t(ret_off);
      plan.enter.config.mode = at_exit ? OCT_MODE_STORE : OCT_MODE_ENTER_DEFER;
    }
    if (spec.return_probe) {
      if (!spec.return_arg)
        return make_error(policy_error(p_, spec.pos, "return: true needs a returnArg"));
      ArgRender r;
      r.kind = Argument::Kind::kInt;
      r.bytes = 4;
      if (spec.return_arg->type == ArgType::kSint64 || spec.return_arg->type == ArgType::kSizeT ||
          spec.return_arg->type == ArgType::kUint64) {
        r.kind = spec.return_arg->type == ArgType::kSint64 ? Argument::Kind::kLong : Argument::Kind::kSize;
        r.bytes = 8;
      }
      r.label = spec.return_arg->label;
      plan.render.ret = r;
      plan.render.return_action = events::KprobeAction::kPost;
    }
    if (spec.return_arg_action != ReturnArgAction::kNone)
      return make_error(policy_error(p_, field_pos(spec.pos, "returnArgAction"),
                                     "returnArgAction acts on a struct sock the function returns; syscalls "
                                     "return integers",
                                     "track sockets on sk_alloc (return: true, returnArg type sock) where the "
                                     "kernel has kprobes or fentry, or remove returnArgAction"));
    OCTAGON_TRY(detail::compile_data(p_, spec, k_, plan, slots));
    OCTAGON_TRY(detail::compile_selectors(p_, spec, slots, spec.return_probe, k_, plan.enter.config,
                                          plan.render, plan.enter.inmap, &plan.enter.binaries));
    if (plan.exit) {
      auto keep_mode = plan.exit->config.mode;
      auto keep_ret = plan.exit->config.ret_offset;
      plan.exit->config = plan.enter.config;
      plan.exit->inmap = plan.enter.inmap;
      plan.exit->binaries = plan.enter.binaries;
      plan.exit->config.mode = keep_mode;
      plan.exit->config.ret_offset = keep_ret;
    }
    if (ov.via != detail::OverridePick::Via::kNone) {
      OCTAGON_TRY(detail::syscall_override_plan(p_, spec, function, ov.via, plan));
      out_.notes.push_back("kprobe " + spec.call + " runs on " + plan.mechanism +
                           " (Override: the syscall returns argError instead of running; its arguments are "
                           "read when it starts)");
      finish(spec, std::move(plan));
      return ok();
    }
    plan.mechanism = "tracepoint syscalls/" + enter + (plan.exit ? " + syscalls/" + exit : "");
    if (spec.call_list.empty())  // list: kprobes get one note for all their calls
      out_.notes.push_back("kprobe " + spec.call + " runs on " + plan.mechanism + " " +
                           syscall_tracepoint_reason(k_));
    finish(spec, std::move(plan));
    return ok();
  }

  Result<void> tracepoint(const TracepointSpec& spec) {
    if (spec.raw) return raw_tracepoint(spec);
    for (const auto& a : spec.args)
      if (a.return_copy)
        return make_error(policy_error(p_, field_pos(a.pos, "returnCopy"),
                                       "returnCopy needs the syscall's exit, which a tracepoint hook does not have",
                                       "hook the syscall as a kprobe (e.g. call: sys_read) to copy at its return"));
    auto fields = k_.tracepoint_fields(spec.subsystem, spec.event);
    if (!fields)
      return make_error(policy_error(p_, field_pos(spec.pos, "event"),
                                     "no tracepoint " + spec.subsystem + "/" + spec.event + ": " +
                                         fields.error().message()));
    HookPlan plan;
    plan.enter.target.subsystem = spec.subsystem;
    plan.enter.target.event = spec.event;
    plan.render.kind = EventKind::kTracepoint;
    plan.render.subsys = spec.subsystem;
    plan.render.event = spec.event;
    std::vector<ArgSlot> slots;
    OCTAGON_TRY(fill_args(spec, *fields, 0, plan, slots));
    for (const auto& s : slots)
      if ((s.kind == OCT_GA_STR_USER || s.user_memory) && spec.subsystem != "syscalls")
        return make_error(policy_error(p_, spec.pos, "string arguments are read as user memory, which only syscall tracepoints carry"));
    OCTAGON_TRY(detail::compile_selectors(p_, spec, slots, false, k_, plan.enter.config, plan.render,
                                          plan.enter.inmap, &plan.enter.binaries));
    plan.mechanism = "tracepoint " + spec.subsystem + "/" + spec.event;
    finish(spec, std::move(plan));
    return ok();
  }

  Result<void> raw_tracepoint(const TracepointSpec& spec) {
    BtfFacts* btf = k_.btf();
    if (!btf)
      return make_error(policy_error(p_, field_pos(spec.pos, "raw"),
                                     "raw tracepoints need the kernel's BTF, which is not available",
                                     "drop raw: true to use the perf tracepoint with format-file arguments"));
    HookPlan plan;
    plan.enter.target.kind = AttachTarget::Kind::kRawTracepoint;
    plan.enter.target.subsystem = spec.subsystem;
    plan.enter.target.event = spec.event;
    plan.render.kind = EventKind::kTracepoint;
    plan.render.subsys = spec.subsystem;
    plan.render.event = spec.event;
    std::vector<ArgSlot> slots;
    OCTAGON_TRY(detail::compile_raw_args(p_, spec, *btf, plan, slots));
    OCTAGON_TRY(detail::compile_selectors(p_, spec, slots, false, k_, plan.enter.config, plan.render,
                                          plan.enter.inmap));
    plan.mechanism = "raw tracepoint " + spec.event;
    finish(spec, std::move(plan));
    return ok();
  }

 private:
  Result<void> fill_args(const HookCommon& spec, const std::vector<FormatField>& fields,
                         uint32_t base, HookPlan& plan, std::vector<ArgSlot>& slots) {
    plan.enter.config.nargs = uint8_t(spec.args.size());
    for (size_t i = 0; i < spec.args.size(); i++) {
      const KProbeArg& a = spec.args[i];
      uint32_t fi = base + a.index;
      if (fi >= fields.size())
        return make_error(policy_error(p_, field_pos(a.pos, "index"),
                                       "index " + std::to_string(a.index) + " is past the " +
                                           std::to_string(fields.size() - base) + " fields of the event"));
      OCTAGON_ASSIGN_OR_RETURN(ArgChoice c, choose_arg(p_, a, fields[fi], spec.args));
      plan.enter.config.args[i] = c.arg;
      plan.render.args.push_back(c.render);
      slots.push_back(c.slot);
    }
    return ok();
  }

  void finish(const HookCommon& spec, HookPlan&& plan) {
    plan.render.policy_name = p_.name;
    plan.render.message = spec.message;
    plan.render.tags = spec.tags;
    plan.enter.config.monitor = monitor_;
    if (plan.exit) plan.exit->config.monitor = monitor_;
    detail::set_sock_owner_arg(plan);
    for (const std::string& n : plan.render.notes)  // once, also for list: kprobes
      if (std::find(out_.notes.begin(), out_.notes.end(), n) == out_.notes.end()) out_.notes.push_back(n);
    out_.hooks.push_back(std::move(plan));
  }

  const TracingPolicy& p_;
  KernelFacts& k_;
  CompiledPolicy& out_;
  bool monitor_;
};

Result<std::vector<std::string>> calls_of(const TracingPolicy& p, const KProbeSpec& spec, KernelFacts& k,
                                          std::vector<std::string>& notes) {
  if (spec.call_list.empty()) return std::vector<std::string>{spec.call};
  return detail::list_calls(p, spec, k, notes);
}

}  // namespace

std::string syscall_of(std::string_view call) {
  for (std::string_view prefix : {"__x64_sys_", "__arm64_sys_", "__ia32_sys_", "sys_"})
    if (call.rfind(prefix, 0) == 0 && call.size() > prefix.size())
      return std::string(call.substr(prefix.size()));
  return "";
}

Result<CompiledPolicy> compile_policy(const TracingPolicy& p, KernelFacts& kernel,
                                      const CompileOptions& options) {
  CompiledPolicy out;
  out.name = p.name;
  out.namespace_ = p.namespace_name;
  out.mode = options.mode_override.value_or(p.options.policy_mode.value_or(PolicyMode::kEnforce));
  auto refuse = [&](bool present, const SourcePos& pos, const std::string& what,
                    const std::string& hint) -> Result<void> {
    if (!present) return ok();
    return make_error(policy_error(p, pos, what, hint));
  };
  // The enforcer program (signal + return override on the listed calls) cannot exist here:
  // NotifyEnforcer with argSig signals from the hook itself, without argSig it is refused.
  if (!p.enforcers.empty())
    out.notes.push_back("enforcers: no enforcer program is attached (no override on this kernel); "
                        "NotifyEnforcer actions signal the task from the hook that matched");
  if (p.loader) {
    out.loader = true;
    out.notes.push_back("loader: process_loader events from perf mmap2 records read in user space; "
                        "no kprobe needed");
  }
  OCTAGON_TRY(refuse(p.pod_selector || p.container_selector || p.host_selector || p.node_selector ||
                         p.kind == PolicyKind::kTracingPolicyNamespaced,
                     p.spec_pos,
                     "namespaced policies and pod, container, host and node selectors need Kubernetes "
                     "data, which Octagon does not have yet",
                     "use a cluster-wide TracingPolicy without workload selectors"));

  HookCompiler hc(p, kernel, out, out.mode == PolicyMode::kMonitor);
  for (const KProbeSpec& k : p.kprobes) {
    OCTAGON_ASSIGN_OR_RETURN(std::vector<std::string> calls, calls_of(p, k, kernel, out.notes));
    // Syscalls stay on their tracepoints (every kernel has them); syscall: false on a
    // __x64_sys_* name hooks the wrapper function itself.
    auto kernel_function = [&](const std::string& call) {
      return syscall_of(call).empty() || (!k.syscall && call.rfind("sys_", 0) != 0);
    };
    std::string multi_note;
    const size_t nfunctions = size_t(std::count_if(calls.begin(), calls.end(), kernel_function));
    const bool multi = detail::wants_kprobe_multi(p, k, nfunctions, kernel, multi_note);
    if (!multi_note.empty()) out.notes.push_back(multi_note);
    const size_t first = out.hooks.size();
    size_t syscalls = 0;
    for (const std::string& call : calls) {
      std::string sc = syscall_of(call);
      if (kernel_function(call)) {
        OCTAGON_TRY(detail::compile_kfunc(p, k, call, false, kernel, out.mode == PolicyMode::kMonitor, out,
                                          options.prefer_kprobes || multi, multi));
        continue;
      }
      OCTAGON_TRY(hc.syscall_kprobe(k, sc));
      if (out.hooks.back().enter.target.kind == AttachTarget::Kind::kTracepoint) syscalls++;
    }
    if (multi) detail::join_kprobe_multi(k, out, first);
    if (!k.call_list.empty() && syscalls)
      out.notes.push_back("kprobe " + k.call + " (" + std::to_string(syscalls) +
                          " syscalls) runs on their syscalls/sys_enter_* tracepoints " +
                          syscall_tracepoint_reason(kernel));
  }
  for (const KProbeSpec& k : p.fentries) {
    OCTAGON_ASSIGN_OR_RETURN(std::vector<std::string> calls, calls_of(p, k, kernel, out.notes));
    for (const std::string& call : calls)
      OCTAGON_TRY(detail::compile_kfunc(p, k, call, true, kernel, out.mode == PolicyMode::kMonitor, out));
  }
  for (const LsmHookSpec& l : p.lsmhooks)
    OCTAGON_TRY(detail::compile_lsm(p, l, kernel, out.mode == PolicyMode::kMonitor, out));
  for (const TracepointSpec& t : p.tracepoints) OCTAGON_TRY(hc.tracepoint(t));
  for (const UProbeSpec& u : p.uprobes)
    OCTAGON_TRY(detail::compile_uprobe(p, u, kernel, out.mode == PolicyMode::kMonitor, out));
  for (const UsdtSpec& u : p.usdts)
    OCTAGON_TRY(detail::compile_usdt(p, u, kernel, out.mode == PolicyMode::kMonitor, out));
  if (out.hooks.empty() && !out.loader)
    return make_error(policy_error(p, p.spec_pos, "the policy has no hooks"));
  return out;
}

}  // namespace octagon::policy
