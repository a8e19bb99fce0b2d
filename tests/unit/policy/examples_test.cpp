// Every Tetragon example policy parses, and the model holds what the YAML says.
#include "test_helpers.h"
#include "unit/policy/policy_test_util.h"

#include <filesystem>

namespace octagon::policy {
namespace {

using testing::fixtures_dir;
using testing::read_text;
using testing::yaml_files;

std::string examples_dir() {
  return fixtures_dir() + "/tetragon-examples";
}

TracingPolicy load(const std::string& name) {
  Result<TracingPolicy> r = load_policy_file(examples_dir() + "/" + name);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  return r ? std::move(r).value() : TracingPolicy{};
}

TEST(PolicyExamplesTest, EveryExampleParses) {
  const std::vector<std::string> files = yaml_files(examples_dir());
  ASSERT_GE(files.size(), 30u);
  for (const std::string& f : files) {
    SCOPED_TRACE(f);
    Result<TracingPolicy> r = load_policy_file(examples_dir() + "/" + f);
    ASSERT_OK(r);
    EXPECT_FALSE(r->name.empty());
    EXPECT_EQ(r->source, examples_dir() + "/" + f);
  }
}

// CI checks out ../shared beside the repository: the copies must match the originals.
TEST(PolicyExamplesTest, SharedExamplesParseAndMatchTheCopies) {
  const std::string shared =
      std::string(OCTAGON_SOURCE_DIR) + "/../shared/policies/tetragon-examples";
  if (!std::filesystem::is_directory(shared))
    GTEST_SKIP() << "no " << shared;
  for (const std::string& f : yaml_files(shared)) {
    SCOPED_TRACE(f);
    EXPECT_OK(load_policy_file(shared + "/" + f));
    EXPECT_EQ(read_text(shared + "/" + f), read_text(examples_dir() + "/" + f))
        << "copy tests/fixtures/policies/tetragon-examples/" << f << " again";
  }
}

TEST(PolicyExamplesTest, KillerListsEnforcerAndNotifyEnforcer) {
  TracingPolicy p = load("killer.yaml");
  EXPECT_EQ(p.name, "kill-syscalls");
  EXPECT_EQ(p.kind, PolicyKind::kTracingPolicy);
  ASSERT_EQ(p.lists.size(), 1u);
  EXPECT_EQ(p.lists[0].name, "dups");
  EXPECT_EQ(p.lists[0].type, ListType::kSyscalls);
  EXPECT_EQ(p.lists[0].values, (std::vector<std::string>{"sys_dup", "sys_dup2", "__ia32_sys_dup"}));
  ASSERT_EQ(p.enforcers.size(), 1u);
  EXPECT_EQ(p.enforcers[0].calls, std::vector<std::string>{"list:dups"});
  ASSERT_EQ(p.tracepoints.size(), 1u);
  const TracepointSpec& tp = p.tracepoints[0];
  EXPECT_EQ(tp.subsystem, "raw_syscalls");
  EXPECT_EQ(tp.event, "sys_enter");
  EXPECT_FALSE(tp.raw);
  ASSERT_EQ(tp.args.size(), 1u);
  EXPECT_EQ(tp.args[0].index, 4u);
  EXPECT_EQ(tp.args[0].type, ArgType::kSyscall64);
  ASSERT_EQ(tp.selectors.size(), 1u);
  const Selector& s = tp.selectors[0];
  ASSERT_EQ(s.match_args.size(), 1u);
  EXPECT_EQ(s.match_args[0].op, ArgOperator::kInMap);
  EXPECT_EQ(s.match_args[0].values, std::vector<std::string>{"list:dups"});
  EXPECT_EQ(s.match_args[0].targets, std::vector<uint32_t>{0}); // index 0 = first spec arg
  ASSERT_EQ(s.match_binaries.size(), 1u);
  EXPECT_EQ(s.match_binaries[0].op, SetOperator::kIn);
  EXPECT_EQ(s.match_binaries[0].values, std::vector<std::string>{"/usr/bin/bash"});
  ASSERT_EQ(s.match_actions.size(), 1u);
  const Action& a = s.match_actions[0];
  EXPECT_EQ(a.type, ActionType::kNotifyEnforcer);
  EXPECT_EQ(a.arg_error, -1);
  EXPECT_EQ(a.arg_sig, 9u);
  EXPECT_TRUE(p.warnings.empty());
}

TEST(PolicyExamplesTest, WriteCharBufSizeArgIndexAndPids) {
  TracingPolicy p = load("write.yaml");
  ASSERT_EQ(p.kprobes.size(), 1u);
  const KProbeSpec& k = p.kprobes[0];
  EXPECT_EQ(k.call, "sys_write");
  EXPECT_TRUE(k.syscall);
  EXPECT_FALSE(k.return_probe);
  ASSERT_EQ(k.args.size(), 3u);
  EXPECT_EQ(k.args[0].type, ArgType::kInt);
  EXPECT_EQ(k.args[1].type, ArgType::kCharBuf);
  EXPECT_EQ(k.args[1].size_arg_index, 3u);
  EXPECT_EQ(k.args[2].type, ArgType::kSizeT);
  ASSERT_EQ(k.selectors.size(), 1u);
  const Selector& s = k.selectors[0];
  ASSERT_EQ(s.match_pids.size(), 1u);
  EXPECT_EQ(s.match_pids[0].op, SetOperator::kNotIn);
  EXPECT_EQ(s.match_pids[0].values, std::vector<uint32_t>{1});
  EXPECT_TRUE(s.match_pids[0].follow_forks);
  EXPECT_TRUE(s.match_pids[0].is_namespace_pid);
  ASSERT_EQ(s.match_args.size(), 1u);
  EXPECT_EQ(s.match_args[0].op, ArgOperator::kEqual);
  EXPECT_EQ(s.match_args[0].values, std::vector<std::string>{"1"});
  // Positions survive into the model for later stages.
  const SourcePos op = field_pos(s.match_args[0].pos, "operator");
  EXPECT_EQ(op.path, "spec.kprobes[0].selectors[0].matchArgs[0].operator");
  EXPECT_EQ(op.mark.line, 27u);
  EXPECT_EQ(op.mark.column, 19u);
  EXPECT_EQ(policy_error(p, op, "not on this kernel", "use X").message(),
            p.source + ":27:19: spec.kprobes[0].selectors[0].matchArgs[0].operator: "
                       "not on this kernel; hint: use X");
}

TEST(PolicyExamplesTest, UprobeSymbolsAndUsdtProbe) {
  TracingPolicy up = load("uprobe.yaml");
  ASSERT_EQ(up.uprobes.size(), 1u);
  EXPECT_EQ(up.uprobes[0].path, "/bin/bash");
  EXPECT_EQ(up.uprobes[0].symbols, (std::vector<std::string>{"readline", "main"}));
  EXPECT_TRUE(up.uprobes[0].offsets.empty());
  EXPECT_TRUE(up.uprobes[0].addrs.empty());

  TracingPolicy pid = load("uprobe-pid.yaml");
  ASSERT_EQ(pid.uprobes[0].selectors.size(), 1u);
  EXPECT_EQ(pid.uprobes[0].selectors[0].match_pids[0].values, std::vector<uint32_t>{61697});

  TracingPolicy usdt = load("usdt.yaml");
  ASSERT_EQ(usdt.usdts.size(), 1u);
  const UsdtSpec& u = usdt.usdts[0];
  EXPECT_EQ(u.provider, "test");
  EXPECT_EQ(u.name, "usdt3");
  EXPECT_EQ(u.path, "/home/jolsa/tetragon/contrib/tester-progs/usdt");
  ASSERT_EQ(u.args.size(), 2u);
  EXPECT_EQ(u.args[0].type, ArgType::kSint32);
  EXPECT_EQ(u.args[0].type_name, "int32");
  EXPECT_EQ(u.args[1].type, ArgType::kSint64);
}

TEST(PolicyExamplesTest, OpenatReturnArgsAndMask) {
  TracingPolicy p = load("openat_write.yaml");
  const KProbeSpec& k = p.kprobes[0];
  EXPECT_TRUE(k.return_probe);
  ASSERT_TRUE(k.return_arg.has_value());
  EXPECT_EQ(k.return_arg->type, ArgType::kInt);
  const Selector& s = k.selectors[0];
  ASSERT_EQ(s.match_args.size(), 2u);
  EXPECT_EQ(s.match_args[0].targets, std::vector<uint32_t>{1});
  EXPECT_EQ(s.match_args[1].op, ArgOperator::kMask);
  EXPECT_EQ(s.match_args[1].values, (std::vector<std::string>{"64", "1", "2"}));
  EXPECT_EQ(s.match_args[1].targets, std::vector<uint32_t>{2});
  ASSERT_EQ(s.match_return_args.size(), 1u);
  EXPECT_EQ(s.match_return_args[0].op, ArgOperator::kGreaterThan);
  EXPECT_EQ(s.match_return_args[0].values, std::vector<std::string>{"0"});
}

TEST(PolicyExamplesTest, RateLimitCapabilitiesAndLsm) {
  TracingPolicy cve = load("cve-2024-3094-xz-ssh.yaml");
  EXPECT_EQ(cve.annotations.size(), 3u);
  const KProbeSpec& k = cve.kprobes[0];
  EXPECT_FALSE(k.syscall);
  EXPECT_EQ(k.args[2].type, ArgType::kNop);
  const Action& post = k.selectors[0].match_actions[0];
  EXPECT_EQ(post.type, ActionType::kPost);
  ASSERT_TRUE(post.rate_limit.has_value());
  EXPECT_EQ(post.rate_limit->window_seconds, 60u);
  EXPECT_EQ(post.rate_limit->events_per_window, 1u);
  EXPECT_EQ(post.rate_limit_scope, RateLimitScope::kThread);
  EXPECT_EQ(k.selectors[0].match_args[0].op, ArgOperator::kPostfix);

  TracingPolicy caps = load("fd_install_caps.yaml");
  const CapabilityFilter& c = caps.kprobes[0].selectors[0].match_capabilities[0];
  EXPECT_EQ(c.type, CapabilitySet::kEffective);
  EXPECT_TRUE(c.is_namespace_capability);
  EXPECT_EQ(c.values, (std::vector<uint8_t>{0, 13})); // CAP_CHOWN, CAP_NET_RAW

  TracingPolicy lsm = load("lsm_bprm_check.yaml");
  ASSERT_EQ(lsm.lsmhooks.size(), 1u);
  EXPECT_EQ(lsm.lsmhooks[0].hook, "bprm_check_security");
  const auto& acts = lsm.lsmhooks[0].selectors[0].match_actions;
  ASSERT_EQ(acts.size(), 2u);
  EXPECT_EQ(acts[0].type, ActionType::kOverride);
  EXPECT_EQ(acts[0].arg_error, -1);
  EXPECT_TRUE(acts[1].ima_hash);
}

TEST(PolicyExamplesTest, MiscHooksAndFlags) {
  EXPECT_TRUE(load("loader.yaml").loader);
  TracingPolicy raw = load("rawtp.yaml");
  EXPECT_TRUE(raw.tracepoints[0].raw);
  EXPECT_EQ(raw.tracepoints[0].args[0].type, ArgType::kLinuxBinprm);
  EXPECT_EQ(load("list-syscalls.yaml").kprobes[0].call_list, "syscalls");
  TracingPolicy bpf = load("bpf.yaml");
  ASSERT_EQ(bpf.kprobes.size(), 4u);
  EXPECT_FALSE(bpf.kprobes[0].ignore_call_not_found);
  EXPECT_TRUE(bpf.kprobes[2].ignore_call_not_found);
  EXPECT_EQ(bpf.kprobes[0].args[0].type, ArgType::kBpfAttr);
  TracingPolicy pivot = load("sys_pivot_root.yaml");
  EXPECT_EQ(pivot.kprobes[0].selectors[0].match_pids.size(), 2u);
  TracingPolicy tcp = load("tcp-connect-only-private-addrs.yaml");
  EXPECT_EQ(tcp.kprobes[0].selectors[0].match_args[0].op, ArgOperator::kNotDAddr);
  EXPECT_EQ(tcp.kprobes[0].selectors[0].match_actions[0].type, ActionType::kSigkill);
  TracingPolicy sock = load("security-socket-connect.yaml");
  EXPECT_EQ(sock.kprobes[0].selectors[0].match_args[0].op, ArgOperator::kFamily);
  EXPECT_EQ(sock.kprobes[0].selectors[0].match_args[0].targets, std::vector<uint32_t>{0});
}

// Sigkill does not use argError: accepted as Tetragon does, but said so.
TEST(PolicyExamplesTest, IgnoredParameterIsAWarning) {
  TracingPolicy p = load("kill_unprivileged_user_namespace.yaml");
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0].pos.path, "spec.kprobes[0].selectors[0].matchActions[0].argError");
  EXPECT_NE(format_diagnostic(p.source, p.warnings[0]).find(":40:21: "), std::string::npos);
  EXPECT_NE(p.warnings[0].problem.find("Sigkill does not use argError"), std::string::npos);
}

} // namespace
} // namespace octagon::policy
