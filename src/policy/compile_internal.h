// Shared between the compiler's files (not a public header).
#pragma once

#include <octagon/policy/compiler.h>

namespace octagon::policy::detail {

// What the compiler knows about each captured argument while compiling selectors.
struct ArgSlot {
  uint8_t kind = 0;       // enum oct_gen_arg_kind
  bool is_string = false; // string filters apply
  bool is_fd = false;
};

// Compiles one hook's selectors into cfg (nselectors, selectors, proc_needs) and
// render.selector_actions; InMap sets go to `inmap`, binary path sets to `binaries` (hook
// types without that map pass nullptr: matchBinaries is then refused).
Result<void> compile_selectors(const TracingPolicy& policy, const HookCommon& hook,
                               const std::vector<ArgSlot>& slots, bool has_return,
                               KernelFacts& kernel, oct_gen_config& cfg, HookRender& render,
                               std::vector<oct_gen_inmap_key>& inmap,
                               std::vector<oct_gen_lpm_key>* binaries = nullptr);

// The process filters of selector `si` (compile_process_filters.cpp).
Result<void> compile_process_filters(const TracingPolicy& policy, const Selector& s, size_t si,
                                     KernelFacts& kernel, oct_gen_config& cfg,
                                     std::vector<oct_gen_lpm_key>* binaries);

// Compiles one selector's matchActions into `out` and appends the selector's shown action,
// SelectorRender and notes to `render`.
Result<void> compile_actions(const TracingPolicy& policy, const Selector& selector,
                             oct_gen_selector& out, HookRender& render);

// Compiles one uprobes: / usdts: entry into one HookPlan per probe point, appended to out.
Result<void> compile_uprobe(const TracingPolicy& policy, const UProbeSpec& spec, KernelFacts& kernel,
                            bool monitor, CompiledPolicy& out);
Result<void> compile_usdt(const TracingPolicy& policy, const UsdtSpec& spec, KernelFacts& kernel,
                          bool monitor, CompiledPolicy& out);

}  // namespace octagon::policy::detail
