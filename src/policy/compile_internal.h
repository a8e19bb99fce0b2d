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

// Compiles one hook's selectors into cfg (nselectors, selectors) and render.selector_actions.
Result<void> compile_selectors(const TracingPolicy& policy, const HookCommon& hook,
                               const std::vector<ArgSlot>& slots, bool has_return,
                               KernelFacts& kernel, oct_gen_config& cfg, HookRender& render,
                               std::vector<oct_gen_inmap_key>& inmap);

// Compiles one uprobes: / usdts: entry into one HookPlan per probe point, appended to out.
Result<void> compile_uprobe(const TracingPolicy& policy, const UProbeSpec& spec, KernelFacts& kernel,
                            bool monitor, CompiledPolicy& out);
Result<void> compile_usdt(const TracingPolicy& policy, const UsdtSpec& spec, KernelFacts& kernel,
                          bool monitor, CompiledPolicy& out);

}  // namespace octagon::policy::detail
