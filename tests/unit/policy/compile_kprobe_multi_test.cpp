// kprobe.multi against fake kernels: the functions of one kprobes: entry that share a plan go on
// one link where the kernel has kprobe.multi; elsewhere, with disable-kprobe-multi, a return half
// or Override, each function keeps its own hook and a note says why.
#include <algorithm>

#include "unit/policy/kfunc_kernel.h"

namespace octagon::policy {
namespace {

HookSupport multi(bool has) {
  HookSupport h = with(true, true, true);
  h.kprobe_multi = has;
  h.kprobe_multi_why = has ? "kprobe.multi available" : "no kprobe.multi (kprobe.multi link refused: EOPNOTSUPP)";
  return h;
}

std::string list_policy(const std::string& extra = "", const std::string& options = "") {
  return options + R"(  lists:
  - name: fns
    values: [security_file_open, commit_creds, do_unlinkat]
  kprobes:
  - call: "list:fns"
    syscall: false
)" + extra;
}

bool has_note(const CompiledPolicy& c, const std::string& text) {
  return std::any_of(c.notes.begin(), c.notes.end(), [&](const std::string& n) { return n.find(text) != std::string::npos; });
}

TEST(CompileKprobeMulti, FunctionsWithOnePlanShareOneLink) {
  auto c = compile(list_policy(), multi(true));
  ASSERT_OK(c);
  ASSERT_EQ(c->hooks.size(), 1u);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.target.kind, AttachTarget::Kind::kKprobeMulti);
  EXPECT_EQ(h.enter.target.functions, (std::vector<std::string>{"security_file_open", "commit_creds", "do_unlinkat"}));
  EXPECT_EQ(h.mechanism, "kprobe.multi security_file_open,commit_creds,do_unlinkat");
  EXPECT_EQ(h.enter.config.nargs, 0u);
  EXPECT_TRUE(has_note(*c, "3 functions on one kprobe.multi link")) << c->notes.size();
}

TEST(CompileKprobeMulti, ArgumentsAreReadFromTheKprobeRegisters) {
  // Argument 0 is a pointer in all three prototypes: one plan, read from di (pt_regs offset 112).
  auto c = compile(list_policy("    args: [{index: 0, type: uint64}]\n"), multi(true));
  ASSERT_OK(c);
  ASSERT_EQ(c->hooks.size(), 1u);
  EXPECT_EQ(c->hooks[0].enter.config.nargs, 1u);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].offset, 112);
}

TEST(CompileKprobeMulti, OneHookPerFunctionWhereALinkCannotServe) {
  struct Case {
    std::string yaml;
    HookSupport hs;
    std::string why;
    AttachTarget::Kind kind;
  } cases[] = {
      {list_policy(), multi(false), "no kprobe.multi (kprobe.multi link refused", AttachTarget::Kind::kFentry},
      {list_policy("", "  options:\n  - {name: disable-kprobe-multi, value: \"true\"}\n"), multi(true),
       "the policy sets disable-kprobe-multi", AttachTarget::Kind::kFentry},
      {list_policy("    return: true\n    returnArg: {index: 0, type: int}\n"), multi(true),
       "return: true needs a return half per function", AttachTarget::Kind::kFexit},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.why);
    auto c = compile(k.yaml, k.hs);
    ASSERT_OK(c);
    ASSERT_EQ(c->hooks.size(), 3u);
    for (const HookPlan& h : c->hooks) EXPECT_EQ(h.enter.target.kind, k.kind);
    EXPECT_TRUE(has_note(*c, "one hook per function, not one kprobe.multi link (" + k.why));
  }
  // A single function has nothing to share.
  auto one = compile("  kprobes:\n  - call: do_unlinkat\n    syscall: false\n", multi(true));
  ASSERT_OK(one);
  ASSERT_EQ(one->hooks.size(), 1u);
  EXPECT_EQ(one->hooks[0].enter.target.kind, AttachTarget::Kind::kFentry);
}

}  // namespace
}  // namespace octagon::policy
