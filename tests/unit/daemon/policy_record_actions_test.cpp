// Generic (policy) records with action data, decoded and processed without a kernel: stack
// addresses after the arguments, symbolized from a kallsyms fixture; NoPost records that only
// carry agent actions; malformed stack lengths rejected.
#include <octagon/daemon/event_processor.h>
#include <octagon/sensors/generic/generic_decoder.h>

#include <gtest/gtest.h>

#include <cstring>

#include "test_http_server.h"

namespace octagon::daemon {
namespace {

using namespace std::chrono_literals;

class FixedClock : public BootClock {
public:
  uint64_t boot_now_ns() const override { return 1000; }
  uint64_t wall_now_ns() const override { return 1700000000000000000ull; }
};

class KprobeSink : public EventSink {
public:
  void on_exec(const events::ExecEvent&) override {}
  void on_exit(const events::ExitEvent&) override {}
  void on_kprobe(const events::KprobeEvent& e) override { seen.push_back(e); }
  std::vector<events::KprobeEvent> seen;
};

// One string argument, then the kernel and user stacks.
std::vector<uint8_t> record(uint32_t hook, uint8_t selector, const std::string& arg,
                            const std::vector<uint64_t>& kstack,
                            const std::vector<uint64_t>& ustack) {
  oct_gen_event ev{};
  ev.hdr.op = OCT_MSG_GENERIC;
  ev.hdr.abi_version = OCTAGON_ABI_VERSION;
  ev.key.pid = 4242;
  ev.key.ktime = 77;
  ev.hook_id = hook;
  ev.tid = 4242;
  ev.selector = selector;
  ev.action = OCT_ACT_POST;
  ev.nargs = 1;
  ev.arg_len[0] = uint16_t(arg.size());
  ev.kstack_len = uint16_t(kstack.size() * 8);
  ev.ustack_len = uint16_t(ustack.size() * 8);
  std::vector<uint8_t> out(sizeof ev + arg.size() + (kstack.size() + ustack.size()) * 8);
  ev.hdr.size = uint32_t(out.size());
  uint8_t* p = out.data();
  memcpy(p, &ev, sizeof ev);
  p += sizeof ev;
  memcpy(p, arg.data(), arg.size());
  p += arg.size(); // stacks are not 8-byte aligned in the record
  if (!kstack.empty())
    memcpy(p, kstack.data(), kstack.size() * 8);
  p += kstack.size() * 8;
  if (!ustack.empty())
    memcpy(p, ustack.data(), ustack.size() * 8);
  return out;
}

policy::HookRender render(bool post, std::vector<policy::UserAction> actions = {}) {
  policy::HookRender r;
  r.policy_name = "p";
  r.kind = policy::EventKind::kKprobe;
  r.function_name = "__x64_sys_openat";
  r.args.push_back({events::Argument::Kind::kString, 8, false, false, ""});
  r.selector_actions = {events::KprobeAction::kPost};
  policy::SelectorRender s;
  s.post = post;
  s.user_actions = std::move(actions);
  r.selectors = {s};
  return r;
}

TEST(PolicyRecordDecode, StacksFollowTheArguments) {
  auto rec = record(1, 0, "/etc/x", {0xffffffff81002010ull, 0xffffffff81004000ull}, {0x401000});
  sensors::DecodedGeneric d;
  ASSERT_TRUE(sensors::decode_generic(rec.data(), rec.size(), d));
  ASSERT_EQ(d.args.size(), 1u);
  EXPECT_EQ(d.args[0], "/etc/x");
  EXPECT_EQ(d.kernel_stack, (std::vector<uint64_t>{0xffffffff81002010ull, 0xffffffff81004000ull}));
  EXPECT_EQ(d.user_stack, std::vector<uint64_t>{0x401000});

  auto cut = rec;
  cut.resize(cut.size() - 4); // the user stack overruns the record
  auto r = sensors::decode_generic(cut.data(), cut.size(), d);
  EXPECT_FALSE(r);
  auto odd = rec;
  reinterpret_cast<oct_gen_event*>(odd.data())->kstack_len = 9; // not whole addresses
  EXPECT_FALSE(sensors::decode_generic(odd.data(), odd.size(), d));
}

TEST(PolicyRecordProcess, KernelFramesSymbolizedAddressesHiddenByDefault) {
  for (bool expose : {false, true}) {
    FixedClock clock;
    events::ProcessCache cache(64);
    ProcessorOptions o{"node", false, 8};
    o.procfs = std::string(OCTAGON_SOURCE_DIR) + "/tests/fixtures/symbols"; // has "kallsyms"
    o.expose_stack_addresses = expose;
    EventProcessor proc(o, cache, clock);
    HookRegistry hooks;
    uint32_t id = hooks.add(render(true));
    proc.set_hook_registry(&hooks);
    KprobeSink sink;
    proc.add_sink(&sink);
    auto rec =
        record(id, 0, "/etc/x", {0xffffffff81002010ull, 0xffffffffc0a01804ull, 0x10}, {0x401000});
    proc.on_record(rec.data(), rec.size());
    ASSERT_EQ(sink.seen.size(), 1u);
    const auto& ks = sink.seen[0].kernel_stack_trace;
    ASSERT_EQ(ks.size(), 2u); // 0x10 is no kernel symbol: left out, counted
    EXPECT_EQ(ks[0].symbol, "do_syscall_64");
    EXPECT_EQ(ks[0].offset, 0x10u);
    EXPECT_EQ(ks[0].address, expose ? 0xffffffff81002010ull : 0u);
    EXPECT_EQ(ks[1].symbol, "mod_exported");
    EXPECT_EQ(ks[1].module, "xfs");
    EXPECT_TRUE(sink.seen[0].user_stack_trace.empty()); // no such process in the fixture dir
    proc.publish_cache_stats();
    EXPECT_EQ(proc.stats().stack_kernel_unresolved.load(), 1u);
    EXPECT_EQ(proc.stats().stack_maps_errors.load(), 1u);
  }
}

TEST(PolicyRecordProcess, NoPostRecordsOnlyRunAgentActions) {
  testing::TestHttpServer server;
  FixedClock clock;
  events::ProcessCache cache(64);
  EventProcessor proc({"node", false, 8}, cache, clock);
  HookRegistry hooks;
  uint32_t id = hooks.add(render(false, {{policy::UserAction::Kind::kGetUrl, server.url("/hit")}}));
  proc.set_hook_registry(&hooks);
  KprobeSink sink;
  proc.add_sink(&sink);

  auto rec = record(id, 0, "/etc/x", {}, {});
  proc.on_record(rec.data(), rec.size()); // no runner yet: counted as not run
  EXPECT_EQ(proc.stats().user_actions_not_run.load(), 1u);

  UserActionRunner runner;
  proc.set_user_actions(&runner);
  proc.on_record(rec.data(), rec.size());
  ASSERT_TRUE(runner.wait_idle(5000ms));
  EXPECT_EQ(runner.counts().get_url_ok, 1u);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_TRUE(sink.seen.empty());
  EXPECT_EQ(proc.stats().policy_nopost.load(), 2u);
}

} // namespace
} // namespace octagon::daemon
