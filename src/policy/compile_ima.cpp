// Post imaHash on lsmhooks: (Tetragon's list of hooks whose first argument leads to a file).
// The hash comes from bpf_ima_file_hash, which only sleepable BPF-LSM programs may call: the
// hook gets a second, sleepable lsm.s program that hashes the file and sends the event the
// first one prepared (bpf/progs/generic/lsm.bpf.c).
#include <octagon/policy/compile_internal.h>

#include <string_view>

namespace octagon::policy::detail {
namespace {

struct ImaHook {
  std::string_view hook;
  uint8_t file;  // AttachTarget::ima_file: 1 a struct file *, 2 a struct linux_binprm *
};

constexpr ImaHook kImaHooks[] = {
    {"bprm_check_security", 2}, {"bprm_committed_creds", 2}, {"bprm_committing_creds", 2},
    {"bprm_creds_from_file", 2}, {"file_ioctl", 1},           {"file_lock", 1},
    {"file_open", 1},            {"file_post_open", 1},       {"file_receive", 1},
    {"mmap_file", 1},
};

const Action* ima_action(const HookCommon& hook) {
  for (const Selector& s : hook.selectors)
    for (const Action& a : s.match_actions)
      if (a.type == ActionType::kPost && a.ima_hash) return &a;
  return nullptr;
}

}  // namespace

Result<void> compile_ima(const TracingPolicy& p, const LsmHookSpec& spec, KernelFacts& kernel, HookPlan& plan) {
  const Action* a = ima_action(spec);
  if (!a) return ok();
  const ImaHook* hook = nullptr;
  std::string names;
  for (const ImaHook& h : kImaHooks) {
    if (h.hook == spec.hook) hook = &h;
    names += (names.empty() ? "" : ", ") + std::string(h.hook);
  }
  if (!hook)
    return make_error(policy_error(p, field_pos(a->pos, "imaHash"),
                                   "imaHash is not supported on LSM hook " + spec.hook +
                                       ": only on hooks whose first argument is the file to hash (" + names + ")",
                                   "remove imaHash, or hook one of those"));
  HookSupport hs = kernel.hook_support();
  if (!hs.ima)
    return make_error(policy_error(p, field_pos(a->pos, "imaHash"),
                                   "imaHash needs bpf_ima_file_hash in a sleepable BPF-LSM program (Linux 5.18+ "
                                   "with CONFIG_IMA), which this kernel lacks: " + hs.ima_why,
                                   "remove imaHash (the other actions of the selector work without it)"));
  plan.enter.target.ima_file = hook->file;
  return ok();
}

}  // namespace octagon::policy::detail
