// Every line the JSON encoder writes must parse with an independent JSON parser (nlohmann), also
// for hostile process strings, and carry the values it was given.
#include <octagon/exporters/json/json_encoder.h>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "unit/exporters/process_fixtures.h"

#if __has_include(<nlohmann/json.hpp>)
#include <nlohmann/json.hpp>

namespace octagon::exporters {
namespace {

using nlohmann::json;

constexpr uint64_t kSec = 1'000'000'000;

// Splits `out` into lines, checking each ends with '\n' and contains no other newline.
std::vector<std::string> lines_of(const std::string& out) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < out.size()) {
    const size_t nl = out.find('\n', start);
    EXPECT_NE(nl, std::string::npos) << "unterminated line";
    if (nl == std::string::npos)
      break;
    lines.push_back(out.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

events::Process hostile_process() {
  events::Process p = fixtures::doc_curl();
  p.binary = "/tmp/\x1b[31mevil\xE2\x80\xAE\"bin\\";
  p.arguments = std::string("-c \"x\ty\"\n\x01\x7f\0end", 15) + "\xC0\x80\xED\xA0\x80\xF0\x9F";
  p.cwd = "/home/\xE2\x80\xA8line\xE2\x80\xA9sep/\xF0\x9F\x9A\x80";
  p.docker = "\xff\xfe";
  return p;
}

TEST(JsonValidity, HostileStringsParseAndRoundTrip) {
  const events::Process p = hostile_process(), parent = fixtures::doc_bash();
  JsonEncoder enc("node\"\\\n\xff", {true, true, true, true});
  std::string out;
  enc.encode(events::ExecEvent{&p, &parent, {&parent}, 5 * kSec}, out);
  enc.encode(events::ExitEvent{&p, &parent, {&parent}, 3, 0, 6 * kSec}, out);
  enc.encode(events::ExitEvent{&p, nullptr, {}, 0, 11, 7 * kSec}, out);
  const auto lines = lines_of(out);
  ASSERT_EQ(lines.size(), 3u);
  for (const std::string& line : lines) {
    const json j = json::parse(line); // throws (test fails) on invalid JSON or UTF-8
    EXPECT_EQ(j.size(), 3u) << "one event key + node_name + time";
    EXPECT_EQ(j["node_name"], "node\"\\\n\xEF\xBF\xBD");
    const json& ev = j.contains("process_exec") ? j["process_exec"] : j["process_exit"];
    const json& proc = ev["process"];
    EXPECT_EQ(proc["binary"], p.binary); // valid UTF-8 round-trips exactly
    EXPECT_EQ(proc["cwd"], p.cwd);
    EXPECT_EQ(
        proc["arguments"],
        std::string("-c \"x\ty\"\n\x01\x7f\0end", 15) +
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(proc["docker"], "\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(proc["pid"], 52699);
    EXPECT_EQ(proc["auid"], 4294967295u);
  }
  const json exit_signal = json::parse(lines[2]);
  EXPECT_EQ(exit_signal["process_exit"]["signal"], "SIGSEGV");
  EXPECT_FALSE(exit_signal["process_exit"].contains("status"));
  EXPECT_EQ(json::parse(lines[1])["process_exit"]["status"], 3);
}

TEST(JsonValidity, TypesFollowProtojson) {
  events::Process p;
  p.binary_properties.fileless = true;
  p.binary_properties.inode = 1ull << 40;
  p.binary_properties.links = 0;
  JsonEncoder enc("n", {true, true, true, true});
  std::string out;
  enc.encode(events::ExecEvent{&p, nullptr, {}, 0}, out);
  const json j = json::parse(out);
  const json& proc = j["process_exec"]["process"];
  EXPECT_TRUE(proc["pid"].is_number_unsigned());
  EXPECT_EQ(proc["uid"], 0);
  EXPECT_EQ(proc["tid"], 0);
  const json& inode = proc["binary_properties"]["file"]["inode"];
  EXPECT_TRUE(inode["number"].is_string()); // uint64 -> string
  EXPECT_EQ(inode["number"], "1099511627776");
  EXPECT_EQ(inode["links"], 0); // wrapper: printed at 0
  EXPECT_TRUE(proc["cap"].is_object());
  EXPECT_EQ(proc["ns"].size(), 10u);
  EXPECT_EQ(proc["process_credentials"].size(), 8u);
  EXPECT_TRUE(j["time"].is_string());
}

TEST(JsonValidity, RandomProcessesAlwaysParse) {
  std::mt19937_64 rng(1234);
  auto random_bytes = [&](size_t max) {
    std::string s(rng() % max, '\0');
    for (char& c : s)
      c = static_cast<char>(rng() % 256);
    return s;
  };
  JsonEncoder enc("node", {true, true, true, true});
  enc.set_boot_to_wall_ns(static_cast<int64_t>(rng() >> 2));
  std::string out;
  for (int i = 0; i < 2000; ++i) {
    events::Process p, parent;
    for (events::Process* q : {&p, &parent}) {
      q->pid = static_cast<uint32_t>(rng());
      q->tid = static_cast<uint32_t>(rng());
      q->auid = static_cast<uint32_t>(rng());
      q->exec_id = random_bytes(8);
      q->cwd = random_bytes(40);
      q->binary = random_bytes(40);
      q->arguments = random_bytes(120);
      q->docker = random_bytes(4);
      q->flags = static_cast<uint32_t>(rng());
      q->start_ktime = rng() >> 4;
      q->refcnt = static_cast<uint32_t>(rng() % 3);
      q->cap = {rng(), rng(), rng()};
      q->ns.mnt = static_cast<uint32_t>(rng() % 2);
      q->binary_properties.fileless = rng() % 2;
      q->binary_properties.inode = rng();
      q->binary_properties.privileges_changed = static_cast<uint32_t>(rng() % 8);
    }
    out.clear();
    const uint64_t t = rng() >> 1;
    enc.encode(events::ExecEvent{&p, &parent, {&parent}, t}, out);
    enc.encode(
        events::ExitEvent{
            &p, &parent, {}, static_cast<uint32_t>(rng() % 256), static_cast<int>(rng() % 70), t},
        out);
    for (const std::string& line : lines_of(out)) {
      ASSERT_TRUE(json::accept(line)) << line;
    }
  }
}

} // namespace
} // namespace octagon::exporters

#else
TEST(JsonValidity, Skipped) {
  GTEST_SKIP() << "nlohmann-json3-dev is not installed";
}
#endif
