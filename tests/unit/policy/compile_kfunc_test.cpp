// Kernel-function hooks (kprobes: on functions that are not syscalls, fentries:, lsmhooks:)
// against fake kernels with and without kprobes, BPF trampolines and BPF-LSM: the mechanism
// picked, where each argument is read, the return value, and the refusals.
#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include "test_helpers.h"
#include "unit/policy/kfunc_kernel.h"

namespace octagon::policy {
namespace {

const char* kUnlinkat = R"(  kprobes:
  - call: do_unlinkat
    syscall: false
    args:
    - {index: 0, type: int}
)";

const char* kUnlinkatRet = R"(  kprobes:
  - call: do_unlinkat
    syscall: false
    return: true
    returnArg: {index: 0, type: int}
    args:
    - {index: 0, type: int}
    selectors:
    - matchReturnArgs:
      - {index: 0, operator: Equal, values: ["-2"]}
)";

TEST(CompileKfunc, FentryIsPreferredWhenTheKernelHasTrampolines) {
  auto c = compile(kUnlinkat, with(true, true, true));
  ASSERT_OK(c);
  ASSERT_EQ(c->hooks.size(), 1u);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.target.kind, AttachTarget::Kind::kFentry);
  EXPECT_EQ(h.enter.target.function, "do_unlinkat");
  EXPECT_EQ(h.mechanism, "fentry do_unlinkat");
  EXPECT_FALSE(h.exit);
  EXPECT_EQ(h.enter.config.mode, OCT_MODE_FULL);
  EXPECT_EQ(h.enter.config.args[0].offset, 0);  // the first u64 of the context
  EXPECT_EQ(h.enter.config.args[0].size, 4);
  EXPECT_EQ(h.enter.config.args[0].kind, OCT_GA_INT);
  EXPECT_EQ(h.render.kind, EventKind::kKprobe);
  EXPECT_EQ(h.render.function_name, "do_unlinkat");
  bool noted = false;
  for (const auto& n : c->notes) noted |= n.find("kprobe do_unlinkat runs on fentry do_unlinkat (BPF trampoline") == 0;
  EXPECT_TRUE(noted);
}

TEST(CompileKfunc, KprobeReadsRegistersWithoutTrampolines) {
  auto c = compile(R"(  kprobes:
  - call: vfs_path_lookup
    syscall: false
    args:
    - {index: 0, type: dentry}
    - {index: 2, type: string}
    - {index: 3, type: uint32}
    - {index: 4, type: path}
)", with(true, false, false));
  ASSERT_OK(c);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.target.kind, AttachTarget::Kind::kKprobe);
  EXPECT_FALSE(h.enter.target.retprobe);
  EXPECT_EQ(h.mechanism, "kprobe vfs_path_lookup");
  const oct_gen_config& cfg = h.enter.config;
  EXPECT_EQ(cfg.args[0].offset, 112);  // di
  EXPECT_EQ(cfg.args[0].kind, OCT_GA_DENTRY);
  EXPECT_EQ(cfg.args[1].offset, 96);   // dx
  EXPECT_EQ(cfg.args[1].kind, OCT_GA_STR_KERNEL);
  EXPECT_EQ(cfg.args[2].offset, 88);   // cx
  EXPECT_EQ(cfg.args[2].kind, OCT_GA_INT);
  EXPECT_EQ(cfg.args[2].is_signed, 0);
  EXPECT_EQ(cfg.args[3].offset, 72);   // r8
  EXPECT_EQ(cfg.args[3].kind, OCT_GA_PATH);
  EXPECT_EQ(h.render.args[3].kind, events::Argument::Kind::kPath);
  bool noted = false;
  for (const auto& n : c->notes) noted |= n.find("runs on kprobe vfs_path_lookup (this kernel has no BPF trampolines") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(CompileKfunc, ReturnProbeIsFexitWithTheReturnValueAfterTheArguments) {
  auto c = compile(kUnlinkatRet, with(true, true, false));
  ASSERT_OK(c);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.target.kind, AttachTarget::Kind::kFexit);
  EXPECT_EQ(h.mechanism, "fexit do_unlinkat");
  EXPECT_FALSE(h.exit);
  EXPECT_EQ(h.enter.config.mode, OCT_MODE_FEXIT);
  EXPECT_EQ(h.enter.config.ret_offset, 16);  // after do_unlinkat's two arguments
  EXPECT_EQ(h.enter.config.ret_size, 4);     // int
  EXPECT_EQ(h.enter.config.selectors[0].nreturn_filters + h.enter.config.selectors[0].nfilters, 1);
  ASSERT_TRUE(h.render.ret);
  EXPECT_EQ(h.render.ret->kind, events::Argument::Kind::kInt);
}

