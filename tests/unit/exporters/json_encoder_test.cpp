#include <octagon/exporters/json/json_encoder.h>
#include <octagon/exporters/json/tetragon_names.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/exporters/process_fixtures.h"

namespace octagon::exporters {
namespace {

using fixtures::doc_bash;
using fixtures::doc_curl;

constexpr uint64_t kSec = 1'000'000'000;

// The documented example (compat reference 2.3) without its pod blocks, byte for byte, plus
// "in_init_tree":false, which current Tetragon sets on every process (the doc predates it).
constexpr char kDocExecLine[] =
    R"({"process_exec":{"process":{"exec_id":"Z2tlLWpvaG4tNjMyLWRlZmF1bHQtcG9vbC03MDQxY2FjMC05czk1OjEzNTQ4Njc0MzIxMzczOjUyNjk5",)"
    R"("pid":52699,"uid":0,"cwd":"/","binary":"/usr/bin/curl","arguments":"https://ebpf.io/applications/#tetragon",)"
    R"("flags":"execve rootcwd","start_time":"2023-10-06T22:03:57.700327580Z","auid":4294967295,)"
    R"("docker":"551e161c47d8ff0eb665438a7bcd5b4",)"
    R"("parent_exec_id":"Z2tlLWpvaG4tNjMyLWRlZmF1bHQtcG9vbC03MDQxY2FjMC05czk1OjEzNTQ4NjcwODgzMjk5OjUyNjk5","tid":52699,"in_init_tree":false},)"
    R"("parent":{"exec_id":"Z2tlLWpvaG4tNjMyLWRlZmF1bHQtcG9vbC03MDQxY2FjMC05czk1OjEzNTQ4NjcwODgzMjk5OjUyNjk5","pid":52699,"uid":0,"cwd":"/",)"
    R"("binary":"/bin/bash","arguments":"-c \"curl https://ebpf.io/applications/#tetragon\"","flags":"execve rootcwd clone",)"
    R"("start_time":"2023-10-06T22:03:57.696889812Z","auid":4294967295,"docker":"551e161c47d8ff0eb665438a7bcd5b4",)"
    R"("parent_exec_id":"Z2tlLWpvaG4tNjMyLWRlZmF1bHQtcG9vbC03MDQxY2FjMC05czk1OjEzNTQ4NjQ1MjQ1ODM5OjUyNjg5","tid":52699,"in_init_tree":false}},)"
    R"("node_name":"gke-john-632-default-pool-7041cac0-9s95","time":"2023-10-06T22:03:57.700326678Z"})"
    "\n";

JsonEncoder doc_encoder(events::RenderOptions opts = {}) {
  JsonEncoder enc(fixtures::kDocNode, opts);
  enc.set_boot_to_wall_ns(fixtures::kDocBootToWall);
  return enc;
}

TEST(JsonEncoder, ExecMatchesTetragonDocumentation) {
  const events::Process curl = doc_curl(), bash = doc_bash();
  JsonEncoder enc = doc_encoder();
  std::string out;
  enc.encode(events::ExecEvent{&curl, &bash, {}, fixtures::kDocEventTime}, out);
  EXPECT_EQ(out, kDocExecLine);
}

TEST(JsonEncoder, WrapperFieldsPrintedAtZeroScalarsOmitted) {
  events::Process p; // all zero, auid 0 too
  p.auid = 0;
  JsonEncoder enc("", {});
  std::string out;
  enc.encode(events::ExecEvent{&p, nullptr, {}, 0}, out);
  // No exec_id/cwd/binary/arguments/flags/docker/parent_exec_id, no node_name, no parent.
  EXPECT_EQ(out,
            R"({"process_exec":{"process":{"pid":0,"uid":0,"start_time":"1970-01-01T00:00:00Z",)"
            R"("auid":0,"tid":0,"in_init_tree":false}},"time":"1970-01-01T00:00:00Z"})"
            "\n");
}

TEST(JsonEncoder, NullProcessWritesNothing) {
  JsonEncoder enc("n", {});
  std::string out;
  enc.encode(events::ExecEvent{}, out);
  enc.encode(events::ExitEvent{}, out);
  EXPECT_EQ(out, "");
}

TEST(JsonEncoder, AllOptionalProcessFields) {
  events::Process p;
  p.exec_id = "ZXhlYw==";
  p.pid = p.tid = 1234;
  p.auid = 1000;
  p.creds = {1000, 1000, 0, 1000, 0, 1000, 0, 1000};
  p.cwd = "/home/user";
  p.binary = "/usr/bin/sudo";
  p.arguments = "ls -la";
  p.flags = events::kFlagExecve;
  p.start_ktime = 5 * kSec;
  p.refcnt = 2;
  p.cap.permitted = (1ull << 0) | (1ull << 1) | (1ull << 21);
  p.cap.effective = (1ull << 21) | (1ull << 41); // 41: no name yet, printed as a number
  p.ns = {4026531838, 4026531839, 4026532100, 4026531836, 4026531836,
          4026531840, 4026531834, 4026531834, 0,          4026531837};
  p.binary_properties.has_setuid = true;
  p.binary_properties.setuid = 0;
  p.binary_properties.privileges_changed = events::kPrivRaisedExecFileSetuid;
  p.binary_properties.fileless = true;
  p.binary_properties.inode = 45021;
  p.binary_properties.links = 0;

  events::Namespaces host = p.ns;
  host.mnt = 4026531841;
  host.cgroup = 4026531835;
  JsonEncoder enc("node-1", {true, true, true, true});
  enc.set_boot_to_wall_ns(1696629837 * kSec);
  enc.set_host_namespaces(host);
  std::string out;
  enc.encode(events::ExecEvent{&p, nullptr, {}, 1696629850 * kSec + 123'000'000}, out);
  EXPECT_EQ(
      out,
      R"({"process_exec":{"process":{"exec_id":"ZXhlYw==","pid":1234,"uid":0,"cwd":"/home/user",)"
      R"("binary":"/usr/bin/sudo","arguments":"ls -la","flags":"execve",)"
      R"("start_time":"2023-10-06T22:04:02Z","auid":1000,"refcnt":2,)"
      R"("cap":{"permitted":["CAP_CHOWN","DAC_OVERRIDE","CAP_SYS_ADMIN"],"effective":["CAP_SYS_ADMIN",41]},)"
      R"("ns":{"uts":{"inum":4026531838,"is_host":true},"ipc":{"inum":4026531839,"is_host":true},)"
      R"("mnt":{"inum":4026532100},"pid":{"inum":4026531836,"is_host":true},)"
      R"("pid_for_children":{"inum":4026531836,"is_host":true},"net":{"inum":4026531840,"is_host":true},)"
      R"("time":{"inum":4026531834,"is_host":true},"time_for_children":{"inum":4026531834,"is_host":true},)"
      R"("cgroup":{},"user":{"inum":4026531837,"is_host":true}},"tid":1234,)"
      R"("process_credentials":{"uid":1000,"gid":1000,"euid":0,"egid":1000,"suid":0,"sgid":1000,"fsuid":0,"fsgid":1000},)"
      R"("binary_properties":{"setuid":0,"privileges_changed":["PRIVILEGES_RAISED_EXEC_FILE_SETUID"],)"
      R"("file":{"inode":{"number":"45021","links":0}}},"in_init_tree":false}},)"
      R"("node_name":"node-1","time":"2023-10-06T22:04:10.123Z"})"
      "\n");
}

TEST(JsonEncoder, OptionsOffHideOptionalBlocks) {
  events::Process p = doc_curl();
  p.cap.effective = 1ull << 21;
  p.ns.mnt = 4026531841;
  p.refcnt = 3;
  JsonEncoder enc = doc_encoder();
  std::string out;
  enc.encode(events::ExecEvent{&p, nullptr, {}, 0}, out);
  for (const char* key : {"\"cap\"", "\"ns\"", "\"refcnt\"", "process_credentials", "\"parent\""}) {
    EXPECT_EQ(out.find(key), std::string::npos) << key;
  }
}

TEST(JsonEncoder, EmptyCapsAndZeroRefcnt) {
  events::Process p;
  JsonEncoder enc("n", {.include_cap = true, .include_refcnt = true});
  std::string out;
  enc.encode(events::ExitEvent{&p, nullptr, {}, 0, 0, 0}, out);
  EXPECT_NE(out.find(R"("auid":4294967295,"cap":{},"tid":0,"in_init_tree":false})"), std::string::npos) << out;
}

TEST(JsonEncoder, BinaryPropertiesOnlyOnExecProcess) {
  events::Process child = doc_curl(), parent = doc_bash();
  child.binary_properties.has_setgid = true;
  child.binary_properties.setgid = 42;
  child.binary_properties.privileges_changed =
      events::kPrivRaisedExecFileCap | events::kPrivRaisedExecFileSetgid;
  child.binary_properties.fileless = true;
  child.binary_properties.inode = ~uint64_t{0}; // 64-bit: a JSON string
  child.binary_properties.links = 0;
  child.binary_properties.path = "/memfd:x (deleted)";
  parent.binary_properties = child.binary_properties;
  JsonEncoder enc = doc_encoder();
  std::string out;
  enc.encode(events::ExecEvent{&child, &parent, {}, 0}, out);
  const std::string want =
      R"("binary_properties":{"setgid":42,"privileges_changed":["PRIVILEGES_RAISED_EXEC_FILE_CAP",)"
      R"("PRIVILEGES_RAISED_EXEC_FILE_SETGID"],"file":{"inode":{"number":"18446744073709551615",)"
      R"x("links":0},"path":"/memfd:x (deleted)"}},"in_init_tree":false},"parent":)x";
  EXPECT_NE(out.find(want), std::string::npos) << out;
  EXPECT_EQ(out.find("binary_properties"), out.rfind("binary_properties")); // once only

  out.clear();
  enc.encode(events::ExitEvent{&child, &parent, {}, 0, 0, 0}, out);
  EXPECT_EQ(out.find("binary_properties"), std::string::npos);
}

TEST(JsonEncoder, Ancestors) {
  events::Process curl = doc_curl(), bash = doc_bash(), init;
  init.pid = init.tid = 1;
  init.binary = "/sbin/init";
  JsonEncoder enc("n", {});
  std::string out;
  enc.encode(events::ExecEvent{&curl, &bash, {&init, nullptr, &init}, 0}, out);
  const std::string init_json =
      R"({"pid":1,"uid":0,"binary":"/sbin/init","start_time":"1970-01-01T00:00:00Z","auid":4294967295,"tid":1,"in_init_tree":false})";
  EXPECT_NE(out.find(R"("tid":52699,"in_init_tree":false},"ancestors":[)" + init_json + "," + init_json +
                     R"(]},"node_name":"n")"),
            std::string::npos)
      << out;
  out.clear();
  enc.encode(events::ExecEvent{&curl, &bash, {nullptr}, 0}, out);
  EXPECT_EQ(out.find("ancestors"), std::string::npos);
}

TEST(JsonEncoder, ExitWithStatus) {
  const events::Process curl = doc_curl(), bash = doc_bash();
  JsonEncoder enc = doc_encoder();
  std::string out;
  enc.encode(events::ExitEvent{&curl, &bash, {}, 60, 0, fixtures::kDocEventTime}, out);
  std::string want = kDocExecLine;
  want.replace(0, std::string_view(R"({"process_exec")").size(), R"({"process_exit")");
  want.replace(want.find(R"(},"node_name")"), 1,
               R"(,"status":60,"time":"2023-10-06T22:03:57.700326678Z"})");
  EXPECT_EQ(out, want);
}

TEST(JsonEncoder, ExitWithSignalAndZeroStatus) {
  events::Process p;
  p.pid = p.tid = 7;
  JsonEncoder enc("n", {});
  std::string out;
  enc.encode(events::ExitEvent{&p, nullptr, {}, 0, 9, 2 * kSec}, out);
  EXPECT_EQ(out,
            R"({"process_exit":{"process":{"pid":7,"uid":0,"start_time":"1970-01-01T00:00:00Z",)"
            R"("auid":4294967295,"tid":7,"in_init_tree":false},"signal":"SIGKILL","time":"1970-01-01T00:00:02Z"},)"
            R"("node_name":"n","time":"1970-01-01T00:00:02Z"})"
            "\n");
  out.clear();
  enc.encode(events::ExitEvent{&p, nullptr, {&p}, 0, 0, 2 * kSec}, out);
  EXPECT_EQ(out.find("signal"), std::string::npos);
  EXPECT_EQ(out.find("status"), std::string::npos);
  EXPECT_NE(out.find(R"("time":"1970-01-01T00:00:02Z","ancestors":[{"pid":7)"), std::string::npos)
      << out;
}

TEST(JsonEncoder, CapAndNsMemoNeverServesStaleBlocks) {
  const events::RenderOptions opts{.include_cap = true, .include_ns = true};
  std::vector<events::Process> procs(5);
  for (size_t i = 0; i < procs.size(); ++i) {
    procs[i].cap.effective = uint64_t{1} << (i % 3);
    procs[i].ns.net = static_cast<uint32_t>(100 + i % 4);
  }
  JsonEncoder reused("n", opts);
  for (int round = 0; round < 3; ++round) {
    for (const events::Process& p : procs) {
      std::string got, want;
      reused.encode(events::ExecEvent{&p, &procs[0], {}, 0}, got);
      JsonEncoder fresh("n", opts);
      fresh.encode(events::ExecEvent{&p, &procs[0], {}, 0}, want);
      ASSERT_EQ(got, want);
    }
  }
  // A new host namespace set changes is_host even for a namespace set seen before.
  std::string before, after;
  reused.encode(events::ExecEvent{&procs[1], nullptr, {}, 0}, before);
  reused.set_host_namespaces(procs[1].ns);
  reused.encode(events::ExecEvent{&procs[1], nullptr, {}, 0}, after);
  EXPECT_EQ(before.find("is_host"), std::string::npos);
  EXPECT_NE(after.find(R"("net":{"inum":101,"is_host":true})"), std::string::npos) << after;
}

TEST(JsonEncoder, SignalNames) {
  EXPECT_EQ(signal_name(0), "");
  EXPECT_EQ(signal_name(1), "SIGHUP");
  EXPECT_EQ(signal_name(9), "SIGKILL");
  EXPECT_EQ(signal_name(15), "SIGTERM");
  EXPECT_EQ(signal_name(31), "SIGSYS");
  EXPECT_EQ(signal_name(34), "SIG34");
  EXPECT_EQ(signal_name(64), "SIG64");
  EXPECT_EQ(signal_name(65), "");
  EXPECT_EQ(signal_name(-1), "");
}

TEST(JsonEncoder, CapabilityNames) {
  EXPECT_EQ(capability_name(0), "CAP_CHOWN");
  EXPECT_EQ(capability_name(1), "DAC_OVERRIDE");
  EXPECT_EQ(capability_name(21), "CAP_SYS_ADMIN");
  EXPECT_EQ(capability_name(38), "CAP_PERFMON");
  EXPECT_EQ(capability_name(39), "CAP_BPF");
  EXPECT_EQ(capability_name(40), "CAP_CHECKPOINT_RESTORE");
  EXPECT_EQ(capability_name(41), "");
}

TEST(JsonEncoder, FlagsInTetragonOrder) {
  std::string out;
  append_process_flags(0xFFFF, out);
  EXPECT_EQ(out,
            "execve procFS truncArgs miss errorFilename errorArgs nocwd rootcwd errorCWD clone "
            "errorCgroupName errorPathResolutionCwd errorPathResolution errorCreds unknown "
            "truncFilename");
}

TEST(JsonEncoder, AppendsLinesToReusedBuffer) {
  const events::Process curl = doc_curl(), bash = doc_bash();
  JsonEncoder enc = doc_encoder();
  std::string out;
  const events::ExecEvent ev{&curl, &bash, {}, fixtures::kDocEventTime};
  enc.encode(ev, out);
  enc.encode(ev, out);
  EXPECT_EQ(out, std::string(kDocExecLine) + kDocExecLine);
  const size_t cap = out.capacity();
  out.clear();
  for (int i = 0; i < 2; ++i)
    enc.encode(ev, out);
  EXPECT_EQ(out.capacity(), cap); // steady state: no reallocation
}

} // namespace
} // namespace octagon::exporters
