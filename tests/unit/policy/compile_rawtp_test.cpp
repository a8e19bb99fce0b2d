// The compiler's raw tracepoints (BTF-typed arguments, resolve: paths) against a fake BTF, and
// the further perf tracepoint / syscall argument types, against fake format files.
#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include "test_helpers.h"
#include "unit/policy/fake_btf.h"

namespace octagon::policy {
namespace {

class BtfKernel : public KernelFacts {
 public:
  Result<std::vector<FormatField>> tracepoint_fields(const std::string& sub, const std::string& ev) override {
    std::vector<FormatField> f = {{"common_type", "unsigned short", 0, 2, false},
                                  {"common_flags", "unsigned char", 2, 1, false},
                                  {"common_preempt_count", "unsigned char", 3, 1, false},
                                  {"common_pid", "int", 4, 4, true}};
    auto syscall = [&](std::vector<FormatField> args) {
      f.push_back({"__syscall_nr", "int", 8, 4, true});
      for (auto& a : args) f.push_back(a);
      return f;
    };
    if (sub == "syscalls" && ev == "sys_enter_connect")
      return syscall({{"fd", "int", 16, 8}, {"uservaddr", "struct sockaddr *", 24, 8}, {"addrlen", "int", 32, 8}});
    if (sub == "syscalls" && ev == "sys_enter_writev")
      return syscall({{"fd", "unsigned long", 16, 8}, {"vec", "const struct iovec *", 24, 8}, {"vlen", "unsigned long", 32, 8}});
    if (sub == "syscalls" && ev == "sys_enter_read")
      return syscall({{"fd", "unsigned int", 16, 8}, {"buf", "char *", 24, 8}, {"count", "size_t", 32, 8}});
    if (sub == "syscalls" && ev.rfind("sys_exit_", 0) == 0) return syscall({{"ret", "long", 16, 8, true}});
    if (sub == "sched" && ev == "sched_process_exec") {
      f.push_back({"filename", "__data_loc char[]", 8, 4, false});
      f.push_back({"pid", "pid_t", 12, 4, true});
      return f;
    }
    if (sub == "task" && ev == "task_rename") {
      f.push_back({"pid", "pid_t", 8, 4, true});
      f.push_back({"oldcomm", "char", 12, 16, false, true});
      return f;
    }
    return make_error(ENOENT, "no tracepoint " + sub + "/" + ev);
  }
  std::string syscall_prefix() const override { return "__x64_"; }
  std::optional<int> syscall_number(const std::string&) const override { return std::nullopt; }
  BtfFacts* btf() override { return has_btf ? &btf_ : nullptr; }

  testing::FakeBtf btf_;
  bool has_btf = true;
};

Result<CompiledPolicy> compile(const std::string& spec_body, bool has_btf = true) {
  std::string yaml = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: p}\nspec:\n" + spec_body;
  OCTAGON_ASSIGN_OR_RETURN(TracingPolicy p, parse_policy(yaml, "test.yaml"));
  BtfKernel k;
  k.has_btf = has_btf;
  return compile_policy(p, k);
}

std::string exec_args(const std::string& args) {
  return "  tracepoints:\n  - subsystem: sched\n    event: sched_process_exec\n    raw: true\n    args: " + args + "\n";
}

TEST(CompileRawTracepoint, LinuxBinprmArgumentPlan) {
  auto c = compile(exec_args("[{index: 2, type: linux_binprm}]"));
  ASSERT_OK(c);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.target.kind, AttachTarget::Kind::kRawTracepoint);
  EXPECT_EQ(h.enter.target.event, "sched_process_exec");
  EXPECT_FALSE(h.exit);
  EXPECT_EQ(h.mechanism, "raw tracepoint sched_process_exec");
  EXPECT_EQ(h.render.kind, EventKind::kTracepoint);
  EXPECT_EQ(h.render.subsys, "sched");
  const oct_gen_arg& a = h.enter.config.args[0];
  EXPECT_EQ(a.offset, 16);  // the third u64 of the context
  EXPECT_EQ(a.size, 8);
  EXPECT_EQ(a.kind, OCT_GA_BINPRM);
  EXPECT_EQ(h.enter.config.resolve[0].nsteps, 0);
  ASSERT_EQ(h.render.args.size(), 1u);
  EXPECT_EQ(h.render.args[0].kind, events::Argument::Kind::kLinuxBinprm);
  EXPECT_EQ(h.render.args[0].capture, OCT_GA_BINPRM);
}

