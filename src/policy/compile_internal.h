// Shared between the compiler's files (not a public header).
#pragma once

#include <octagon/policy/compiler.h>

namespace octagon::policy::detail {

// What the compiler knows about each captured argument while compiling selectors.
struct ArgSlot {
  uint8_t kind = 0;       // enum oct_gen_arg_kind
  bool is_string = false; // string filters apply
  bool is_fd = false;
  bool user_memory = false; // reads user memory (sockaddr, iovec...): pair with the syscall exit
  bool sockaddr_un = false; // OCT_GA_SOCKADDR spelled sockaddr_un: Family applies, not SAddr/SPort
  std::string no_filters;   // matchArgs/matchData are refused on it: what it is ("a sock argument")
  std::string net_type;     // "sock", "socket" or "skb": network operators apply (compile_sockaddr.cpp)
};

// One argument's plan, as the compiler picks it.
struct ArgPick {
  oct_gen_arg arg{};
  oct_gen_resolve resolve{};
  ArgRender render;
  ArgSlot slot;
};

// What a raw tracepoint argument's slot holds once its resolve: path (if any) is followed: a
// value of BTF type `type`, or, when address_of, the address of an embedded `type` object.
struct BtfValue {
  uint32_t type = 0;
  bool address_of = false;
};

// Compiles a `resolve:` path ("mm.owner.pid", "f_path.dentry", "cap[1]") that starts from a
// pointer of BTF type `start` into steps; errors name the component that does not resolve.
Result<BtfValue> compile_resolve(const TracingPolicy& p, const KProbeArg& a, const BtfFacts& btf,
                                 uint32_t start, oct_gen_resolve& out, bool start_is_struct = false);
// (start_is_struct: `start` is the struct itself, whose address the slot holds.)

// Picks how a BTF-typed value (a raw tracepoint argument, a resolve: result) is captured and
// shown for the spec type of `a` (compile_rawtp.cpp).
Result<void> choose_btf_arg(const TracingPolicy& p, const KProbeArg& a, const BtfFacts& btf,
                            const BtfValue& v, ArgPick& out);

// Kernel-object argument types (compile_kobjects.cpp): kiocb, sock, socket, skb, net_device,
// user_namespace, kernel_cap_t and cap_*, bpf_attr, bpf_prog, bpf_map, perf_event, module,
// load_info, checked against the BTF value `v`. False when `t` is none of them.
Result<bool> choose_kobject_arg(const TracingPolicy& p, const KProbeArg& a, ArgType t, const BtfFacts& btf,
                                const BtfValue& v, ArgPick& out);

// A BTF-typed slot value of type `type` (a raw tracepoint or kernel function argument): its
// btfType cast and resolve: path (into pick.resolve), then choose_btf_arg. pick.arg.offset is
// left as the caller set it.
Result<void> pick_btf_arg(const TracingPolicy& p, const KProbeArg& a, const BtfFacts& btf, uint32_t type,
                          ArgPick& pick);

// data[] entries of a kprobe (compile_data.cpp): appended to the plan's args after the hook's
// own, each resolved from its source; their render goes to render.data.
Result<void> compile_data(const TracingPolicy& p, const KProbeSpec& spec, KernelFacts& kernel,
                          HookPlan& plan, std::vector<ArgSlot>& slots);

// The arguments of a `raw: true` tracepoint, typed from the kernel's BTF.
Result<void> compile_raw_args(const TracingPolicy& p, const TracepointSpec& spec, BtfFacts& btf,
                              HookPlan& plan, std::vector<ArgSlot>& slots);

// Types of perf tracepoint fields (syscall arguments included) beyond the integer, string,
// char_buf and fd ones: sockaddr, sockaddr_un, char_iovec, const_buf, data_loc, capability,
// char_buf with returnCopy. `all` is the hook's args list (for sizeArgIndex). Returns false
// when `a.type` is not one of them.
Result<bool> choose_more_tp_arg(const TracingPolicy& p, const KProbeArg& a, const FormatField& field,
                                const std::vector<KProbeArg>& all, ArgPick& out);

// Position in `all` of the argument whose function index is sizeArgIndex - 1, or an error.
Result<uint8_t> size_arg_position(const TracingPolicy& p, const KProbeArg& a,
                                  const std::vector<KProbeArg>& all);

// Compiles one hook's selectors into cfg (nselectors, selectors, proc_needs) and
// render.selector_actions; InMap sets go to `inmap`, binary path sets to `binaries` (hook
// types without that map pass nullptr: matchBinaries is then refused).
Result<void> compile_selectors(const TracingPolicy& policy, const HookCommon& hook,
                               const std::vector<ArgSlot>& slots, bool has_return,
                               KernelFacts& kernel, oct_gen_config& cfg, HookRender& render,
                               std::vector<oct_gen_inmap_key>& inmap,
                               std::vector<oct_gen_lpm_key>* binaries = nullptr);

// A network operator (SAddr, SPort, Family...) on argument `arg`, or any operator on a sockaddr,
// sock, socket or skb argument (compile_sockaddr.cpp): refused unless it is a network operator
// the argument's type takes; CIDRs go to `lpm` (nullptr: refused).
Result<void> compile_sockaddr_filter(const TracingPolicy& policy, const ArgFilter& f, uint8_t arg,
                                     const ArgSlot& slot, uint32_t set, oct_gen_filter& out,
                                     std::vector<oct_gen_inmap_key>& inmap, std::vector<oct_gen_lpm_key>* lpm);

// The process filters of selector `si` (compile_process_filters.cpp).
Result<void> compile_process_filters(const TracingPolicy& policy, const Selector& s, size_t si,
                                     KernelFacts& kernel, oct_gen_config& cfg,
                                     std::vector<oct_gen_lpm_key>* binaries);

// Compiles one selector's matchActions into `out` and appends the selector's shown action,
// SelectorRender and notes to `render`.
Result<void> compile_actions(const TracingPolicy& policy, const Selector& selector,
                             oct_gen_selector& out, HookRender& render);

// Socket ownership (compile_socktrack.cpp): a kernel function's returnArgAction on the sock it
// returns; a selector's TrackSock/UntrackSock on its argSock; and the sock argument whose
// tracked owner the hook's events name (the first one, set on both halves of the plan).
Result<void> compile_return_sock_action(const TracingPolicy& policy, const KProbeSpec& spec, HookPlan& plan);
Result<void> compile_sock_action(const TracingPolicy& policy, const Action& a, const HookRender& render,
                                 oct_gen_selector& out);
void set_sock_owner_arg(HookPlan& plan);

// A kprobes: (or fentries:) entry's call `call` on a kernel function that is not handled as a
// syscall (compile_kfunc.cpp): fentry/fexit when the kernel has BPF trampolines, else kprobe
// (+ kretprobe); appended to out (or skipped with a note under ignore.callNotFound).
Result<void> compile_kfunc(const TracingPolicy& policy, const KProbeSpec& spec, const std::string& call,
                           bool fentries, KernelFacts& kernel, bool monitor, CompiledPolicy& out,
                           bool prefer_kprobes = false, bool for_multi = false);

// kprobe.multi (compile_kprobe_multi.cpp). Whether the kernel-function calls of kprobes: entry
// `spec` (`ncalls` of them) go on kprobe.multi links: the kernel has them, the policy does not
// disable them, and the calls are plain kprobes (no return half, no Override). `note` says why
// not when the entry has several calls.
bool wants_kprobe_multi(const TracingPolicy& policy, const KProbeSpec& spec, size_t ncalls, KernelFacts& kernel,
                        std::string& note);
// Joins the kprobe hooks out.hooks[first..] that have the same plan into one kprobe.multi hook
// per plan; a policy note says which functions share a link.
void join_kprobe_multi(const KProbeSpec& spec, CompiledPolicy& out, size_t first);
// A lsmhooks: entry (compile_kfunc.cpp): a BPF-LSM program on the hook.
Result<void> compile_lsm(const TracingPolicy& policy, const LsmHookSpec& spec, KernelFacts& kernel,
                         bool monitor, CompiledPolicy& out);

// Override (compile_override.cpp). The selector's first Override action, or null.
const Action* override_action(const HookCommon& hook);
// Post imaHash on an lsmhooks: hook (compile_ima.cpp): refused where the hook or the kernel
// cannot hash; else the plan's target gets its ima_file.
Result<void> compile_ima(const TracingPolicy& p, const LsmHookSpec& spec, KernelFacts& kernel, HookPlan& plan);

// How a hook with Override makes `function` return the error: fmod_ret, a kprobe with
// bpf_override_return, or (kNone) not at all. kNone only in monitor mode, with a policy note
// saying why; in enforce mode the policy is refused, naming what the kernel lacks.
struct OverridePick {
  enum class Via { kNone, kFmodRet, kKprobeOverride };
  Via via = Via::kNone;
};
Result<OverridePick> pick_override(const TracingPolicy& policy, const HookCommon& hook, const std::string& function,
                                   KernelFacts& kernel, bool monitor, std::vector<std::string>& notes);

// Every Override's argError lies in [lo, hi] (`what` says why, e.g. "an LSM hook denies with
// -errno"); 0 is refused where it would let the call run.
Result<void> check_override_errors(const TracingPolicy& policy, const HookCommon& hook, int64_t lo, int64_t hi,
                                   const std::string& what);

// A syscall hook (sys_* arguments typed from its syscalls/sys_enter_* tracepoint into `plan`)
// moved to the arch syscall function `function` (__x64_sys_linkat) for Override: the function's
// only argument is the user's struct pt_regs *, so each argument is read through it (at the
// syscall argument register's offset). The plan attaches as `via` and returns the error.
Result<void> syscall_override_plan(const TracingPolicy& policy, const KProbeSpec& spec, const std::string& function,
                                   OverridePick::Via via, HookPlan& plan);

// Compiles one uprobes: / usdts: entry into one HookPlan per probe point, appended to out.
Result<void> compile_uprobe(const TracingPolicy& policy, const UProbeSpec& spec, KernelFacts& kernel,
                            bool monitor, CompiledPolicy& out);
Result<void> compile_usdt(const TracingPolicy& policy, const UsdtSpec& spec, KernelFacts& kernel,
                          bool monitor, CompiledPolicy& out);

// The x86_64 syscall numbers of a syscalls or generated_syscalls list (InMap / NotInMap values of
// an integer argument such as raw_syscalls' id); i386 entries are left out (compile_lists.cpp),
// which list_i386_note() says ("" when the list has none).
Result<std::vector<uint64_t>> list_syscall_numbers(const TracingPolicy& policy, const ListSpec& list,
                                                   KernelFacts& kernel);
std::string list_i386_note(const TracingPolicy& policy, const ListSpec& list);

// The calls `call: "list:NAME"` of `spec` hooks: "sys_NAME" for syscall lists (generated ones
// leave out syscalls without a tracepoint, said in `notes`), the matching syscall functions of a
// generated_ftrace list (which is refused when it matches kernel functions: they need kprobes).
Result<std::vector<std::string>> list_calls(const TracingPolicy& policy, const KProbeSpec& spec,
                                            KernelFacts& kernel, std::vector<std::string>& notes);

}  // namespace octagon::policy::detail
