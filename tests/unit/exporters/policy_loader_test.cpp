// process_loader JSON (ProcessLoader's field order: process, path, buildid as base64, parent,
// ancestors) and the compact 🧬 loader line (build id in hex, then the path, escaped).
#include <octagon/exporters/json/compact_encoder.h>
#include <octagon/exporters/json/json_encoder.h>

#include <gtest/gtest.h>

#include <string>

namespace octagon::exporters {
namespace {

events::Process proc(uint32_t pid, const char* binary) {
  events::Process p;
  p.pid = p.tid = pid;
  p.binary = binary;
  return p;
}

events::LoaderEvent libc_of(const events::Process& p, const events::Process* parent) {
  events::LoaderEvent ev;
  ev.process = &p;
  ev.parent = parent;
  ev.path = "/usr/lib/x86_64-linux-gnu/libc.so.6";
  ev.buildid = std::string("\x2e\x01\x92\x3f\xff\x00", 6);
  ev.time_ns = 2'000'000'000;
  return ev;
}

TEST(PolicyLoaderJson, FieldsInProtoOrderBuildIdBase64) {
  const events::Process p = proc(10, "/usr/bin/cat"), parent = proc(9, "/bin/bash");
  JsonEncoder enc("node-1", {});
  std::string out;
  enc.encode(libc_of(p, &parent), out);
  ASSERT_EQ(out.rfind(R"({"process_loader":{"process":{"pid":10,"uid":0,"binary":"/usr/bin/cat",)", 0), 0u) << out;
  // 2e 01 92 3f ff 00 -> "LgGSP/8A"
  EXPECT_NE(out.find(R"(},"path":"/usr/lib/x86_64-linux-gnu/libc.so.6","buildid":"LgGSP/8A","parent":{"pid":9,)"),
            std::string::npos) << out;
  EXPECT_NE(out.find(R"(}},"node_name":"node-1","time":"1970-01-01T00:00:02Z"})"), std::string::npos) << out;
  EXPECT_EQ(out.back(), '\n');

  events::LoaderEvent bare = libc_of(p, nullptr);
  bare.buildid.clear();
  bare.path = "/tmp/a\"b\n\x01.so";
  out.clear();
  enc.encode(bare, out);
  EXPECT_EQ(out.find("buildid"), std::string::npos) << out;  // empty bytes: omitted
  EXPECT_EQ(out.find("parent"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("path":"/tmp/a\"b\n\u0001.so")"), std::string::npos) << out;

  events::LoaderEvent nothing;
  out.clear();
  enc.encode(nothing, out);
  EXPECT_TRUE(out.empty());
}

TEST(PolicyLoaderCompact, BuildIdHexThenPath) {
  const events::Process p = proc(10, "/usr/bin/cat");
  CompactEncoder enc("ns/pod", false, false);
  std::string out;
  enc.encode(libc_of(p, nullptr), out);
  EXPECT_EQ(out, "🧬 loader  ns/pod /usr/bin/cat 2e01923fff00 /usr/lib/x86_64-linux-gnu/libc.so.6\n");
  events::LoaderEvent odd = libc_of(p, nullptr);
  odd.buildid.clear();
  odd.path = "/tmp/\x1b[31mred.so";
  out.clear();
  enc.encode(odd, out);
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;  // terminal escapes neutralised
  EXPECT_EQ(out, "🧬 loader  ns/pod /usr/bin/cat  \"/tmp/\\x1b[31mred.so\"\n");
}

}  // namespace
}  // namespace octagon::exporters
