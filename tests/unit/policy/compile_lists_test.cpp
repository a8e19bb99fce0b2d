// spec.lists in the compiler: list: values of InMap / NotInMap (syscall numbers), call: list:
// with syscalls, generated_syscalls and generated_ftrace lists, and btfType casts on raw
// tracepoint arguments, against a fake kernel. Errors are checked with their file:line:col.
#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include <algorithm>
#include <map>

#include "test_helpers.h"
#include "unit/policy/fake_btf.h"
#include "unit/policy/policy_test_util.h"

namespace octagon::policy {
namespace {

class ListKernel : public KernelFacts {
 public:
  Result<std::vector<FormatField>> tracepoint_fields(const std::string& sub, const std::string& ev) override {
    std::vector<FormatField> f = {{"common_type", "unsigned short", 0, 2, false},
                                  {"common_flags", "unsigned char", 2, 1, false},
                                  {"common_preempt_count", "unsigned char", 3, 1, false},
                                  {"common_pid", "int", 4, 4, true}};
    if (sub == "raw_syscalls" && ev == "sys_enter") {
      f.push_back({"id", "long", 8, 8, true});
      f.push_back({"args", "unsigned long", 16, 48, false, true});
      return f;
    }
    if (sub != "syscalls") return make_error(ENOENT, "no tracepoint " + sub + "/" + ev);
    f.push_back({"__syscall_nr", "int", 8, 4, true});
    if (ev.rfind("sys_exit_", 0) == 0) {
      f.push_back({"ret", "long", 16, 8, true});
      return f;
    }
    for (const char* sc : {"read", "dup", "dup2", "dup3"})
      if (ev == std::string("sys_enter_") + sc) {
        f.push_back({"fd", "unsigned int", 16, 8, false});
        return f;
      }
    return make_error(ENOENT, "no tracepoint " + sub + "/" + ev);  // stat: sys_enter_newstat
  }
  std::string syscall_prefix() const override { return "__x64_"; }
  std::optional<int> syscall_number(const std::string& name) const override {
    static const std::map<std::string, int> kNr = {{"read", 0}, {"stat", 4}, {"dup", 32},
                                                   {"dup2", 33}, {"openat", 257}, {"dup3", 292}};
    auto it = kNr.find(name);
    if (it == kNr.end()) return std::nullopt;
    return it->second;
  }
  Result<std::vector<std::string>> kernel_syscalls() override {
    return std::vector<std::string>{"read", "stat", "dup", "dup2"};
  }
  Result<std::vector<std::string>> filter_functions() override {
    if (!ftrace_readable) return make_error(EPERM, "cannot read /sys/kernel/tracing/available_filter_functions");
    return std::vector<std::string>{"vfs_read",      "__x64_sys_dup", "__x64_sys_dup2", "__x64_sys_dup3",
                                    "__ia32_sys_dup", "vfs_write",     "do_sys_openat2"};
  }
  BtfFacts* btf() override { return &btf_; }

  testing::FakeBtf btf_;
  bool ftrace_readable = true;
};

const char* const kHead = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: p}\nspec:\n";

Result<CompiledPolicy> compile(const std::string& spec_body, bool ftrace_readable = true) {
  OCTAGON_ASSIGN_OR_RETURN(TracingPolicy p, parse_policy(kHead + spec_body, "test.yaml"));
  ListKernel k;
  k.ftrace_readable = ftrace_readable;
  return compile_policy(p, k);
}

// A list (line 6 of the document: its values start on line 9) and a raw_syscalls/sys_enter hook
// whose id (format field 4) is filtered with `op` on `value`.
std::string sys_enter(const std::string& list_type, const std::string& values, const std::string& op,
                      const std::string& value) {
  return "  lists:\n  - name: fds\n    type: " + list_type + "\n    values:\n" + values +
         "  tracepoints:\n  - subsystem: raw_syscalls\n    event: sys_enter\n"
         "    args: [{index: 4, type: syscall64}]\n"
         "    selectors:\n    - matchArgs: [{index: 0, operator: " + op + ", values: ['" + value + "']}]\n";
}

std::vector<uint64_t> inmap_values(const CompiledPolicy& c) {
  std::vector<uint64_t> out;
  for (const auto& k : c.hooks[0].enter.inmap) out.push_back(k.value);
  return out;
}

std::vector<std::string> functions(const CompiledPolicy& c) {
  std::vector<std::string> out;
  for (const auto& h : c.hooks) out.push_back(h.render.function_name);
  return out;
}

TEST(CompileLists, InMapListBecomesSyscallNumbersOfTheId) {
  auto c = compile(sys_enter("syscalls", "    - sys_dup\n    - x64/sys_dup2\n    - dup3\n    - __x64_sys_read\n",
                             "InMap", "list:fds"));
  ASSERT_OK(c);
  ASSERT_EQ(c->hooks.size(), 1u);
  const oct_gen_filter& f = c->hooks[0].enter.config.selectors[0].filters[0];
  EXPECT_EQ(f.op, OCT_OP_INMAP);
  EXPECT_EQ(f.arg, 0);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].offset, 8);  // the id field
  EXPECT_EQ(inmap_values(*c), (std::vector<uint64_t>{32, 33, 292, 0}));
  for (const auto& k : c->hooks[0].enter.inmap) EXPECT_EQ(k.set, f.set);
}

