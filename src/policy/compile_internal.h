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

// Compiles one selector's matchActions into `out` and appends the selector's shown action,
// SelectorRender and notes to `render`.
Result<void> compile_actions(const TracingPolicy& policy, const Selector& selector,
                             oct_gen_selector& out, HookRender& render);

}  // namespace octagon::policy::detail