TEST(CompileKfunc, ReturnProbeIsAKprobeKretprobePairWithoutTrampolines) {
  auto c = compile(kUnlinkatRet, with(true, false, false));
  ASSERT_OK(c);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.mechanism, "kprobe+kretprobe do_unlinkat");
  EXPECT_EQ(h.enter.target.kind, AttachTarget::Kind::kKprobe);
  EXPECT_EQ(h.enter.config.mode, OCT_MODE_STORE);
  ASSERT_TRUE(h.exit);
  EXPECT_EQ(h.exit->target.kind, AttachTarget::Kind::kKprobe);
  EXPECT_TRUE(h.exit->target.retprobe);
  EXPECT_EQ(h.exit->target.function, "do_unlinkat");
  EXPECT_EQ(h.exit->config.mode, OCT_MODE_EXIT);
  EXPECT_EQ(h.exit->config.ret_offset, 80);  // pt_regs ax
  EXPECT_EQ(h.exit->config.ret_size, 4);
  EXPECT_EQ(h.exit->config.args[0].offset, 112);
  EXPECT_EQ(h.exit->config.nselectors, 1);
}

TEST(CompileKfunc, FentriesAndLsmHooks) {
  auto c = compile(R"(  fentries:
  - call: security_file_open
    syscall: false
    args: [{index: 0, type: file}]
  lsmhooks:
  - hook: file_open
    args: [{index: 0, type: file}]
    selectors:
    - matchActions: [{action: Sigkill}]
)", with(false, true, true));
  ASSERT_OK(c);
  ASSERT_EQ(c->hooks.size(), 2u);
  EXPECT_EQ(c->hooks[0].mechanism, "fentry security_file_open");
  EXPECT_EQ(c->hooks[0].enter.config.args[0].kind, OCT_GA_FILE);
  const HookPlan& l = c->hooks[1];
  EXPECT_EQ(l.enter.target.kind, AttachTarget::Kind::kLsm);
  EXPECT_EQ(l.enter.target.function, "file_open");
  EXPECT_EQ(l.mechanism, "lsm file_open");
  EXPECT_EQ(l.render.function_name, "file_open");
  EXPECT_EQ(l.enter.config.args[0].offset, 0);
  EXPECT_EQ(l.enter.config.args[0].kind, OCT_GA_FILE);
  EXPECT_EQ(l.enter.config.selectors[0].action, OCT_ACT_SIGKILL);
  EXPECT_EQ(l.enter.config.selectors[0].signal, 9u);
}

TEST(CompileKfunc, CredAndBinprmArguments) {
  auto c = compile(R"(  kprobes:
  - call: commit_creds
    syscall: false
    args: [{index: 0, type: cred}]
  lsmhooks:
  - hook: bprm_check_security
    args: [{index: 0, type: linux_binprm}]
)", with(true, false, true));
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].kind, OCT_GA_CRED);
  EXPECT_EQ(c->hooks[0].render.args[0].kind, events::Argument::Kind::kProcessCredentials);
  EXPECT_EQ(c->hooks[1].enter.config.args[0].kind, OCT_GA_BINPRM);
}

// type nop (Tetragon's examples use it for arguments they skip): the slot stays, the argument is
// read as a harmless integer and never shown.
TEST(CompileKfunc, NopArgumentKeepsItsSlotButIsNotShown) {
  auto c = compile(R"(  kprobes:
  - call: do_unlinkat
    syscall: false
    args: [{index: 0, type: int}, {index: 1, type: nop}]
)", with(true, true, true));
  ASSERT_OK(c);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.config.nargs, 2u);
  EXPECT_EQ(h.enter.config.args[1].kind, OCT_GA_INT);
  EXPECT_EQ(h.enter.config.args[1].offset, 8u);
  ASSERT_EQ(h.render.args.size(), 2u);
  EXPECT_FALSE(h.render.args[0].nop);
  EXPECT_TRUE(h.render.args[1].nop);
}

