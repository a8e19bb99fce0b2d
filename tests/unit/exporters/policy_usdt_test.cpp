// process_usdt JSON and compact lines, and the uprobe fields uretprobes and refCtrOffsets add
// (compat reference 2.2 and 2.4).
#include <octagon/exporters/json/compact_encoder.h>
#include <octagon/exporters/json/json_encoder.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "unit/exporters/policy_fixtures.h"

namespace octagon::exporters {
namespace {

using events::Argument;
using K = Argument::Kind;
using fixtures::Arg;

events::Process app_process() {
  events::Process p;
  p.pid = p.tid = 10;
  p.binary = "/usr/bin/x";
  return p;
}
constexpr char kAppJson[] = R"({"pid":10,"uid":0,"binary":"/usr/bin/x",)"
                            R"("start_time":"1970-01-01T00:00:00Z","auid":4294967295,"tid":10,"in_init_tree":false})";

events::UsdtEvent usdt3(const events::Process& p) {
  events::UsdtEvent ev;
  ev.process = &p;
  ev.path = "/usr/bin/x";
  ev.provider = "test";
  ev.name = "usdt3";
  ev.policy_name = "usdts";
  ev.args = {Arg(K::kInt).i(-1), Arg(K::kLong).i(-8), Arg(K::kSize).u(8)};
  ev.time_ns = 2'000'000'000;
  return ev;
}

// The constructed example of the compat reference, byte for byte.
TEST(PolicyUsdtJson, AsInTheReference) {
  const events::Process p = app_process();
  JsonEncoder enc("node-1", {});
  std::string out;
  enc.encode(usdt3(p), out);
  EXPECT_EQ(out, std::string(R"({"process_usdt":{"process":)") + kAppJson +
                     R"(,"path":"/usr/bin/x","provider":"test","name":"usdt3","policy_name":"usdts",)"
                     R"("args":[{"int_arg":-1},{"long_arg":"-8"},{"size_arg":"8"}],)"
                     R"("action":"KPROBE_ACTION_POST"},"node_name":"node-1","time":"1970-01-01T00:00:02Z"})"
                     "\n");
}

TEST(PolicyUsdtJson, MessageTagsAndHostileStrings) {
  const events::Process p = app_process();
  events::UsdtEvent ev = usdt3(p);
  ev.message = "probe \"fired\"";
  ev.tags = {"a", "b\n"};
  ev.provider = "pro\x01vider";
  ev.action = events::KprobeAction::kSigkill;
  JsonEncoder enc("n", {});
  std::string out;
  enc.encode(ev, out);
  nlohmann::json j = nlohmann::json::parse(out)["process_usdt"];
  EXPECT_EQ(j["message"], "probe \"fired\"");
  EXPECT_EQ(j["tags"][1], "b\n");
  EXPECT_EQ(j["provider"], "pro\x01vider");
  EXPECT_EQ(j["action"], "KPROBE_ACTION_SIGKILL");
  out.clear();
  enc.encode(events::UsdtEvent{}, out);  // no process: nothing
  EXPECT_EQ(out, "");
}

TEST(PolicyUprobeJson, ReturnValueAndRefCtrOffset) {
  const events::Process p = app_process();
  events::UprobeEvent ev;
  ev.process = &p;
  ev.path = "/bin/app";
  ev.symbol = "f";
  ev.offset = 0x1000;
  ev.ref_ctr_offset = 0x4048;
  ev.return_arg = Arg(K::kInt).i(-2);
  JsonEncoder enc("n", {});
  std::string out;
  enc.encode(ev, out);
  EXPECT_NE(out.find(R"("offset":"4096","ref_ctr_offset":"16456","action":"KPROBE_ACTION_POST","return":{"int_arg":-2}})"),
            std::string::npos)
      << out;
}

TEST(PolicyUsdtCompact, PathProviderName) {
  const events::Process p = app_process();
  CompactEncoder enc("ns/pod", false, false);
  std::string out;
  enc.encode(usdt3(p), out);
  EXPECT_EQ(out, "🕵️ usdt    ns/pod /usr/bin/x /usr/bin/x test usdt3\n");
  out.clear();
  events::UsdtEvent ev = usdt3(p);
  ev.name = "bad\x1b[31m";
  enc.encode(ev, out);
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;  // terminal-escaped
}

}  // namespace
}  // namespace octagon::exporters