TEST(CompileRawTracepoint, AutoTypesFollowTheKernelTypes) {
  auto c = compile(exec_args(R"([{index: 2}, {index: 1}, {index: 0}, {index: 0, resolve: "comm"},
                                 {index: 0, resolve: "mm.exe_file"}])"));
  ASSERT_OK(c);
  const auto& cfg = c->hooks[0].enter.config;
  const auto& render = c->hooks[0].render;
  EXPECT_EQ(cfg.args[2].kind, OCT_GA_INT);  // a pointer to no known object: its value
  EXPECT_EQ(render.args[2].kind, events::Argument::Kind::kSize);
  EXPECT_EQ(cfg.args[3].kind, OCT_GA_STR_KERNEL);  // char[16]
  EXPECT_EQ(cfg.args[4].kind, OCT_GA_FILE);
  auto r = compile(exec_args(R"([{index: 2, resolve: "file.f_path"}])"));
  ASSERT_OK(r);  // an embedded struct path
  EXPECT_EQ(r->hooks[0].enter.config.args[0].kind, OCT_GA_PATH);
  EXPECT_EQ(cfg.args[0].kind, OCT_GA_BINPRM);
  EXPECT_EQ(cfg.args[1].kind, OCT_GA_INT);
  EXPECT_EQ(cfg.args[1].size, 4);
  EXPECT_EQ(cfg.args[1].is_signed, 1);
  EXPECT_EQ(cfg.args[1].offset, 8);
}

TEST(CompileRawTracepoint, CredAndCapability) {
  auto c = compile("  tracepoints:\n  - subsystem: capability\n    event: cap_capable\n    raw: true\n"
                   "    args: [{index: 0}, {index: 3, type: capability}]\n");
  ASSERT_OK(c);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.config.args[0].kind, OCT_GA_CRED);
  EXPECT_EQ(h.render.args[0].kind, events::Argument::Kind::kProcessCredentials);
  EXPECT_EQ(h.enter.config.args[1].kind, OCT_GA_INT);
  EXPECT_EQ(h.enter.config.args[1].offset, 24);
  EXPECT_EQ(h.render.args[1].kind, events::Argument::Kind::kCapability);
}

TEST(CompileRawTracepoint, ResolvePathsBecomeSteps) {
  auto c = compile(exec_args(R"([{index: 0, type: int, resolve: "mm.owner.pid"},
      {index: 0, type: string, resolve: "real_parent.comm"},
      {index: 2, type: path, resolve: "file.f_path"},
      {index: 2, type: dentry, resolve: "file.f_path.dentry"},
      {index: 0, type: uint8, resolve: "comm[3]"}])"));
  ASSERT_OK(c);
  const auto& cfg = c->hooks[0].enter.config;
  auto steps = [&](int i) {
    std::vector<std::pair<uint32_t, uint32_t>> out;
    for (int k = 0; k < cfg.resolve[i].nsteps; k++)
      out.emplace_back(cfg.resolve[i].steps[k].offset, cfg.resolve[i].steps[k].deref_size);
    return out;
  };
  using S = std::vector<std::pair<uint32_t, uint32_t>>;
  // task->mm (at 24), mm->owner (anonymous struct at 64, owner at 0), owner->pid (4 bytes at 8)
  EXPECT_EQ(steps(0), (S{{24, 8}, {64, 8}, {8, 4}}));
  EXPECT_EQ(cfg.resolve[0].sign_size, 4);
  EXPECT_EQ(cfg.args[0].size, 8);  // the slot itself is the task pointer
  EXPECT_EQ(cfg.args[0].kind, OCT_GA_INT);
  EXPECT_EQ(steps(1), (S{{16, 8}, {32, 0}}));  // comm is embedded: its address
  EXPECT_EQ(cfg.args[1].kind, OCT_GA_STR_KERNEL);
  EXPECT_EQ(steps(2), (S{{8, 8}, {16, 0}}));  // bprm->file, &file->f_path
  EXPECT_EQ(cfg.args[2].kind, OCT_GA_PATH);
  EXPECT_EQ(steps(3), (S{{8, 8}, {24, 8}}));  // bprm->file, file->f_path.dentry
  EXPECT_EQ(cfg.args[3].kind, OCT_GA_DENTRY);
  EXPECT_EQ(steps(4), (S{{35, 1}}));
  EXPECT_EQ(cfg.resolve[4].sign_size, 0);
}