TEST(CompileLists, NotInMapGeneratedSyscallsListIsEverySyscallOfTheKernel) {
  auto c = compile(
      "  lists:\n  - {name: all, type: generated_syscalls}\n"
      "  tracepoints:\n  - subsystem: raw_syscalls\n    event: sys_enter\n    args: [{index: 4}]\n"
      "    selectors:\n    - matchArgs: [{index: 0, operator: NotInMap, values: ['list:all', '400']}]\n");
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.config.selectors[0].filters[0].op, OCT_OP_NOTINMAP);
  EXPECT_EQ(inmap_values(*c), (std::vector<uint64_t>{0, 4, 32, 33, 400}));
}

TEST(CompileLists, I386EntriesMatchNothingAndTheNotesSaySo) {
  // Tetragon's killer.yaml lists __ia32_sys_dup: the id read here carries no ABI, so i386 entries
  // are left out of the set (never mapped onto the x64 syscall with the same number), said in a note.
  auto c = compile(sys_enter("syscalls", "    - sys_dup\n    - i386/sys_dup\n    - __ia32_sys_dup2\n", "InMap",
                             "list:fds"));
  ASSERT_OK(c);
  EXPECT_EQ(inmap_values(*c), (std::vector<uint64_t>{32}));
  bool said = std::any_of(c->notes.begin(), c->notes.end(), [](const std::string& n) {
    return n.find("list fds: the i386 entries (i386/sys_dup, __ia32_sys_dup2) match nothing here") != std::string::npos;
  });
  EXPECT_TRUE(said);
  c = compile(sys_enter("syscalls", "    - arm64/sys_dup\n", "InMap", "list:fds"));
  EXPECT_ERR(c, EINVAL, "test.yaml:9:7: .*ABI arm64 is not one of this x86_64 kernel's");
}

TEST(CompileLists, TetragonsKillerExampleLoadsWithItsI386EntryNoted) {
  auto p = parse_policy(testing::read_text(testing::fixtures_dir() + "/tetragon-examples/killer.yaml"), "killer.yaml");
  ASSERT_OK(p);
  ListKernel k;
  auto c = compile_policy(*p, k);
  ASSERT_OK(c);
  EXPECT_EQ(inmap_values(*c), (std::vector<uint64_t>{32, 33}));  // sys_dup, sys_dup2; not __ia32_sys_dup
  bool said = std::any_of(c->notes.begin(), c->notes.end(), [](const std::string& n) {
    return n.find("list dups: the i386 entries (__ia32_sys_dup) match nothing here") != std::string::npos;
  });
  EXPECT_TRUE(said);
}

TEST(CompileLists, UnknownSyscallInAListIsAnError) {
  auto c = compile(sys_enter("syscalls", "    - sys_dup\n    - sys_nosuch\n", "InMap", "list:fds"));
  EXPECT_ERR(c, EINVAL, "test.yaml:10:7: spec.lists\\[0\\].values\\[1\\]: list fds: unknown x86_64 syscall 'nosuch'");
  c = compile(sys_enter("syscalls", "    - do_sys_open\n", "InMap", "list:fds"));
  EXPECT_ERR(c, EINVAL, "test.yaml:9:7: .*'do_sys_open' is not a syscall name");
}

