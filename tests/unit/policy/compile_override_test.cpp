// Override on kernel-function hooks against fake kernels: which mechanism returns the error
// (BPF-LSM return value, fmod_ret, kprobe + bpf_override_return), the plan that asks the kernel
// for it, Sigkill together with Override, and the refusal (enforce mode) or observation
// (monitor mode) where the kernel has no way to prevent the operation.
#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include "test_helpers.h"
#include "unit/policy/fake_btf.h"
#include "unit/policy/policy_test_util.h"

namespace octagon::policy {
namespace {

// The shared fake BTF plus the functions these tests hook.
class OverrideBtf : public testing::FakeBtf {
 public:
  Result<BtfFunction> function(const std::string& name) const override {
    if (name == "security_inode_mkdir") return BtfFunction{{int_, int_, uint_}, {"dir", "dentry", "mode"}, int_};
    if (name == "bpf_lsm_bprm_committed_creds") return BtfFunction{{int_}, {"bprm"}, 0};  // void
    return FakeBtf::function(name);
  }
};

struct Facts {
  bool kprobe = false, fentry = false, lsm = false;
  bool fmod_ret = false, override_return = false;
};

class OverrideKernel : public KernelFacts {
 public:
  explicit OverrideKernel(Facts f) : f_(f) {}
  Result<std::vector<FormatField>> tracepoint_fields(const std::string& sub, const std::string& ev) override {
    std::vector<FormatField> f = {{"common_type", "unsigned short", 0, 2, false},
                                  {"common_flags", "unsigned char", 2, 1, false},
                                  {"common_preempt_count", "unsigned char", 3, 1, false},
                                  {"common_pid", "int", 4, 4, true},
                                  {"__syscall_nr", "int", 8, 4, true}};
    if (sub == "syscalls" && ev == "sys_enter_linkat") {
      f.push_back({"olddfd", "int", 16, 8, false});
      f.push_back({"oldname", "const char *", 24, 8, false});
      f.push_back({"newdfd", "int", 32, 8, false});
      f.push_back({"newname", "const char *", 40, 8, false});
      f.push_back({"flags", "int", 48, 8, false});
      return f;
    }
    if (sub == "syscalls" && ev == "sys_enter_symlinkat") {
      f.push_back({"oldname", "const char *", 16, 8, false});
      f.push_back({"newdfd", "int", 24, 8, false});
      f.push_back({"newname", "const char *", 32, 8, false});
      return f;
    }
    if (sub == "syscalls" && (ev == "sys_exit_linkat" || ev == "sys_exit_symlinkat")) {
      f.push_back({"ret", "long", 16, 8, true});
      return f;
    }
    return make_error(ENOENT, "no tracepoint " + sub + "/" + ev);
  }
  std::string syscall_prefix() const override { return "__x64_"; }
  std::optional<int> syscall_number(const std::string&) const override { return std::nullopt; }
  BtfFacts* btf() override { return &btf_; }
  HookSupport hook_support() override {
    HookSupport h;
    h.kprobe = f_.kprobe;
    h.fentry = f_.fentry;
    h.lsm = f_.lsm;
    h.kprobe_why = f_.kprobe ? "kprobes available" : "no kprobes (no perf kprobe PMU)";
    h.fentry_why = f_.fentry ? "BPF trampolines available" : "no fentry/fexit (test program rejected: EPERM)";
    h.lsm_why = f_.lsm ? "BPF-LSM available" : "no BPF-LSM (test program rejected: EPERM)";
    return h;
  }
  OverrideSupport override_support(const std::string& function) override {
    asked.push_back(function);
    OverrideSupport o;
    o.fmod_ret = f_.fmod_ret;
    o.override_return = f_.override_return;
    o.fmod_ret_why = f_.fmod_ret ? "loaded" : "no fmod_ret on " + function + " (not modifiable)";
    o.override_return_why = f_.override_return ? "listed" : "no bpf_override_return (helper rejected)";
    return o;
  }

  std::vector<std::string> asked;

