// The policy compiler against a fake kernel: plans for syscall kprobes and tracepoints, and
// refusals that name the line and what is missing.
#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include <cstring>

#include "test_helpers.h"

namespace octagon::policy {
namespace {

class FakeKernel : public KernelFacts {
 public:
  Result<std::vector<FormatField>> tracepoint_fields(const std::string& sub,
                                                     const std::string& ev) override {
    std::vector<FormatField> f = {{"common_type", "unsigned short", 0, 2, false},
                                  {"common_flags", "unsigned char", 2, 1, false},
                                  {"common_preempt_count", "unsigned char", 3, 1, false},
                                  {"common_pid", "int", 4, 4, true}};
    if (sub == "syscalls" && ev == "sys_enter_openat") {
      f.push_back({"__syscall_nr", "int", 8, 4, true});
      f.push_back({"dfd", "int", 16, 8, false});
      f.push_back({"filename", "const char *", 24, 8, false});
      f.push_back({"flags", "int", 32, 8, false});
      f.push_back({"mode", "umode_t", 40, 8, false});
      return f;
    }
    if (sub == "syscalls" && ev == "sys_exit_openat") {
      f.push_back({"__syscall_nr", "int", 8, 4, true});
      f.push_back({"ret", "long", 16, 8, true});
      return f;
    }
    if (sub == "sched" && ev == "sched_process_fork") {
      f.push_back({"parent_comm", "char[16]", 8, 16, false});
      f.push_back({"parent_pid", "pid_t", 24, 4, true});
      return f;
    }
    return make_error(ENOENT, "no tracepoint " + sub + "/" + ev);
  }
  std::string syscall_prefix() const override { return "__x64_"; }
  std::optional<int> syscall_number(const std::string& name) const override {
    if (name == "dup") return 32;
    if (name == "dup2") return 33;
    return std::nullopt;
  }
};

Result<CompiledPolicy> compile(const std::string& yaml) {
  OCTAGON_ASSIGN_OR_RETURN(TracingPolicy p, parse_policy(yaml, "test.yaml"));
  FakeKernel k;
  return compile_policy(p, k);
}

const char* kOpenatWrite = R"(apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata: {name: sys-openat}
spec:
  kprobes:
  - call: sys_openat
    return: true
    args: [{index: 0, type: int}, {index: 1, type: string}, {index: 2, type: int}]
    returnArg: {index: 0, type: int}
    selectors:
    - matchArgs:
      - {index: 1, operator: Equal, values: ["/etc/passwd"]}
      - {index: 2, operator: Mask, values: ["64", "1", "0x2"]}
      matchReturnArgs:
      - {index: 0, operator: GT, values: ["0"]}
      matchActions: [{action: Sigkill}]
)";

TEST(PolicyCompiler, SyscallKprobeWithReturnBecomesTracepointPair) {
  auto c = compile(kOpenatWrite);
  ASSERT_OK(c);
  ASSERT_EQ(c->hooks.size(), 1u);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.target.event, "sys_enter_openat");
  ASSERT_TRUE(h.exit);
  EXPECT_EQ(h.exit->target.event, "sys_exit_openat");
  EXPECT_EQ(h.enter.config.mode, OCT_MODE_STORE);
  EXPECT_EQ(h.exit->config.mode, OCT_MODE_EXIT);
  EXPECT_EQ(h.exit->config.ret_offset, 16);
  EXPECT_EQ(h.render.function_name, "__x64_sys_openat");
  EXPECT_EQ(h.render.kind, EventKind::kKprobe);
  const oct_gen_config& cfg = h.exit->config;
  ASSERT_EQ(cfg.nargs, 3);
  EXPECT_EQ(cfg.args[0].offset, 16);
  EXPECT_EQ(cfg.args[0].size, 4);  // `int`: the low half of the 8-byte syscall slot
  EXPECT_EQ(cfg.args[1].kind, OCT_GA_STR_USER);
  ASSERT_EQ(cfg.nselectors, 1);
  const oct_gen_selector& s = cfg.selectors[0];
  EXPECT_EQ(s.action, OCT_ACT_SIGKILL);
  EXPECT_EQ(s.signal, 9u);
  ASSERT_EQ(s.nfilters, 3);
  EXPECT_EQ(s.filters[0].op, OCT_OP_EQ);
  EXPECT_EQ(s.filters[0].is_string, 1);
  EXPECT_EQ(std::string(s.filters[0].svals[0], s.filters[0].slen[0]), "/etc/passwd");
  EXPECT_EQ(s.filters[1].op, OCT_OP_MASK);
  EXPECT_EQ(s.filters[1].nvals, 3);
  EXPECT_EQ(s.filters[1].ivals[4], 2);  // values are (min,max) pairs: 3rd value at [4]
  EXPECT_EQ(s.filters[2].arg, OCT_GEN_RET_ARG);
  EXPECT_EQ(s.filters[2].op, OCT_OP_GT);
  EXPECT_EQ(h.render.selector_actions, std::vector<events::KprobeAction>{events::KprobeAction::kSigkill});
  ASSERT_FALSE(c->notes.empty());
  EXPECT_NE(c->notes[0].find("syscalls/sys_enter_openat"), std::string::npos);
}

