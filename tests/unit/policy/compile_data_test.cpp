// kprobe data[] entries (source: current_task + resolve:) and matchData, against a fake BTF.
#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include "test_helpers.h"
#include "unit/policy/fake_btf.h"

namespace octagon::policy {
namespace {

class DataKernel : public KernelFacts {
 public:
  Result<std::vector<FormatField>> tracepoint_fields(const std::string& sub, const std::string& ev) override {
    std::vector<FormatField> f = {{"common_type", "unsigned short", 0, 2, false},
                                  {"common_flags", "unsigned char", 2, 1, false},
                                  {"common_preempt_count", "unsigned char", 3, 1, false},
                                  {"common_pid", "int", 4, 4, true},
                                  {"__syscall_nr", "int", 8, 4, true}};
    if (sub != "syscalls") return make_error(ENOENT, "no tracepoint");
    if (ev == "sys_enter_read") {
      f.push_back({"fd", "unsigned int", 16, 8});
      f.push_back({"buf", "char *", 24, 8});
      f.push_back({"count", "size_t", 32, 8});
      return f;
    }
    if (ev.rfind("sys_exit_", 0) == 0) {
      f.push_back({"ret", "long", 16, 8, true});
      return f;
    }
    return make_error(ENOENT, "no tracepoint " + ev);
  }
  std::string syscall_prefix() const override { return "__x64_"; }
  std::optional<int> syscall_number(const std::string&) const override { return std::nullopt; }
  BtfFacts* btf() override { return has_btf ? &btf_ : nullptr; }
  testing::FakeBtf btf_;
  bool has_btf = true;
};

Result<CompiledPolicy> compile(const std::string& hook_body, bool has_btf = true) {
  std::string yaml = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: p}\nspec:\n"
                     "  kprobes:\n  - call: sys_read\n" + hook_body;
  OCTAGON_ASSIGN_OR_RETURN(TracingPolicy p, parse_policy(yaml, "test.yaml"));
  DataKernel k;
  k.has_btf = has_btf;
  return compile_policy(p, k);
}

TEST(CompileData, CurrentTaskFieldsFollowTheArgsAndMatchDataFiltersThem) {
  auto c = compile(R"(    args: [{index: 2, type: size_t}]
    data:
    - {index: 0, type: int, source: current_task, resolve: tgid}
    - {index: 1, type: int, source: current_task, resolve: real_parent.pid}
    - {index: 2, type: string, source: current_task, resolve: comm}
    selectors:
    - matchData:
      - {index: 1, operator: Equal, values: ["42"]}
      - {index: 2, operator: Prefix, values: [cat]}
)");
  ASSERT_OK(c);
  const auto& h = c->hooks[0];
  const oct_gen_config& cfg = h.enter.config;
  ASSERT_EQ(cfg.nargs, 4);
  EXPECT_EQ(cfg.arg_source[0], OCT_GEN_SRC_CONTEXT);
  for (int i = 1; i < 4; i++) EXPECT_EQ(cfg.arg_source[i], OCT_GEN_SRC_TASK) << i;
  // tgid: one 4-byte load at offset 12 of task_struct, sign-extended.
  EXPECT_EQ(cfg.args[1].kind, OCT_GA_INT);
  ASSERT_EQ(cfg.resolve[1].nsteps, 1);
  EXPECT_EQ(cfg.resolve[1].steps[0].offset, 12u);
  EXPECT_EQ(cfg.resolve[1].steps[0].deref_size, 4);
  EXPECT_EQ(cfg.resolve[1].sign_size, 4);
  // real_parent.pid: the pointer at 16, then the int at 8 of the parent.
  ASSERT_EQ(cfg.resolve[2].nsteps, 2);
  EXPECT_EQ(cfg.resolve[2].steps[0].offset, 16u);
  EXPECT_EQ(cfg.resolve[2].steps[0].deref_size, 8);
  EXPECT_EQ(cfg.resolve[2].steps[1].offset, 8u);
  // comm: the address of the array, read as a kernel string.
  EXPECT_EQ(cfg.args[3].kind, OCT_GA_STR_KERNEL);
  ASSERT_EQ(cfg.resolve[3].nsteps, 1);
  EXPECT_EQ(cfg.resolve[3].steps[0].deref_size, 0);
  ASSERT_EQ(h.render.args.size(), 1u);
  ASSERT_EQ(h.render.data.size(), 3u);
  EXPECT_EQ(h.render.data[2].kind, events::Argument::Kind::kString);
  // matchData index i is data[i], i.e. slot args.size() + i.
  const oct_gen_selector& s = cfg.selectors[0];
  ASSERT_EQ(s.nfilters, 2);
  EXPECT_EQ(s.filters[0].arg, 2);
  EXPECT_EQ(s.filters[0].op, OCT_OP_EQ);
  EXPECT_EQ(s.filters[0].ivals[0], 42);
  EXPECT_EQ(s.filters[1].arg, 3);
  EXPECT_EQ(s.filters[1].is_string, 1);
  EXPECT_EQ(std::string(s.filters[1].svals[0], s.filters[1].slen[0]), "cat");
}

TEST(CompileData, Refusals) {
  EXPECT_ERR(compile("    data: [{index: 0, type: int, source: pt_regs, resolve: rax}]\n"), EINVAL,
             "test.yaml:7:.*data source pt_regs");
  EXPECT_ERR(compile("    data: [{index: 0, type: int, source: current_task}]\n"), EINVAL, "needs a resolve: path");
  EXPECT_ERR(compile("    data: [{index: 0, type: int, source: current_task, resolve: nosuch}]\n"), EINVAL,
             "resolve 'nosuch': struct task_struct has no field 'nosuch'");
  EXPECT_ERR(compile("    data: [{index: 0, type: int, source: current_task, resolve: comm}]\n"), EINVAL,
             "type int needs an integer");
  EXPECT_ERR(compile("    data: [{index: 0, type: int, source: current_task, resolve: pid}]\n", false), EINVAL,
             "needs the kernel's BTF");
  // args and data share the 5 argument slots (refused where data is parsed).
  EXPECT_ERR(compile("    args: [{index: 0, type: int}, {index: 1, type: int}, {index: 2, type: int}]\n"
                     "    data: [{index: 0, type: int, source: current_task, resolve: pid},"
                     " {index: 1, type: int, source: current_task, resolve: tgid},"
                     " {index: 2, type: int, source: current_task, resolve: flags}]\n"),
             EINVAL, "data.*args and data hold 6");
  EXPECT_ERR(compile("    returnArgAction: TrackSock\n    return: true\n    returnArg: {index: 0, type: int}\n"),
             EINVAL, "returnArgAction acts on a struct sock the function returns; syscalls return integers");
}

}  // namespace
}  // namespace octagon::policy
