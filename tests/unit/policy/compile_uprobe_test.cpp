// The uprobe and usdt compilers against fake binaries: plans (register offsets, return pairs,
// probe sites, semaphores) and refusals at the line that names what was not found.
#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include <map>

#include "test_helpers.h"

namespace octagon::policy {
namespace {

class FakeBinaries : public BinaryFacts {
 public:
  Result<void> check_binary(const std::string& path) override {
    if (path == "/bin/app" || path == "/proc/1/root/usr/bin/app") return ok();
    return make_error(ENOENT, "open " + path);
  }
  Result<uint64_t> symbol_offset(const std::string& path, const std::string& symbol) override {
    if (symbol == "readline") return uint64_t{0xc6c20};
    if (symbol == "main") return uint64_t{0x2feb0};
    return make_error(ENOENT, "no symbol " + symbol + " in " + path);
  }
  Result<uint64_t> address_offset(const std::string&, uint64_t addr) override {
    if (addr < 0x1000) return make_error(ERANGE, "address in no loadable segment");
    return addr - 0x1000;
  }
  Result<std::vector<UsdtProbe>> usdt_probes(const std::string&) override {
    return std::vector<UsdtProbe>{
        {"test", "usdt3", 0x1157, 0x4048, "-4@4(%rsp) -8@%r12 8@$8"},
        {"test", "usdt3", 0x2200, 0x4048, "-4@%eax -8@%rbx 8@$8"},  // a second site
        {"octagon", "plain", 0x3000, 0, "8@%rdi"},
        {"octagon", "odd", 0x3100, 0, "8@counter(%rip)"},
    };
  }
  Result<std::string> sha256_hex(const std::string&) override { return std::string(64, 'a'); }
};

class FakeKernel : public KernelFacts {
 public:
  Result<std::vector<FormatField>> tracepoint_fields(const std::string&, const std::string&) override {
    return make_error(ENOENT, "none");
  }
  std::string syscall_prefix() const override { return "__x64_"; }
  std::optional<int> syscall_number(const std::string&) const override { return std::nullopt; }
  BinaryFacts* binaries() override { return &bins; }
  FakeBinaries bins;
};

Result<CompiledPolicy> compile(const std::string& spec) {
  std::string yaml = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: up}\nspec:\n" + spec;
  OCTAGON_ASSIGN_OR_RETURN(TracingPolicy p, parse_policy(yaml, "test.yaml"));
  FakeKernel k;
  return compile_policy(p, k);
}

TEST(CompileUprobe, SymbolsBecomeOneHookEachWithRegisterArgs) {
  auto c = compile(R"(  uprobes:
  - path: /bin/app
    symbols: [readline, main]
    args: [{index: 0, type: int}, {index: 1, type: string}, {index: 5, type: uint64}]
)");
  ASSERT_OK(c);
  ASSERT_EQ(c->hooks.size(), 2u);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.target.kind, AttachTarget::Kind::kUprobe);
  EXPECT_EQ(h.enter.target.binary, "/bin/app");
  EXPECT_EQ(h.enter.target.offset, 0xc6c20u);
  EXPECT_FALSE(h.enter.target.retprobe);
  EXPECT_FALSE(h.exit);
  EXPECT_EQ(h.render.kind, EventKind::kUprobe);
  EXPECT_EQ(h.render.symbol, "readline");
  EXPECT_EQ(h.render.path, "/bin/app");
  EXPECT_EQ(h.render.offset, 0xc6c20u);
  EXPECT_EQ(h.render.policy_name, "up");
  EXPECT_EQ(h.enter.config.nargs, 3);
  EXPECT_EQ(h.enter.config.args[0].offset, 112);  // rdi
  EXPECT_EQ(h.enter.config.args[0].kind, OCT_GA_INT);
  EXPECT_EQ(h.enter.config.args[0].size, 4);
  EXPECT_EQ(h.enter.config.args[1].offset, 104);  // rsi
  EXPECT_EQ(h.enter.config.args[1].kind, OCT_GA_STR_USER);
  EXPECT_EQ(h.enter.config.args[2].offset, 64);   // r9
  EXPECT_EQ(h.render.args[2].kind, events::Argument::Kind::kSize);
  EXPECT_EQ(c->hooks[1].enter.target.offset, 0x2feb0u);
  EXPECT_EQ(c->hooks[1].render.symbol, "main");
  EXPECT_EQ(h.mechanism, "uprobe /bin/app:readline (0xc6c20)");
}