TEST(CompileRawTracepoint, MalformedResolvePathsNameTheBadComponent) {
  struct Case {
    const char* arg;
    const char* error;
  } cases[] = {
      {R"({index: 0, type: int, resolve: "mm..pid"})", "empty component"},
      {R"({index: 0, type: int, resolve: ".mm"})", "empty component"},
      {R"({index: 0, type: int, resolve: "mm."})", "empty component"},
      {R"({index: 0, type: int, resolve: "mm.nosuch"})", "struct mm_struct has no field 'nosuch'"},
      {R"({index: 0, type: int, resolve: "pid.x"})", "'pid' is pid_t: 'x' cannot be looked up"},
      {R"({index: 0, type: int, resolve: "comm[16]"})", "index 16 is past the 16 elements of 'comm'"},
      {R"({index: 0, type: int, resolve: "comm[x]"})", "'comm\\[x\\]' is not NAME or NAME\\[INDEX\\]"},
      {R"({index: 0, type: int, resolve: "comm[1"})", "is not NAME or NAME\\[INDEX\\]"},
      {R"({index: 0, type: int, resolve: "pid[0]"})", "'pid' is pid_t, not an array"},
      {R"({index: 0, type: int, resolve: "flags"})", "'flags' is a bitfield"},
      {R"({index: 0, type: int, resolve: "mm-owner"})", "'mm-owner' is not a C field name"},
      {R"({index: 1, type: int, resolve: "x"})", "the argument is pid_t, not a pointer to a struct"},
      {R"({index: 0, type: file, resolve: "mm"})", "type file needs a struct file \\*, but argument 0 resolved is struct mm_struct \\*"},
      {R"({index: 0, type: int, resolve: "comm"})", "type int needs an integer or pointer, but argument 0 resolved is the embedded char\\[16\\]"},
  };
  for (const auto& c : cases) {
    auto r = compile(exec_args(std::string("[") + c.arg + "]"));
    ASSERT_FALSE(r) << c.arg;
    EXPECT_TRUE(std::regex_search(r.error().message(), std::regex(c.error))) << c.arg << " -> " << r.error().message();
    EXPECT_TRUE(std::regex_search(r.error().message(), std::regex("^test.yaml:[0-9]+:[0-9]+: "))) << r.error().message();
  }
}

TEST(CompileRawTracepoint, RefusalsNameWhatIsMissing) {
  auto r = compile("  tracepoints:\n  - {subsystem: sched, event: nosuch_event, raw: true, args: [{index: 0, type: int}]}\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("no raw tracepoint nosuch_event"), std::string::npos) << r.error().message();
  r = compile(exec_args("[{index: 3, type: int}]"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("index 3 is past the 3 arguments of raw tracepoint sched_process_exec"),
            std::string::npos) << r.error().message();
  r = compile(exec_args("[{index: 0, type: file}]"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("type file needs a struct file *, but argument 0 is struct task_struct *"),
            std::string::npos) << r.error().message();
  r = compile(exec_args("[{index: 2, type: linux_binprm}]"), /*has_btf=*/false);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("raw tracepoints need the kernel's BTF"), std::string::npos);
  r = compile(exec_args("[{index: 2, type: iov_iter}]"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("argument type iov_iter is not supported on raw tracepoints yet"), std::string::npos);
}

TEST(CompileTracepointArgs, DataLocConstBufAndResolveRefusal) {
  auto c = compile("  tracepoints:\n  - subsystem: sched\n    event: sched_process_exec\n    args: [{index: 4, type: data_loc}, {index: 4}]\n");
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].kind, OCT_GA_DATA_LOC);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].offset, 8);
  EXPECT_EQ(c->hooks[0].enter.config.args[1].kind, OCT_GA_DATA_LOC);  // auto on __data_loc
  EXPECT_EQ(c->hooks[0].render.args[0].kind, events::Argument::Kind::kString);
  c = compile("  tracepoints:\n  - subsystem: task\n    event: task_rename\n    args: [{index: 5, type: const_buf}]\n");
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].kind, OCT_GA_CONST_BUF);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].max_data, 16);
  auto r = compile("  tracepoints:\n  - subsystem: task\n    event: task_rename\n    args: [{index: 4, type: const_buf}]\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("type const_buf needs an array field"), std::string::npos) << r.error().message();
  r = compile("  tracepoints:\n  - subsystem: task\n    event: task_rename\n    args: [{index: 4, type: int, resolve: pid}]\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("use a raw tracepoint (raw: true)"), std::string::npos) << r.error().message();
}

TEST(CompileSyscallArgs, SockaddrIovecAndReturnCopy) {
  auto c = compile("  kprobes:\n  - call: sys_connect\n    args: [{index: 1, type: sockaddr}]\n");
  ASSERT_OK(c);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.config.args[0].kind, OCT_GA_SOCKADDR);
  EXPECT_EQ(h.enter.config.args[0].user, 1);
  EXPECT_EQ(h.enter.config.mode, OCT_MODE_ENTER_DEFER);  // user memory: finish at exit if it faulted
  ASSERT_TRUE(h.exit);
  EXPECT_EQ(h.render.args[0].kind, events::Argument::Kind::kSockaddr);

  c = compile("  kprobes:\n  - call: sys_writev\n    args: [{index: 2, type: int}, {index: 1, type: char_iovec, sizeArgIndex: 3}]\n");
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.config.args[1].kind, OCT_GA_IOVEC);
  EXPECT_EQ(c->hooks[0].enter.config.args[1].size_arg, 0);  // position of index 2 in args
  auto r = compile("  kprobes:\n  - call: sys_writev\n    args: [{index: 1, type: char_iovec}]\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("char_iovec needs sizeArgIndex"), std::string::npos);

  c = compile("  kprobes:\n  - call: sys_read\n    args: [{index: 1, type: char_buf, returnCopy: true}]\n");
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.config.mode, OCT_MODE_STORE);  // copied at the syscall's return
  ASSERT_TRUE(c->hooks[0].exit);
  EXPECT_EQ(c->hooks[0].exit->config.mode, OCT_MODE_EXIT);
  EXPECT_EQ(c->hooks[0].exit->config.args[0].kind, OCT_GA_BUF_RET);
  EXPECT_FALSE(c->hooks[0].render.ret);  // no returnArg asked for: none shown
  c = compile("  kprobes:\n  - call: sys_read\n"
              "    args: [{index: 1, type: char_buf, sizeArgIndex: 3, maxData: true}, {index: 2, type: size_t}]\n");
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].kind, OCT_GA_BUF_USER);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].max_data, OCT_GEN_ARG_MAX);  // inline
  EXPECT_EQ(c->hooks[0].enter.config.args[0].chunk_max, uint32_t(OCT_GEN_MAXDATA_MAX - OCT_GEN_ARG_MAX));
  r = compile("  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_read\n"
              "    args: [{index: 6, type: char_buf, returnCopy: true}]\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("returnCopy needs the syscall's exit"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace octagon::policy