TEST(CompileKfunc, SyscallKprobesStayOnTracepoints) {
  auto c = compile("  kprobes:\n  - call: sys_dup\n    args: [{index: 0, type: int}]\n", with(true, true, true));
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.target.kind, AttachTarget::Kind::kTracepoint);
  EXPECT_EQ(c->hooks[0].enter.target.event, "sys_enter_dup");
  // The note gives the reason that holds on this kernel: it has kprobes.
  ASSERT_EQ(c->notes.size(), 1u);
  EXPECT_EQ(c->notes[0], "kprobe sys_dup runs on tracepoint syscalls/sys_enter_dup (syscall tracepoints: the "
                         "syscall's own arguments on every kernel, cheaper than a kprobe)");
  auto none = compile("  kprobes:\n  - call: sys_dup\n    args: [{index: 0, type: int}]\n", with(false, false, false));
  ASSERT_OK(none);
  ASSERT_EQ(none->notes.size(), 1u);
  EXPECT_EQ(none->notes[0], "kprobe sys_dup runs on tracepoint syscalls/sys_enter_dup (this kernel has no kprobes)");
}

TEST(CompileKfunc, SyscallWithoutTracepointSaysWhatWouldWork) {
  auto with_kprobes = compile("  kprobes:\n  - call: sys_close\n", with(true, true, true));
  ASSERT_FALSE(with_kprobes);
  EXPECT_NE(with_kprobes.error().message().find("no tracepoint syscalls/sys_enter_close on this kernel (syscall "
                                                "kprobes run on their tracepoints)"),
            std::string::npos)
      << with_kprobes.error().describe();
  EXPECT_NE(with_kprobes.error().describe().find("call: __x64_sys_close with syscall: false"), std::string::npos)
      << with_kprobes.error().describe();
  auto without = compile("  kprobes:\n  - call: sys_close\n", with(false, false, false));
  ASSERT_FALSE(without);
  EXPECT_NE(without.error().message().find("and the kernel has no kprobes"), std::string::npos)
      << without.error().describe();
}

TEST(CompileKfunc, ListOfFunctions) {
  auto c = compile(R"(  lists:
  - name: fns
    values: [do_unlinkat, security_file_open]
  kprobes:
  - call: "list:fns"
    syscall: false
)", with(true, true, false));
  ASSERT_OK(c);
  ASSERT_EQ(c->hooks.size(), 2u);
  EXPECT_EQ(c->hooks[0].render.function_name, "do_unlinkat");
  EXPECT_EQ(c->hooks[1].render.function_name, "security_file_open");
  EXPECT_EQ(c->hooks[1].enter.target.kind, AttachTarget::Kind::kFentry);
}