TEST(PolicyCompiler, StringArgsWithoutReturnAreDeferrable) {
  auto c = compile(R"(apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata: {name: p}
spec:
  kprobes:
  - call: sys_openat
    args: [{index: 1, type: string}]
)");
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.config.mode, OCT_MODE_ENTER_DEFER);
  EXPECT_EQ(c->hooks[0].exit->config.mode, OCT_MODE_EXIT_DEFER);
}

TEST(PolicyCompiler, TracepointAutoTypesFromFormat) {
  auto c = compile(R"(apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata: {name: p}
spec:
  tracepoints:
  - subsystem: sched
    event: sched_process_fork
    args: [{index: 5}]
    selectors:
    - matchPIDs: [{operator: NotIn, values: [1, 2]}]
      matchActions: [{action: NoPost}]
)");
  ASSERT_OK(c);
  const auto& cfg = c->hooks[0].enter.config;
  EXPECT_EQ(cfg.args[0].offset, 24);  // index counts the 4 common fields
  EXPECT_EQ(cfg.args[0].size, 4);
  EXPECT_EQ(cfg.args[0].is_signed, 1);
  ASSERT_EQ(cfg.selectors[0].npid_filters, 1);
  EXPECT_EQ(cfg.selectors[0].pid_filters[0].op, OCT_SET_NOTIN);
  EXPECT_EQ(cfg.selectors[0].pid_filters[0].npids, 2);
  EXPECT_EQ(cfg.selectors[0].pid_filters[0].flags, 0);
  EXPECT_EQ(cfg.proc_needs, 0u);
  EXPECT_EQ(cfg.selectors[0].post, 0);
  EXPECT_EQ(c->hooks[0].render.kind, EventKind::kTracepoint);
}

// loader: true needs no hook: the agent's loader sensor (perf mmap2 records) serves it.
TEST(PolicyCompiler, LoaderAloneAndWithHooks) {
  std::string head = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: p}\nspec:\n";
  auto alone = compile(head + "  loader: true\n");
  ASSERT_TRUE(alone) << alone.error().message();
  EXPECT_TRUE(alone->loader);
  EXPECT_TRUE(alone->hooks.empty());
  ASSERT_EQ(alone->notes.size(), 1u);
  EXPECT_NE(alone->notes[0].find("perf mmap2 records read in user space; no kprobe needed"), std::string::npos);
  auto both = compile(head + "  loader: true\n  kprobes:\n  - call: sys_openat\n");
  ASSERT_TRUE(both) << both.error().message();
  EXPECT_TRUE(both->loader);
  EXPECT_EQ(both->hooks.size(), 1u);
  auto none = compile(head + "  loader: false\n  kprobes:\n  - call: sys_openat\n");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->loader);
}