 private:
  Facts f_;
  OverrideBtf btf_;
};

Result<CompiledPolicy> compile_yaml(const std::string& yaml, Facts f, bool monitor = false,
                                    std::vector<std::string>* asked = nullptr) {
  OCTAGON_ASSIGN_OR_RETURN(TracingPolicy p, parse_policy(yaml, "test.yaml"));
  OverrideKernel k(f);
  CompileOptions o;
  if (monitor) o.mode_override = PolicyMode::kMonitor;
  auto r = compile_policy(p, k, o);
  if (asked) *asked = k.asked;
  return r;
}

Result<CompiledPolicy> compile(const std::string& body, Facts f, bool monitor = false) {
  return compile_yaml("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: p}\nspec:\n" + body, f,
                      monitor);
}

// The shared Tetragon example `name` (tests/fixtures/policies/tetragon-examples).
std::string example(const std::string& name) {
  return testing::read_text(testing::fixtures_dir() + "/tetragon-examples/" + name);
}

bool has_note(const CompiledPolicy& c, const std::string& text) {
  for (const auto& n : c.notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

const char* kLsmFileOpen = R"(  lsmhooks:
  - hook: file_open
    args: [{index: 0, type: file}]
    selectors:
    - matchArgs: [{index: 0, operator: Equal, values: ["/tmp/x"]}]
      matchActions: [{action: Override, argError: -13}]
)";

TEST(CompileOverride, LsmHookDeniesThroughItsReturnValue) {
  auto c = compile(kLsmFileOpen, {.lsm = true});
  ASSERT_OK(c);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.target.kind, AttachTarget::Kind::kLsm);
  EXPECT_TRUE(h.enter.target.lsm_may_deny);
  EXPECT_EQ(h.enter.config.override_ok, 1);
  const oct_gen_selector& s = h.enter.config.selectors[0];
  EXPECT_EQ(s.override, 1);
  EXPECT_EQ(s.override_error, -13);
  EXPECT_EQ(s.action, OCT_ACT_OVERRIDE);
  ASSERT_EQ(h.render.selector_actions.size(), 1u);
  EXPECT_EQ(h.render.selector_actions[0], events::KprobeAction::kOverride);
  EXPECT_TRUE(has_note(*c, "Override denies the operation with argError"));
}

TEST(CompileOverride, LsmHookWithoutOverrideNeverDenies) {
  auto c = compile("  lsmhooks:\n  - hook: file_open\n", {.lsm = true});
  ASSERT_OK(c);
  EXPECT_FALSE(c->hooks[0].enter.target.lsm_may_deny);
  EXPECT_EQ(c->hooks[0].enter.config.override_ok, 0);
}

TEST(CompileOverride, LsmRefusesVoidHooksAndErrorsOutsideErrno) {
  EXPECT_ERR(compile("  lsmhooks:\n  - hook: bprm_committed_creds\n    selectors:\n"
                     "    - matchActions: [{action: Override, argError: -1}]\n",
                     {.lsm = true}),
             EINVAL, "test.yaml:8:.*Override cannot deny on LSM hook bprm_committed_creds: the hook returns nothing");
  for (const char* e : {"-4096", "1", "0"})
    EXPECT_ERR(compile(std::string("  lsmhooks:\n  - hook: file_open\n    selectors:\n"
                                   "    - matchActions: [{action: Override, argError: ") + e + "}]\n",
                       {.lsm = true}),
               EINVAL, std::string("argError between -4095 and -1 here .*not ") + e);
}

TEST(CompileOverride, SecurityFunctionRunsOnFmodRet) {
  std::vector<std::string> asked;
  auto c = compile_yaml(example("override-security.yaml"), {.kprobe = true, .fentry = true, .fmod_ret = true}, false,
                        &asked);
  ASSERT_OK(c);
  ASSERT_EQ(c->hooks.size(), 1u);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.target.kind, AttachTarget::Kind::kFmodRet);
  EXPECT_EQ(h.enter.target.function, "security_inode_mkdir");
  EXPECT_EQ(h.mechanism, "fmod_ret security_inode_mkdir");
  EXPECT_EQ(h.enter.config.override_ok, 1);
  EXPECT_EQ(h.enter.config.mode, OCT_MODE_FULL);
  ASSERT_EQ(asked, std::vector<std::string>{"security_inode_mkdir"});
  // Selector 0 (matchBinaries bash) only posts; selector 1 overrides everyone else.
  EXPECT_EQ(h.enter.config.selectors[0].override, 0);
  EXPECT_EQ(h.enter.config.selectors[1].override, 1);
  EXPECT_EQ(h.enter.config.selectors[1].override_error, -1);
  EXPECT_EQ(h.render.selector_actions[1], events::KprobeAction::kOverride);
  EXPECT_TRUE(has_note(*c, "runs on fmod_ret security_inode_mkdir (Override"));
}

TEST(CompileOverride, KprobeOverrideReturnWhereFmodRetIsMissing) {
  auto c = compile_yaml(example("override-security.yaml"), {.kprobe = true, .override_return = true});
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.target.kind, AttachTarget::Kind::kKprobeOverride);
  EXPECT_EQ(c->hooks[0].enter.config.override_ok, 1);
  // fmod_ret wins where both work (no kprobe PMU breakpoint, no CONFIG_BPF_KPROBE_OVERRIDE).
  c = compile_yaml(example("override-security.yaml"),
                   {.kprobe = true, .fentry = true, .fmod_ret = true, .override_return = true});
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.target.kind, AttachTarget::Kind::kFmodRet);
}