TEST(CompileKfunc, MissingFunctionIsAnErrorOrSkippedWithIgnoreCallNotFound) {
  EXPECT_ERR(compile("  kprobes:\n  - call: no_such_function\n    syscall: false\n", with(true, true, true)),
             EINVAL, "test.yaml:6:.*kernel function no_such_function is not in the kernel's BTF.*callNotFound");
  auto c = compile(R"(  kprobes:
  - call: no_such_function
    syscall: false
    ignore: {callNotFound: true}
  - call: do_unlinkat
    syscall: false
)", with(true, true, true));
  ASSERT_OK(c);
  ASSERT_EQ(c->hooks.size(), 1u);
  bool noted = false;
  for (const auto& n : c->notes) noted |= n.find("no_such_function") != std::string::npos && n.find("skipped (ignore.callNotFound)") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(CompileKfunc, RefusalsSayWhatIsMissingAndWhatWouldWork) {
  EXPECT_ERR(compile(kUnlinkat, with(false, false, false)), EINVAL,
             "test.yaml:6:.*kprobe on kernel function do_unlinkat needs kprobes or BPF trampolines \\(fentry\\), and "
             "this kernel has neither: no kprobes \\(no perf kprobe PMU\\); no fentry/fexit.*hint: hook a tracepoint");
  EXPECT_ERR(compile("  fentries:\n  - call: do_unlinkat\n", with(true, false, false)), EINVAL,
             "fentries: hook do_unlinkat needs BPF trampolines.*hint: list the function under kprobes:");
  EXPECT_ERR(compile("  lsmhooks:\n  - hook: file_open\n", with(true, true, false)), EINVAL,
             "lsmhooks: hook file_open needs BPF-LSM: no BPF-LSM.*hint: hook security_file_open under kprobes:");
  EXPECT_ERR(compile("  lsmhooks:\n  - hook: no_hook\n", with(true, true, true)), EINVAL, "no LSM hook no_hook");
  // A kprobe sees 6 register arguments; a trampoline sees them all.
  const char* seventh = "  kprobes:\n  - call: seven_args\n    syscall: false\n    args: [{index: 6, type: long}]\n";
  EXPECT_ERR(compile(seventh, with(true, false, false)), EINVAL, "only the first 6");
  auto c = compile(seventh, with(true, true, false));
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].offset, 48);
  // Types that do not match the prototype, and buffers.
  EXPECT_ERR(compile("  kprobes:\n  - call: do_unlinkat\n    syscall: false\n    args: [{index: 0, type: file}]\n",
                     with(true, true, false)),
             EINVAL, "type file needs a struct file \\*, but argument 0 is int");
  EXPECT_ERR(compile("  kprobes:\n  - call: do_unlinkat\n    syscall: false\n    args: [{index: 1, type: char_buf, sizeArgIndex: 1}, {index: 0, type: int}]\n",
                     with(true, true, false)),
             EINVAL, "char_buf.*not supported on kernel function hooks yet");
  // Override on an LSM hook denies through the program's return value (compile_override_test.cpp).
  ASSERT_OK(compile("  lsmhooks:\n  - hook: file_open\n    selectors:\n    - matchActions: [{action: Override, argError: -1}]\n",
                    with(true, true, true)));
  EXPECT_ERR(compile("  kprobes:\n  - call: do_nothing\n    syscall: false\n    return: true\n    returnArg: {index: 0, type: int}\n",
                     with(true, true, false)),
             EINVAL, "do_nothing returns void");
}

// Post imaHash: lsmhooks: on Tetragon's list of hooks only, where the kernel has
// bpf_ima_file_hash; the plan's target says which argument leads to the file.
TEST(CompileKfunc, ImaHashOnLsmHooks) {
  const char* bprm = "  lsmhooks:\n  - hook: bprm_check_security\n    args: [{index: 0, type: linux_binprm}]\n"
                     "    selectors:\n    - matchActions: [{action: Post, imaHash: true}]\n";
  HookSupport hs = with(true, true, true);
  hs.ima = true;
  auto c = compile(bprm, hs);
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].render.kind, EventKind::kLsm);
  EXPECT_EQ(c->hooks[0].render.function_name, "bprm_check_security");
  EXPECT_EQ(c->hooks[0].enter.target.ima_file, 2);
  EXPECT_EQ(c->hooks[0].enter.config.selectors[0].ima_hash, 1);
  auto f = compile("  lsmhooks:\n  - hook: file_open\n    selectors:\n    - matchActions: [{action: Post, imaHash: true}]\n", hs);
  ASSERT_OK(f);
  EXPECT_EQ(f->hooks[0].enter.target.ima_file, 1);
  // Without imaHash: no sleepable program.
  auto plain = compile("  lsmhooks:\n  - hook: file_open\n", hs);
  ASSERT_OK(plain);
  EXPECT_EQ(plain->hooks[0].enter.target.ima_file, 0);
  // A kernel without the helper, a hook off the list, a kprobe.
  hs.ima = false;
  hs.ima_why = "no bpf_ima_file_hash (test program rejected: EINVAL)";
  EXPECT_ERR(compile(bprm, hs), EINVAL,
             "test.yaml:.*imaHash needs bpf_ima_file_hash in a sleepable BPF-LSM program.*EINVAL");
  hs.ima = true;
  EXPECT_ERR(compile("  lsmhooks:\n  - hook: file_permission\n    selectors:\n    - matchActions: [{action: Post, imaHash: true}]\n", hs),
             EINVAL, "imaHash is not supported on LSM hook file_permission: only on hooks.*bprm_check_security");
  EXPECT_ERR(compile("  kprobes:\n  - call: do_unlinkat\n    syscall: false\n    selectors:\n"
                     "    - matchActions: [{action: Post, imaHash: true}]\n", hs),
             EINVAL, "imaHash works on lsmhooks: only");
}

}  // namespace
}  // namespace octagon::policy