TEST(CompileUprobe, ReturnProbeIsAStoreAndUretprobePair) {
  auto c = compile(R"(  uprobes:
  - path: /bin/app
    symbols: [readline]
    return: true
    args: [{index: 0, type: int}]
    returnArg: {index: 0, type: int64}
    selectors:
    - matchReturnArgs: [{index: 0, operator: LT, values: ["0"]}]
)");
  ASSERT_OK(c);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.config.mode, OCT_MODE_STORE);
  ASSERT_TRUE(h.exit);
  EXPECT_TRUE(h.exit->target.retprobe);
  EXPECT_EQ(h.exit->target.offset, 0xc6c20u);
  EXPECT_EQ(h.exit->config.mode, OCT_MODE_EXIT);
  EXPECT_EQ(h.exit->config.ret_offset, 80);  // rax
  EXPECT_EQ(h.exit->config.selectors[0].filters[0].arg, OCT_GEN_RET_ARG);
  ASSERT_TRUE(h.render.ret);
  EXPECT_EQ(h.render.ret->kind, events::Argument::Kind::kLong);
}

TEST(CompileUprobe, StringReturnValueIsCapturedAtTheUretprobe) {
  auto c = compile("  uprobes:\n  - path: /bin/app\n    symbols: [readline]\n    return: true\n"
                   "    returnArg: {index: 0, type: string}\n");
  ASSERT_OK(c);
  ASSERT_TRUE(c->hooks[0].exit);
  EXPECT_EQ(c->hooks[0].exit->config.ret_kind, OCT_GA_STR_USER);
  EXPECT_EQ(c->hooks[0].enter.config.ret_kind, 0);
  EXPECT_EQ(c->hooks[0].render.ret->kind, events::Argument::Kind::kString);
}

TEST(CompileUprobe, OffsetsAddrsRefCtrAndProcRoot) {
  auto c = compile(R"(  uprobes:
  - path: /procRoot/1/root/usr/bin/app
    offsets: [0x100, 0x200]
    refCtrOffsets: [0x4000, 0x4002]
  - path: /bin/app
    addrs: [0x5000]
)");
  ASSERT_OK(c);
  ASSERT_EQ(c->hooks.size(), 3u);
  EXPECT_EQ(c->hooks[0].enter.target.binary, "/proc/1/root/usr/bin/app");
  EXPECT_EQ(c->hooks[0].render.path, "/procRoot/1/root/usr/bin/app");
  EXPECT_EQ(c->hooks[1].enter.target.offset, 0x200u);
  EXPECT_EQ(c->hooks[1].enter.target.ref_ctr_offset, 0x4002u);
  EXPECT_EQ(c->hooks[1].render.ref_ctr_offset, 0x4002u);
  EXPECT_EQ(c->hooks[1].render.symbol, "");
  EXPECT_EQ(c->hooks[2].enter.target.offset, 0x4000u);
}

TEST(CompileUprobe, ErrorsNameTheLineAndWhatWasLookedFor) {
  EXPECT_ERR(compile("  uprobes:\n  - path: /bin/missing\n    symbols: [readline]\n"), EINVAL,
             "test.yaml:6:.*no file /bin/missing");
  EXPECT_ERR(compile("  uprobes:\n  - path: /bin/app\n    symbols:\n    - readline\n    - nosuch\n"), EINVAL,
             "test.yaml:9:.*uprobe symbol nosuch not found in /bin/app");
  EXPECT_ERR(compile("  uprobes:\n  - path: /bin/app\n    addrs: [0x10]\n"), EINVAL,
             "uprobe address 0x10 in /bin/app");
  EXPECT_ERR(compile("  uprobes:\n  - path: /bin/app\n    symbols: [main]\n    args: [{index: 6, type: int}]\n"),
             EINVAL, "only the first 6 function arguments");
  EXPECT_ERR(compile("  uprobes:\n  - path: /bin/app\n    symbols: [main]\n    args: [{index: 0, type: file}]\n"),
             EINVAL, "argument type file is not supported on uprobes");
  EXPECT_ERR(compile("  uprobes:\n  - path: /bin/app\n    symbols: [main]\n    btfPath: /x.btf\n"), EINVAL,
             "btfPath is not supported");
  EXPECT_ERR(compile("  uprobes:\n  - path: /bin/app\n    symbols: [main]\n    return: true\n"
                     "    returnArg: {index: 0, type: file}\n"),
             EINVAL, "returnArg type file is not supported on uprobes");
  EXPECT_ERR(compile("  uprobes:\n  - path: /bin/app\n    symbols: [main]\n    return: true\n"
                     "    returnArg: {index: 0, type: string}\n    selectors:\n"
                     "    - matchReturnArgs: [{index: 0, operator: Equal, values: [\"x\"]}]\n"),
             EINVAL, "matchReturnArgs on a string returnArg");
}

TEST(CompileUprobe, OverrideIsRefusedWithTheUprobeReason) {
  EXPECT_ERR(compile(R"(  uprobes:
  - path: /bin/app
    symbols: [main]
    selectors:
    - matchActions: [{action: Override, argRegs: ["rax=1"]}]
)"),
             EINVAL, "test.yaml:9:.*Override on uprobes");
}

