// kernel_stack_trace / user_stack_trace in process_kprobe JSON (StackTraceEntry, proto field
// order 7 and 12) and Tetragon's compact stack trace lines.
#include <octagon/exporters/json/compact_encoder.h>
#include <octagon/exporters/json/json_encoder.h>

#include <gtest/gtest.h>

#include <string>

namespace octagon::exporters {
namespace {

events::Process curl() {
  events::Process p;
  p.pid = p.tid = 10;
  p.binary = "/usr/bin/curl";
  return p;
}

events::KprobeEvent with_stacks(const events::Process& p) {
  events::KprobeEvent ev;
  ev.process = &p;
  ev.function_name = "__x64_sys_connect";
  ev.action = events::KprobeAction::kPost;
  ev.policy_name = "net";
  ev.tags = {"t"};
  ev.kernel_stack_trace = {{0xffffffffa13f2de5ull, 5, "kfree_skb_reason", ""},
                           {0, 0x10, "nft_do_chain", "nf_tables"}};
  ev.user_stack_trace = {
      {0x7f878cf2752bull, 0x12752b, "__connect", "/usr/lib/x86_64-linux-gnu/libc.so.6"},
      {0, 0x1000, "", "/tmp/a\"b"}};
  return ev;
}

TEST(StackTraceJson, EntriesInProtoOrderWithZeroValuesOmitted) {
  const events::Process p = curl();
  events::KprobeEvent ev = with_stacks(p);
  JsonEncoder enc("", {});
  std::string out;
  enc.encode(ev, out);
  const std::string kernel =
      R"("action":"KPROBE_ACTION_POST","kernel_stack_trace":[)"
      R"({"address":"18446744072119856613","offset":"5","symbol":"kfree_skb_reason"},)"
      R"({"offset":"16","symbol":"nft_do_chain","module":"nf_tables"}],"policy_name":"net")";
  const std::string user =
      R"("tags":["t"],"user_stack_trace":[)"
      R"({"address":"140220162012459","offset":"1209643","symbol":"__connect",)"
      R"("module":"/usr/lib/x86_64-linux-gnu/libc.so.6"},)"
      R"({"offset":"4096","module":"/tmp/a\"b"}]})";
  EXPECT_NE(out.find(kernel), std::string::npos) << out;
  EXPECT_NE(out.find(user), std::string::npos) << out;

  ev.kernel_stack_trace.clear();
  ev.user_stack_trace.clear();
  out.clear();
  enc.encode(ev, out);
  EXPECT_EQ(out.find("stack_trace"), std::string::npos) << out;
}

TEST(StackTraceCompact, KernelAndUserLines) {
  const events::Process p = curl();
  events::KprobeEvent ev = with_stacks(p);
  ev.user_stack_trace[1].module = "/tmp/evil\x1b[31m";
  CompactEncoder enc("node", false, false);
  std::string out;
  enc.encode(ev, out);
  const std::string want =
      "\n"
      "Kernel:\n"
      "   0xffffffffa13f2de5: kfree_skb_reason+0x5\n"
      "   0x0: nft_do_chain+0x10\n"
      "User:\n"
      "   0x7f878cf2752b: __connect (/usr/lib/x86_64-linux-gnu/libc.so.6+0x12752b)\n"
      "   0x0: (";
  EXPECT_NE(out.find(want), std::string::npos) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << "raw escape from an untrusted module path";
  EXPECT_EQ(out.back(), '\n');

  CompactEncoder colored("node", false, true);
  out.clear();
  colored.encode(ev, out);
  // fatih/color wraps the newline: the reset opens the next line.
  EXPECT_NE(out.find("\x1b[33m0x5\n\x1b[0m"), std::string::npos) << out;
}

} // namespace
} // namespace octagon::exporters