TEST(CompileOverride, EnforceModeIsRefusedWhereNothingCanPrevent) {
  // Trampolines and kprobes exist, but the function cannot be modified (Debian kernels and a
  // function outside security_* and the error-injection list).
  EXPECT_ERR(compile_yaml(example("override-security.yaml"), {.kprobe = true, .fentry = true, .lsm = true}), EINVAL,
             "override-security.yaml|test.yaml:[0-9]+:.*Override cannot work on this kernel for security_inode_mkdir: "
             "fmod_ret: no fmod_ret on security_inode_mkdir \\(not modifiable\\); kprobe with bpf_override_return: no "
             "bpf_override_return \\(helper rejected\\).*hint: .*policy-mode monitor");
}

TEST(CompileOverride, MonitorModeObservesWhereNothingCanPrevent) {
  auto c = compile_yaml(example("override-security.yaml"), {.kprobe = true, .fentry = true}, true);
  ASSERT_OK(c);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.target.kind, AttachTarget::Kind::kFentry);  // observes
  EXPECT_EQ(h.enter.config.override_ok, 0);
  EXPECT_EQ(h.enter.config.monitor, 1);
  EXPECT_EQ(h.enter.config.selectors[1].override, 1);  // shown, counted as not done
  EXPECT_TRUE(has_note(*c, "Override on security_inode_mkdir is not enforced: monitor mode, and this kernel could "
                           "not (fmod_ret: no fmod_ret on security_inode_mkdir"));
}

TEST(CompileOverride, MonitorModeKeepsTheMechanismThatCanEnforce) {
  auto c = compile_yaml(example("override-security.yaml"), {.kprobe = true, .fentry = true, .fmod_ret = true}, true);
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.target.kind, AttachTarget::Kind::kFmodRet);
  EXPECT_EQ(c->hooks[0].enter.config.override_ok, 1);
  EXPECT_EQ(c->hooks[0].enter.config.monitor, 1);  // the kernel skips the override
}

TEST(CompileOverride, SyscallRunsOnTheArchFunctionThroughPtRegs) {
  std::vector<std::string> asked;
  auto c = compile_yaml(example("hardlink-override.yaml"), {.kprobe = true, .fentry = true, .fmod_ret = true}, false,
                        &asked);
  ASSERT_OK(c);
  ASSERT_EQ(asked, std::vector<std::string>{"__x64_sys_linkat"});
  ASSERT_EQ(c->hooks.size(), 1u);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.target.kind, AttachTarget::Kind::kFmodRet);
  EXPECT_EQ(h.enter.target.function, "__x64_sys_linkat");
  EXPECT_EQ(h.render.function_name, "__x64_sys_linkat");
  EXPECT_FALSE(h.exit);
  const oct_gen_config& cfg = h.enter.config;
  EXPECT_EQ(cfg.mode, OCT_MODE_FULL);
  EXPECT_EQ(cfg.override_ok, 1);
  ASSERT_EQ(cfg.nargs, 5);
  const uint32_t regs[] = {112, 104, 96, 56, 72};  // di, si, dx, r10, r8
  for (int i = 0; i < 5; i++) {
    SCOPED_TRACE(i);
    EXPECT_EQ(cfg.args[i].offset, 0);  // fmod_ret: argument 0 is the struct pt_regs *
    EXPECT_EQ(cfg.args[i].size, 8);
    ASSERT_EQ(cfg.resolve[i].nsteps, 1);
    EXPECT_EQ(cfg.resolve[i].steps[0].offset, regs[i]);
    EXPECT_EQ(cfg.resolve[i].steps[0].deref_size, 8);
  }
  EXPECT_EQ(cfg.args[1].kind, OCT_GA_STR_USER);
  EXPECT_EQ(cfg.args[3].kind, OCT_GA_STR_USER);
  EXPECT_EQ(cfg.selectors[0].override, 1);
  EXPECT_EQ(cfg.selectors[0].override_error, -1);
  EXPECT_TRUE(has_note(*c, "kprobe sys_linkat runs on fmod_ret __x64_sys_linkat"));
  // bpf_override_return: the kprobe on the wrapper finds the struct pt_regs * in di.
  c = compile_yaml(example("symlink-override.yaml"), {.kprobe = true, .override_return = true});
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.target.kind, AttachTarget::Kind::kKprobeOverride);
  EXPECT_EQ(c->hooks[0].enter.target.function, "__x64_sys_symlinkat");
  EXPECT_EQ(c->hooks[0].enter.config.args[0].offset, 112);
  EXPECT_EQ(c->hooks[0].enter.config.resolve[0].steps[0].offset, 112u);
}