TEST(CompileLists, OnlyInMapAndNotInMapTakeLists) {
  auto c = compile(sys_enter("syscalls", "    - sys_dup\n", "Equal", "list:fds"));
  EXPECT_ERR(c, EINVAL, "test.yaml:15:56: .*only InMap and NotInMap take list values, not Equal");
  c = compile("  lists: [{name: fds, type: syscalls, values: [sys_dup]}]\n"
              "  kprobes:\n  - call: sys_openat\n    args: [{index: 1, type: string}]\n"
              "    selectors:\n    - matchArgs: [{index: 1, operator: Prefix, values: ['list:fds']}]\n");
  EXPECT_ERR(c, EINVAL, "test.yaml:10:.*only InMap and NotInMap take list values, not Prefix");
}

TEST(CompileLists, CallListOfSyscallsHooksEachSyscallTracepoint) {
  auto c = compile("  lists: [{name: fds, type: syscalls, values: [sys_dup, 'x64/sys_dup2', dup3]}]\n"
                   "  kprobes:\n  - call: list:fds\n    args: [{index: 0, type: int}]\n");
  ASSERT_OK(c);
  EXPECT_EQ(functions(*c), (std::vector<std::string>{"__x64_sys_dup", "__x64_sys_dup2", "__x64_sys_dup3"}));
  EXPECT_EQ(c->hooks[1].enter.target.event, "sys_enter_dup2");
  c = compile("  lists: [{name: fds, type: syscalls, values: [sys_dup, 'i386/sys_dup2']}]\n"
              "  kprobes:\n  - call: list:fds\n");
  EXPECT_ERR(c, EINVAL, "test.yaml:5:.*'i386/sys_dup2' is a 32-bit \\(i386\\) syscall: .*do not fire for 32-bit");
}

TEST(CompileLists, CallListOfGeneratedSyscallsHooksEverySyscallWithATracepoint) {
  auto c = compile("  lists:\n  - name: all\n    type: generated_syscalls\n"
                   "  kprobes:\n  - call: list:all\n    args: [{index: 0, type: int}]\n");
  ASSERT_OK(c);
  EXPECT_EQ(functions(*c), (std::vector<std::string>{"__x64_sys_read", "__x64_sys_dup", "__x64_sys_dup2"}));
  for (const auto& h : c->hooks) EXPECT_EQ(h.render.kind, EventKind::kKprobe);
  bool said = std::any_of(c->notes.begin(), c->notes.end(), [](const std::string& n) {
    return n.find("list all: 1 syscalls have no syscall tracepoint on this kernel and are not hooked: stat") !=
           std::string::npos;
  });
  EXPECT_TRUE(said);
}

TEST(CompileLists, ValidatedGeneratedListsKeepTheirValues) {
  auto c = compile("  lists:\n  - {name: g, type: generated_syscalls, validated: true, values: [__x64_sys_dup2]}\n"
                   "  - {name: f, type: generated_ftrace, validated: true, values: [__x64_sys_dup3]}\n"
                   "  kprobes:\n  - call: list:g\n  - call: list:f\n");
  ASSERT_OK(c);
  EXPECT_EQ(functions(*c), (std::vector<std::string>{"__x64_sys_dup2", "__x64_sys_dup3"}));
  EXPECT_ERR(compile("  lists:\n  - {name: g, type: generated_syscalls, values: [sys_dup]}\n  kprobes:\n  - call: list:g\n"),
             EINVAL, "test.yaml:6:.*a generated list cannot have values");
}

TEST(CompileLists, GeneratedFtraceOfSyscallFunctionsRunsOnSyscallTracepoints) {
  auto c = compile("  lists:\n  - name: dups\n    type: generated_ftrace\n    pattern: '^__x64_sys_dup'\n"
                   "  kprobes:\n  - call: list:dups\n");
  ASSERT_OK(c);
  EXPECT_EQ(functions(*c), (std::vector<std::string>{"__x64_sys_dup", "__x64_sys_dup2", "__x64_sys_dup3"}));
  EXPECT_EQ(c->hooks[2].mechanism, "tracepoint syscalls/sys_enter_dup3");
  EXPECT_NE(std::find(c->notes.begin(), c->notes.end(),
                      "kprobe list:dups (3 syscalls) runs on their syscalls/sys_enter_* tracepoints (this kernel has "
                      "no kprobes)"),
            c->notes.end());
}

