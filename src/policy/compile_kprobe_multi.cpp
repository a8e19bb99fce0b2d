// kprobe.multi: the functions of one kprobes: entry (a `list:` or several calls) that share a
// plan go on one kprobe.multi link, one program, instead of a hook per function. The kernel
// verifies the program once and attaches it once, so a list of N functions loads in the time of
// one; each call finds its function's hook id in its attach cookie (events keep their
// function_name). Tetragon does the same by default; `options: disable-kprobe-multi` turns it
// off. Chosen over fentry for such lists: N trampolines cost N program loads, and kprobe.multi
// goes through ftrace, not a breakpoint.
#include <octagon/policy/compile_internal.h>

#include <cstring>

namespace octagon::policy::detail {

bool wants_kprobe_multi(const TracingPolicy& p, const KProbeSpec& spec, size_t ncalls, KernelFacts& kernel,
                        std::string& note) {
  if (ncalls < 2) return false;
  HookSupport hs = kernel.hook_support();
  std::string why;
  if (p.options.disable_kprobe_multi)
    why = "the policy sets disable-kprobe-multi";
  else if (!hs.kprobe || !hs.kprobe_multi)
    why = hs.kprobe ? hs.kprobe_multi_why : hs.kprobe_why;
  else if (spec.return_probe)
    why = "return: true needs a return half per function";
  else if (override_action(spec))
    why = "Override needs a mechanism per function";
  if (why.empty()) return true;
  note = "kprobe " + spec.call + ": one hook per function, not one kprobe.multi link (" + why + ")";
  return false;
}

namespace {

template <typename T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// Two hooks can share a program: the same plan byte for byte, the same sets.
bool same_plan(const HookPlan& a, const HookPlan& b) {
  return std::memcmp(&a.enter.config, &b.enter.config, sizeof(a.enter.config)) == 0 &&
         same_bytes(a.enter.inmap, b.enter.inmap) && same_bytes(a.enter.binaries, b.enter.binaries);
}

}  // namespace

void join_kprobe_multi(const KProbeSpec& spec, CompiledPolicy& out, size_t first) {
  std::vector<HookPlan> kept(std::make_move_iterator(out.hooks.begin() + long(first)),
                             std::make_move_iterator(out.hooks.end()));
  out.hooks.resize(first);
  std::vector<HookPlan> groups;
  for (HookPlan& h : kept) {
    if (h.enter.target.kind != AttachTarget::Kind::kKprobe || h.exit) {
      out.hooks.push_back(std::move(h));
      continue;
    }
    HookPlan* g = nullptr;
    for (HookPlan& c : groups)
      if (same_plan(c, h)) g = &c;
    if (g) {
      g->enter.target.functions.push_back(h.enter.target.function);
    } else {
      h.enter.target.functions = {h.enter.target.function};
      groups.push_back(std::move(h));
    }
  }
  for (HookPlan& g : groups) {
    AttachTarget& t = g.enter.target;
    if (t.functions.size() == 1) {
      out.notes.push_back("kprobe " + t.function + " runs on kprobe " + t.function +
                          " (its plan differs from the other functions of " + spec.call + ")");
      t.functions.clear();
    } else {
      t.kind = AttachTarget::Kind::kKprobeMulti;
      t.function.clear();
      g.render.function_name.clear();  // per function: the loader's registry entries
      g.mechanism = describe(t);
      out.notes.push_back("kprobe " + spec.call + ": " + std::to_string(t.functions.size()) +
                          " functions on one kprobe.multi link (" + g.mechanism +
                          "): one program load and attach instead of one per function");
    }
    out.hooks.push_back(std::move(g));
  }
}

}  // namespace octagon::policy::detail