TEST(CompileUprobe, BinaryDigests) {
  std::string good = std::string(64, 'a'), bad = std::string(64, 'b');
  auto spec = [](const std::string& d, const char* extra) {
    return "  uprobes:\n  - path: /bin/app\n    symbols: [main]\n    binaryDigests: [\"sha256:" + d + "\"]\n" + extra;
  };
  EXPECT_OK(compile(spec(good, "")));
  EXPECT_ERR(compile(spec(bad, "")), EINVAL, "test.yaml:8:.*sha256 of /bin/app is a+, none of the binaryDigests");
  auto ignored = compile(spec(bad, "    ignore: {digestVerificationFailure: true}\n"));
  ASSERT_OK(ignored);
  ASSERT_EQ(ignored->notes.size(), 1u);
  EXPECT_NE(ignored->notes[0].find("ignored"), std::string::npos);
  EXPECT_ERR(compile("  uprobes:\n  - path: /bin/app\n    symbols: [main]\n    binaryDigests: [\"sha1:" +
                     std::string(40, 'a') + "\"]\n"),
             EINVAL, "only sha256 binary digests");
}

TEST(CompileUsdt, EverySiteWithItsArgumentsAndSemaphore) {
  auto c = compile(R"(  usdts:
  - path: /bin/app
    provider: test
    name: usdt3
    args: [{index: 0, type: int32}, {index: 1, type: int64}, {index: 2}]
)");
  ASSERT_OK(c);
  ASSERT_EQ(c->hooks.size(), 2u);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.render.kind, EventKind::kUsdt);
  EXPECT_EQ(h.render.provider, "test");
  EXPECT_EQ(h.render.probe_name, "usdt3");
  EXPECT_EQ(h.enter.target.kind, AttachTarget::Kind::kUprobe);
  EXPECT_EQ(h.enter.target.offset, 0x1157u);
  EXPECT_EQ(h.enter.target.ref_ctr_offset, 0x4048u);
  const oct_gen_arg* a = h.enter.config.args;
  EXPECT_EQ(a[0].kind, OCT_GA_USER_DEREF);  // -4@4(%rsp)
  EXPECT_EQ(a[0].offset, 152);
  EXPECT_EQ(a[0].imm, 4);
  EXPECT_EQ(a[0].size, 4);
  EXPECT_TRUE(a[0].is_signed);
  EXPECT_EQ(a[1].kind, OCT_GA_INT);  // -8@%r12
  EXPECT_EQ(a[1].offset, 24);
  EXPECT_EQ(a[2].kind, OCT_GA_CONST);  // 8@$8
  EXPECT_EQ(a[2].imm, 8);
  EXPECT_EQ(h.render.args[2].kind, events::Argument::Kind::kSize);  // auto: unsigned 8 bytes
  EXPECT_EQ(c->hooks[1].enter.target.offset, 0x2200u);
  EXPECT_EQ(c->hooks[1].enter.config.args[0].kind, OCT_GA_INT);  // -4@%eax at the second site
  EXPECT_EQ(c->hooks[1].enter.config.args[0].offset, 80);
  EXPECT_NE(h.mechanism.find("semaphore 0x4048"), std::string::npos) << h.mechanism;
}

TEST(CompileUsdt, ErrorsNameTheProbe) {
  auto usdt = [](const std::string& path, const std::string& name, const std::string& extra) {
    return "  usdts:\n  - path: " + path + "\n    provider: test\n    name: " + name + "\n" + extra;
  };
  EXPECT_ERR(compile(usdt("/home/x/usdt", "usdt3", "")), EINVAL, "test.yaml:6:.*no file /home/x/usdt");
  EXPECT_ERR(compile(usdt("/bin/app", "usdt9", "")), EINVAL,
             "test.yaml:8:.*no USDT probe test:usdt9 in /bin/app.*it has: .*octagon:plain");
  EXPECT_ERR(compile(usdt("/bin/app", "usdt3", "    args: [{index: 3, type: int}]\n")), EINVAL,
             "has 3 arguments, index 3 is past them");
  EXPECT_ERR(compile(usdt("/bin/app", "usdt3", "    args: [{index: 0, type: string}]\n")), EINVAL,
             "argument type string cannot be read from USDT argument '-4@4\\(%rsp\\)'");
  EXPECT_ERR(compile("  usdts:\n  - path: /bin/app\n    provider: octagon\n    name: odd\n"), EINVAL,
             "octagon:odd at 0x3100: USDT argument '8@counter\\(%rip\\)'");
  EXPECT_ERR(compile(usdt("/bin/app", "usdt3", "    selectors:\n    - matchActions: [{action: Set, argIndex: 0, argValue: 1}]\n")),
             EINVAL, "action Set is not supported");
}

TEST(CompileUsdt, StringFromAPointerRegister) {
  auto c = compile("  usdts:\n  - path: /bin/app\n    provider: octagon\n    name: plain\n    args: [{index: 0, type: string}]\n");
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].kind, OCT_GA_STR_USER);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].offset, 112);
  EXPECT_EQ(c->hooks[0].enter.target.ref_ctr_offset, 0u);
}

}  // namespace
}  // namespace octagon::policy