TEST(CompileLists, GeneratedFtraceOfKernelFunctionsNeedsKprobes) {
  auto c = compile("  lists:\n  - name: vfs\n    type: generated_ftrace\n    pattern: '^vfs_'\n"
                   "  kprobes:\n  - call: list:vfs\n");
  EXPECT_ERR(c, EINVAL, "test.yaml:8:14: spec.lists\\[0\\].pattern: pattern '\\^vfs_' matches 2 functions, 2 of them "
                        "not x86_64 syscall functions \\(vfs_read, ...\\): kprobes on kernel functions need a kernel "
                        "with kprobes");
  c = compile("  lists:\n  - name: dup\n    type: generated_ftrace\n    pattern: '_sys_dup$'\n"
              "  kprobes:\n  - call: list:dup\n");
  EXPECT_ERR(c, EINVAL, "matches 2 functions, 1 of them not x86_64 syscall functions \\(__ia32_sys_dup\\)");
}

TEST(CompileLists, GeneratedFtraceBadOrEmptyPatterns) {
  const std::string call = "  kprobes:\n  - call: list:l\n";
  EXPECT_ERR(compile("  lists:\n  - name: l\n    type: generated_ftrace\n    pattern: 'vfs_(read'\n" + call), EINVAL,
             "test.yaml:8:14: spec.lists\\[0\\].pattern: pattern 'vfs_\\(read' is not a regular expression");
  EXPECT_ERR(compile("  lists:\n  - name: l\n    type: generated_ftrace\n    pattern: '^nothing$'\n" + call), EINVAL,
             "test.yaml:8:14: .*pattern '\\^nothing\\$' matches none of the 7 functions");
  EXPECT_ERR(compile("  lists:\n  - name: l\n    type: generated_ftrace\n    pattern: '^vfs'\n" + call, false), EINVAL,
             "test.yaml:8:14: .*cannot generate list l: cannot read /sys/kernel/tracing/available_filter_functions");
}

// inet_sock_set_state(const void *skaddr, int oldstate, int newstate): skaddr is a struct sock.
std::string sock_state(const std::string& arg) {
  return "  tracepoints:\n  - subsystem: sock\n    event: inet_sock_set_state\n    raw: true\n    args:\n    - " + arg + "\n";
}

TEST(CompileLists, BtfTypeCastsARawTracepointArgumentBeforeResolve) {
  auto c = compile(sock_state("{index: 0, type: uint16, btfType: sock, resolve: __sk_common.skc_num}"));
  ASSERT_OK(c);
  const oct_gen_resolve& r = c->hooks[0].enter.config.resolve[0];
  ASSERT_EQ(r.nsteps, 1);
  EXPECT_EQ(r.steps[0].offset, 14u);  // __sk_common at 0, the ports struct at 12, skc_num at 2
  EXPECT_EQ(r.steps[0].deref_size, 2);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].offset, 0);
  EXPECT_EQ(c->hooks[0].render.args[0].kind, events::Argument::Kind::kUint);
  c = compile(sock_state("{index: 0, btfType: struct sock, resolve: sk_protocol}"));
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.config.resolve[0].steps[0].offset, 300u);
}

TEST(CompileLists, BtfTypeErrors) {
  EXPECT_ERR(compile(sock_state("{index: 0, btfType: nosuch, resolve: a}")), EINVAL,
             "test.yaml:10:[0-9]+: spec.tracepoints\\[0\\].args\\[0\\].btfType: btfType 'nosuch': no struct nosuch");
  EXPECT_ERR(compile(sock_state("{index: 1, btfType: sock, resolve: sk_protocol}")), EINVAL,
             "test.yaml:10:[0-9]+: .*btfType casts a pointer, but argument 1 is int");
  EXPECT_ERR(compile(sock_state("{index: 0, btfType: sock, resolve: nofield}")), EINVAL,
             "resolve 'nofield': struct sock has no field 'nofield'");
  EXPECT_ERR(compile(sock_state("{index: 0, btfType: sock, btfTypeModule: nf_conntrack, resolve: sk_protocol}")),
             EINVAL, "test.yaml:10:[0-9]+: .*btfTypeModule: types from kernel modules' BTF are not supported");
  EXPECT_ERR(compile(sock_state("{index: 0, btfTypeModule: nf_conntrack}")), EINVAL,
             "test.yaml:10:[0-9]+: spec.tracepoints\\[0\\].args\\[0\\].btfTypeModule: btfTypeModule: types from kernel");
  EXPECT_ERR(compile("  tracepoints:\n  - subsystem: raw_syscalls\n    event: sys_enter\n"
                     "    args: [{index: 4, btfType: sock}]\n"),
             EINVAL, "test.yaml:8:.*btfType casts a BTF-typed argument.*; hint: use a raw tracepoint \\(raw: true\\)");
}

}  // namespace
}  // namespace octagon::policy
