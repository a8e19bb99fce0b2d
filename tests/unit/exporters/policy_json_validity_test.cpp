// Policy event lines must parse with an independent JSON parser (nlohmann), also with hostile
// strings, and carry protojson's types: 32-bit ints as numbers, 64-bit ints as strings.
#include <octagon/exporters/json/json_encoder.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/exporters/policy_fixtures.h"

#if __has_include(<nlohmann/json.hpp>)
#include <nlohmann/json.hpp>

namespace octagon::exporters {
namespace {

using events::Argument;
using K = Argument::Kind;
using fixtures::Arg;
using nlohmann::json;

const std::string kHostile = std::string("\x1b[31m\"\\\n\0\x7f", 10) +
                             "\xC0\x80\xED\xA0\x80\xF0\x9F" + "\xE2\x80\xA8\xF0\x9F\x9A\x80";
// kHostile as a JSON parser returns it: each invalid byte replaced by U+FFFD.
const std::string kHostileDecoded = std::string("\x1b[31m\"\\\n\0\x7f", 10) +
                                    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" +
                                    "\xEF\xBF\xBD\xEF\xBF\xBD" + "\xE2\x80\xA8\xF0\x9F\x9A\x80";

std::vector<Argument> every_kind() {
  return {
      Arg(K::kInt).i(-7).label(kHostile),
      Arg(K::kUint).u(4000000000u),
      Arg(K::kLong).i(-9000000000),
      Arg(K::kSize).u(18000000000000000000u),
      Arg(K::kString).s(kHostile),
      Arg(K::kBytes).s(kHostile),
      Arg(K::kTruncatedBytes).u(99999).s("\xff\xfe"),
      Arg(K::kFile).s(kHostile).mount(kHostile).flags("f").permission("p"),
      Arg(K::kPath).s(kHostile),
      Arg(K::kLinuxBinprm).s(kHostile),
      Arg(K::kSyscallId).u(59).s("x64"),
      Arg(K::kSockaddr).u(80).s("::1").family("AF_INET6"),
      Arg(K::kCapability).i(21),
      Arg(K::kError).s(kHostile),
  };
}

TEST(PolicyJsonValidity, EveryKindParsesWithProtojsonTypes) {
  const events::Process p;
  events::KprobeEvent k;
  k.process = &p;
  k.function_name = kHostile;
  k.args = every_kind();
  k.return_arg = Arg(K::kLong).i(-1);
  k.policy_name = kHostile;
  k.message = kHostile;
  k.tags = {kHostile, ""};
  events::TracepointEvent t;
  t.process = &p;
  t.subsys = kHostile;
  t.event = kHostile;
  t.args = every_kind();
  events::UprobeEvent u;
  u.process = &p;
  u.path = kHostile;
  u.symbol = kHostile;
  u.args = every_kind();
  u.offset = 18446744073709551615u;

  JsonEncoder enc("node", {});
  std::string out;
  enc.encode(k, out);
  enc.encode(t, out);
  enc.encode(u, out);
  std::vector<json> events;
  size_t start = 0;
  for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1)
    events.push_back(json::parse(out.substr(start, nl - start))); // throws on invalid JSON/UTF-8
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(start, out.size());

  const json& kp = events[0]["process_kprobe"];
  EXPECT_EQ(kp["function_name"], kHostileDecoded);
  EXPECT_EQ(kp["policy_name"], kHostileDecoded);
  EXPECT_EQ(kp["tags"], json::array({kHostileDecoded, ""}));
  EXPECT_EQ(kp["return"]["long_arg"], "-1");
  EXPECT_EQ(events[1]["process_tracepoint"]["subsys"], kHostileDecoded);
  EXPECT_EQ(events[2]["process_uprobe"]["offset"], "18446744073709551615");
  EXPECT_EQ(events[2]["process_uprobe"]["symbol"], kHostileDecoded);

  for (const json& ev : {kp, events[1]["process_tracepoint"], events[2]["process_uprobe"]}) {
    const json& a = ev["args"];
    ASSERT_EQ(a.size(), 14u);
    for (const json& arg : a) {
      size_t members = arg.size() - (arg.contains("label") ? 1 : 0);
      EXPECT_EQ(members, 1u) << arg.dump(); // exactly one oneof member
    }
    EXPECT_TRUE(a[0]["int_arg"].is_number_integer());
    EXPECT_EQ(a[0]["int_arg"], -7);
    EXPECT_EQ(a[0]["label"], kHostileDecoded);
    EXPECT_EQ(a[1]["uint_arg"], 4000000000u);
    EXPECT_EQ(a[2]["long_arg"], "-9000000000");
    EXPECT_EQ(a[3]["size_arg"], "18000000000000000000");
    EXPECT_EQ(a[4]["string_arg"], kHostileDecoded);
    EXPECT_TRUE(a[5]["bytes_arg"].is_string());
    EXPECT_EQ(a[6]["truncated_bytes_arg"],
              json::parse(R"({"bytes_arg":"//4=","orig_size":"99999"})"));
    EXPECT_EQ(a[7]["file_arg"]["path"], kHostileDecoded);
    EXPECT_EQ(a[7]["file_arg"]["mount"], kHostileDecoded);
    EXPECT_EQ(a[8]["path_arg"]["path"], kHostileDecoded);
    EXPECT_EQ(a[9]["linux_binprm_arg"]["path"], kHostileDecoded);
    EXPECT_EQ(a[10]["syscall_id"], json::parse(R"({"id":59,"abi":"x64"})"));
    EXPECT_EQ(a[11]["sockaddr_arg"],
              json::parse(R"({"family":"AF_INET6","addr":"::1","port":80})"));
    EXPECT_EQ(a[12]["capability_arg"], json::parse(R"({"value":21,"name":"CAP_SYS_ADMIN"})"));
    EXPECT_EQ(a[13]["error_arg"]["Message"], kHostileDecoded);
  }
}

} // namespace
} // namespace octagon::exporters

#endif // __has_include(<nlohmann/json.hpp>)