TEST(CompileOverride, SyscallWithoutOverrideStaysOnItsTracepoint) {
  std::vector<std::string> asked;
  std::string yaml = example("hardlink-override.yaml");
  yaml = yaml.substr(0, yaml.find("      matchActions:"));
  auto c = compile_yaml(yaml, {.kprobe = true, .fentry = true, .fmod_ret = true}, false, &asked);
  ASSERT_OK(c);
  EXPECT_TRUE(asked.empty());
  EXPECT_EQ(c->hooks[0].enter.target.kind, AttachTarget::Kind::kTracepoint);
  EXPECT_EQ(c->hooks[0].enter.target.event, "sys_enter_linkat");
}

TEST(CompileOverride, SyscallOverrideRefusedOrObservedWithoutMechanism) {
  EXPECT_ERR(compile_yaml(example("hardlink-override.yaml"), {.kprobe = true, .fentry = true, .lsm = true}), EINVAL,
             "Override cannot work on this kernel for __x64_sys_linkat: fmod_ret: no fmod_ret on __x64_sys_linkat");
  // This host: no kprobes, no trampolines.
  EXPECT_ERR(compile_yaml(example("symlink-override.yaml"), {}), EINVAL,
             "Override cannot work on this kernel for __x64_sys_symlinkat: fmod_ret: no fentry/fexit.*kprobe with "
             "bpf_override_return: no kprobes");
  auto c = compile_yaml(example("hardlink-override.yaml"), {}, true);
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.target.kind, AttachTarget::Kind::kTracepoint);
  EXPECT_EQ(c->hooks[0].enter.config.override_ok, 0);
  EXPECT_EQ(c->hooks[0].enter.config.selectors[0].override, 1);
  EXPECT_TRUE(has_note(*c, "Override on __x64_sys_linkat is not enforced: monitor mode"));
}

TEST(CompileOverride, SigkillAndOverrideBothHappen) {
  auto c = compile(R"(  lsmhooks:
  - hook: bprm_check_security
    args: [{index: 0, type: linux_binprm}]
    selectors:
    - matchActions:
      - {action: Override, argError: -1}
      - {action: Sigkill}
    - matchActions:
      - {action: Sigkill}
      - {action: Override, argError: -2}
)",
                   {.lsm = true});
  ASSERT_OK(c);
  const oct_gen_config& cfg = c->hooks[0].enter.config;
  for (int s = 0; s < 2; s++) {
    SCOPED_TRACE(s);
    EXPECT_EQ(cfg.selectors[s].action, OCT_ACT_SIGKILL);  // action_done: the kill
    EXPECT_EQ(cfg.selectors[s].signal, 9u);
    EXPECT_EQ(cfg.selectors[s].override, 1);  // override_done: the denial
  }
  EXPECT_EQ(cfg.selectors[1].override_error, -2);
  // The event shows the first enforcement action listed.
  EXPECT_EQ(c->hooks[0].render.selector_actions[0], events::KprobeAction::kOverride);
  EXPECT_EQ(c->hooks[0].render.selector_actions[1], events::KprobeAction::kSigkill);
  EXPECT_ERR(compile("  lsmhooks:\n  - hook: file_open\n    selectors:\n    - matchActions:\n"
                     "      - {action: Override, argError: -1}\n      - {action: Override, argError: -2}\n",
                     {.lsm = true}),
             EINVAL, "only one Override per selector");
}

TEST(CompileOverride, ReturnProbesAndZeroErrorsAreRefused) {
  EXPECT_ERR(compile(R"(  kprobes:
  - call: security_inode_mkdir
    syscall: false
    return: true
    returnArg: {index: 0, type: int}
    selectors:
    - matchActions: [{action: Override, argError: -1}]
)",
                     {.fentry = true, .fmod_ret = true}),
             EINVAL, "return: true together with Override is not supported");
  EXPECT_ERR(compile("  kprobes:\n  - call: security_inode_mkdir\n    syscall: false\n    selectors:\n"
                     "    - matchActions: [{action: Override}]\n",
                     {.fentry = true, .fmod_ret = true}),
             EINVAL, "Override needs argError .* not 0");
}

}  // namespace
}  // namespace octagon::policy