TEST(PolicyCompiler, RefusalsNameLineAndCause) {
  std::string head = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: p}\nspec:\n";
  EXPECT_ERR(compile(head + "  kprobes:\n  - call: fd_install\n    syscall: false\n"), EINVAL,
             "test.yaml:6:.*kprobe on kernel function fd_install needs kprobes");
  EXPECT_ERR(compile(head + "  kprobes:\n  - call: sys_nosuchcall\n"), EINVAL,
             "syscall nosuchcall has no tracepoint");
  EXPECT_ERR(compile(head + "  kprobes:\n  - call: sys_openat\n    selectors:\n    - matchActions:\n"
                            "      - {action: Override, argError: -1}\n"),
             EINVAL, "test.yaml:9:9: spec.kprobes\\[0\\].selectors\\[0\\].matchActions\\[0\\]: Override cannot work on this kernel for __x64_sys_openat: fmod_ret: .*hint: .*Sigkill");
  EXPECT_ERR(compile(head + "  tracepoints:\n  - {subsystem: sched, event: sched_process_fork, raw: true}\n"),
             EINVAL, "raw tracepoints");
  EXPECT_ERR(compile(head + "  lsmhooks:\n  - hook: file_open\n"), EINVAL, "BPF-LSM");
  EXPECT_ERR(compile(head + "  kprobes:\n  - call: sys_openat\n    args: [{index: 1, type: string}]\n"
                            "    selectors:\n    - matchArgs: [{index: 1, operator: GT, values: ['1']}]\n"),
             EINVAL, "GreaterThan does not apply to string arguments");
  EXPECT_ERR(compile(head + "  kprobes:\n  - call: sys_openat\n    args: [{index: 1, type: sock}]\n"), EINVAL,
             "argument type sock is not supported");
  EXPECT_ERR(compile(head + "  kprobes:\n  - call: sys_openat\n    args: [{index: 9, type: int}]\n"), EINVAL,
             "index 9 is past");
  EXPECT_ERR(compile(head + "  kprobes:\n  - call: sys_openat\n    return: true\n    returnArg: {index: 0, type: int}\n"
                            "    returnArgAction: TrackSock\n"),
             EINVAL, "test.yaml:9:22: .*returnArgAction acts on a struct sock the function returns; syscalls return");
  EXPECT_ERR(compile(head + "  kprobes:\n  - call: sys_openat\n    args: [{index: 0, type: int}]\n    selectors:\n"
                            "    - matchActions: [{action: UntrackSock, argSock: 0}]\n"),
             EINVAL, "UntrackSock needs argSock: the position of a sock argument in args, and argument 0 is not");
}

TEST(PolicyCompiler, InMapWithSyscallListAndRanges) {
  auto c = compile(R"(apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata: {name: p}
spec:
  lists: [{name: dups, type: syscalls, values: [sys_dup, __x64_sys_dup2]}]
  kprobes:
  - call: sys_openat
    args: [{index: 2, type: int}]
    selectors:
    - matchArgs: [{index: 2, operator: NotInMap, values: ["list:dups", "100:102", "7"]}]
)");
  ASSERT_OK(c);
  const auto& f = c->hooks[0].enter.config.selectors[0].filters[0];
  EXPECT_EQ(f.op, OCT_OP_NOTINMAP);
  std::vector<uint64_t> vals;
  for (const auto& k : c->hooks[0].enter.inmap) {
    EXPECT_EQ(k.set, f.set);
    vals.push_back(k.value);
  }
  EXPECT_EQ(vals, (std::vector<uint64_t>{32, 33, 100, 101, 102, 7}));
}

TEST(PolicyCompiler, SyscallNames) {
  EXPECT_EQ(syscall_of("sys_openat"), "openat");
  EXPECT_EQ(syscall_of("__x64_sys_openat"), "openat");
  EXPECT_EQ(syscall_of("__arm64_sys_write"), "write");
  EXPECT_EQ(syscall_of("fd_install"), "");
  EXPECT_EQ(syscall_of("sys_"), "");
}

}  // namespace
}  // namespace octagon::policy
