// The gRPC messages are provably the JSON exporter's events: the same events go through
// JsonEncoder and through EventToProto + protobuf's JSON printer (proto field names), and the
// parsed JSON objects must be equal. No deliberate difference exists in JSON. The CLI's way back
// (ProtoEvent -> CompactEncoder) gives the agent's compact line byte for byte, with one
// deliberate difference: bytes that are not UTF-8 become U+FFFD in protobuf strings (proto3
// requires valid UTF-8, and the JSON export already shows them as U+FFFD), so the CLI cannot
// print them as the agent's \xNN escapes.
#include <octagon/api/event_to_proto.h>
#include <octagon/api/proto_to_event.h>
#include <octagon/exporters/json/compact_encoder.h>
#include <octagon/exporters/json/json_encoder.h>

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "unit/exporters/process_fixtures.h"

namespace octagon::api {
namespace {

using nlohmann::json;
namespace fx = exporters::fixtures;

events::Process rich_process() {
  events::Process p = fx::doc_curl();
  p.creds = {1000, 1001, 0, 1002, 3, 4, 5, 6};
  p.cap = {(1ull << 21) | (1ull << 1) | 1, 1ull << 21, 0};
  p.ns = {4026531838, 4026531839, 4026531841, 4026531836, 4026531836,
          4026531840, 0,          0,          4026531835, 4026531837};
  p.refcnt = 2;
  p.binary_properties.has_setuid = true;
  p.binary_properties.setuid = 0;
  p.binary_properties.privileges_changed =
      events::kPrivRaisedExecFileSetuid | events::kPrivRaisedExecFileCap;
  p.binary_properties.fileless = true;
  p.binary_properties.inode = 45021;
  p.binary_properties.path = "/memfd:x (deleted)";
  p.arguments = "quote\" tab\t ctl\x1b nonascii \xc3\xa9 invalid \xff\xc0\xaf \xed\xa0\x80";
  p.cwd = "/tmp/\xe2\x80\xa8sep";
  return p;
}

std::vector<events::Argument> all_arguments() {
  using K = events::Argument::Kind;
  std::vector<events::Argument> v(17);
  v[0].kind = K::kInt, v[0].i = -5, v[0].label = "fd";
  v[1].kind = K::kUint, v[1].u = 0; // zero member of a oneof: still printed
  v[2].kind = K::kLong, v[2].i = -8;
  v[3].kind = K::kSize, v[3].u = 18446744073709551615ull;
  v[4].kind = K::kString, v[4].s = "/etc/passwd\xfe";
  v[5].kind = K::kBytes, v[5].s = std::string("\x00\x01\xff", 3);
  v[6].kind = K::kTruncatedBytes, v[6].s = "hi", v[6].u = 5000;
  v[7].kind = K::kFile, v[7].s = "/etc/shadow", v[7].permission = "-rw-r-----";
  v[8].kind = K::kPath, v[8].mount = "/", v[8].s = "/tmp", v[8].flags = "x";
  v[9].kind = K::kLinuxBinprm, v[9].s = "/usr/bin/ls", v[9].permission = "-rwxr-xr-x";
  v[10].kind = K::kSyscallId, v[10].u = 257, v[10].s = "x64";
  v[11].kind = K::kSockaddr, v[11].family = "AF_INET", v[11].s = "10.0.0.1", v[11].u = 80;
  v[12].kind = K::kCapability, v[12].i = 21;
  v[13].kind = K::kError, v[13].s = "could not read";
  v[14].kind = K::kProcessCredentials, v[14].creds = {1, 2, 3, 4, 5, 6, 7, 8};
  v[14].securebits = 0x11, v[14].caps = {1ull << 21, 1ull << 0, 0};
  v[14].userns_level = 1, v[14].userns_uid = 1000, v[14].userns_gid = 1000, v[14].userns_inum = 4026532000u;
  v[15].kind = K::kProcessCredentials;  // host user namespace, no caps, no securebits
  v[16].kind = K::kSockaddrUn, v[16].family = "AF_UNIX", v[16].s = "/run/sock\xff";
  return v;
}

// One argument of each kernel-object kind (kSock .. kModule).
std::vector<events::Argument> kobject_arguments() {
  using K = events::Argument::Kind;
  std::vector<events::Argument> v(12);
  v[0].kind = K::kSock, v[0].family = "AF_INET", v[0].obj.type = "SOCK_STREAM", v[0].obj.protocol = "IPPROTO_TCP";
  v[0].obj.saddr = "127.0.0.1", v[0].obj.daddr = "10.0.0.2", v[0].obj.sport = 34965, v[0].obj.dport = 80;
  v[0].obj.mark = 7, v[0].obj.priority = 6, v[0].obj.cookie = 4099, v[0].obj.state = "TCP_SYN_SENT";
  v[1].kind = K::kSkb, v[1].family = "AF_INET", v[1].obj.protocol = "IPPROTO_UDP", v[1].obj.hash = 0xabcd;
  v[1].obj.len = 60, v[1].obj.saddr = "127.0.0.1", v[1].obj.daddr = "127.0.0.1", v[1].obj.sport = 5000;
  v[1].obj.dport = 53, v[1].obj.proto = 17, v[1].obj.sec_path_len = 1, v[1].obj.sec_path_olen = 2;
  v[2].kind = K::kUserNs, v[2].userns_level = 1, v[2].userns_uid = 1000, v[2].userns_gid = 1000;
  v[2].userns_inum = 4026532001u;
  v[3].kind = K::kKernelCapT, v[3].u = 0x1ffffffffffull;
  v[4].kind = K::kCapInheritable, v[4].u = 0;
  v[5].kind = K::kCapPermitted, v[5].u = 1ull << 21;
  v[6].kind = K::kCapEffective, v[6].u = 0x3;
  v[7].kind = K::kBpfAttr, v[7].obj.type = "BPF_PROG_TYPE_KPROBE", v[7].obj.insn_cnt = 12, v[7].s = "probe";
  v[8].kind = K::kBpfProg, v[8].obj.type = "BPF_PROG_TYPE_TRACEPOINT", v[8].obj.insn_cnt = 3, v[8].s = "tp";
  v[9].kind = K::kBpfMap, v[9].obj.type = "BPF_MAP_TYPE_HASH", v[9].obj.key_size = 4, v[9].obj.value_size = 8;
  v[9].obj.max_entries = 1024, v[9].s = "counts";
  v[10].kind = K::kPerfEvent, v[10].s = "do_sys_open", v[10].obj.type = "PERF_TYPE_TRACEPOINT";
  v[10].obj.config = 1234, v[10].obj.probe_offset = 16;
  v[11].kind = K::kModule, v[11].s = "xfs", v[11].obj.has_signature = true, v[11].obj.signature_ok = true;
  v[11].obj.tainted = (1ull << 12) | (1ull << 13);  // TAINT_OOT_MODULE | TAINT_UNSIGNED_MODULE
  return v;
}

class Equivalence : public ::testing::TestWithParam<bool> {
protected:
  // param: all optional process blocks on (cap, ns, creds, refcnt) or off.
  events::RenderOptions options() const {
    const bool on = GetParam();
    return {on, on, on, on};
  }
  void SetUp() override {
    proc_ = rich_process();
    parent_ = fx::doc_bash();
    grand_ = fx::doc_bash();
    grand_.binary = "/sbin/init";
    host_ = proc_.ns;
    host_.net = 1; // net is not the host's
  }

  template <typename Event> void expect_same(const Event& ev) {
    exporters::JsonEncoder enc(fx::kDocNode, options());
    enc.set_boot_to_wall_ns(fx::kDocBootToWall);
    enc.set_host_namespaces(host_);
    std::string line;
    enc.encode(ev, line);

    EventToProto conv(fx::kDocNode, options());
    conv.set_boot_to_wall_ns(fx::kDocBootToWall);
    conv.set_host_namespaces(host_);
    tetragon::GetEventsResponse msg;
    ASSERT_TRUE(conv.convert(ev, msg));
    std::string pj;
    google::protobuf::util::JsonPrintOptions po;
    po.preserve_proto_field_names = true;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(msg, &pj, po).ok());

    const json a = json::parse(line), b = json::parse(pj);
    EXPECT_EQ(a, b) << "JsonEncoder: " << line << "protobuf:    " << pj;

    if (!compact_check_)
      return;
    // And back: the CLI's compact line from the message equals the agent's compact line.
    exporters::CompactEncoder c1(fx::kDocNode, true, false, GetParam());
    exporters::CompactEncoder c2(fx::kDocNode, true, false, GetParam());
    std::string direct, via_proto;
    c1.encode(ev, direct);
    ProtoEvent pe;
    ASSERT_TRUE(pe.encode(msg, c2, via_proto));
    EXPECT_EQ(direct, via_proto);
  }

  void use_valid_utf8() {
    compact_check_ = true;
    proc_.arguments = "quote\" tab\t ctl\x1b nonascii \xc3\xa9";
    proc_.cwd = "/tmp";
  }

  events::Process proc_, parent_, grand_;
  events::Namespaces host_;
  bool compact_check_ = false;
};

TEST_P(Equivalence, Exec) {
  expect_same(events::ExecEvent{&proc_, &parent_, {&grand_}, fx::kDocEventTime});
  expect_same(events::ExecEvent{&proc_, nullptr, {}, 0});
}

TEST_P(Equivalence, ExitWithStatusAndSignal) {
  events::ExitEvent e{&proc_, &parent_, {&grand_}, 60, 0, fx::kDocEventTime + 1000000};
  expect_same(e);
  e.status = 0;
  e.signal = 9;
  expect_same(e);
  e.signal = 40; // real-time signal: "SIG40"
  expect_same(e);
}

TEST_P(Equivalence, KprobeWithEveryArgumentKind) {
  events::KprobeEvent k;
  k.process = &proc_;
  k.parent = &parent_;
  k.ancestors = {&grand_};
  k.policy_name = "file-monitoring";
  k.action = events::KprobeAction::kSigkill;
  k.message = "msg";
  k.tags = {"a", "b"};
  k.args = all_arguments();
  k.function_name = "__x64_sys_openat";
  k.return_arg = k.args[0];
  k.return_action = events::KprobeAction::kPost;
  k.time_ns = fx::kDocEventTime;
  k.kernel_stack_trace = {{0, 0x1f, "do_sys_openat2", ""}, {0xffffffff81000000ull, 4, "init", "[ext4]"}};
  k.user_stack_trace = {{0, 0x1234, "main", "/usr/bin/app"}, {0, 0x10, "", "/lib/libc.so.6"}};
  expect_same(k);
  k.kernel_stack_trace.clear();
  k.user_stack_trace.clear();
  k.return_arg.reset();
  k.return_action = events::KprobeAction::kUnknown;
  k.action = static_cast<events::KprobeAction>(99); // unknown enum value: a number in both
  expect_same(k);
}

TEST_P(Equivalence, TracepointAndUprobe) {
  events::TracepointEvent t;
  t.process = &proc_;
  t.subsys = "raw_syscalls";
  t.event = "sys_enter";
  t.policy_name = "p";
  t.args = all_arguments();
  t.time_ns = fx::kDocEventTime;
  expect_same(t);
  events::UprobeEvent u;
  u.process = &proc_;
  u.parent = &parent_;
  u.path = "/bin/bash";
  u.symbol = "readline";
  u.offset = 872080;
  u.policy_name = "example-uprobe";
  u.args = {all_arguments()[4]};
  u.time_ns = fx::kDocEventTime;
  expect_same(u);
  u.ref_ctr_offset = 0x4002;
  expect_same(u);
}

TEST_P(Equivalence, Usdt) {
  events::UsdtEvent e;
  e.process = &proc_;
  e.parent = &parent_;
  e.ancestors = {&grand_};
  e.path = "/usr/bin/app";
  e.provider = "test";
  e.name = "usdt3";
  e.policy_name = "usdts";
  e.message = "m";
  e.tags = {"t"};
  e.args = {all_arguments()[0], all_arguments()[2]};
  e.action = events::KprobeAction::kSigkill;
  e.time_ns = fx::kDocEventTime;
  expect_same(e);
}

TEST_P(Equivalence, Lsm) {
  events::LsmEvent e;
  e.process = &proc_;
  e.parent = &parent_;
  e.ancestors = {&grand_};
  e.function_name = "bprm_check_security";
  e.policy_name = "file-integrity-monitoring";
  e.message = "m";
  e.tags = {"t"};
  e.args = {all_arguments()[9]};
  e.action = events::KprobeAction::kPost;
  e.ima_hash = "sha256:73abb4280520053564fd4917286909ba3b054598b32c9cdfaf1d733e0202cc96";
  e.time_ns = fx::kDocEventTime;
  expect_same(e);
  e.ima_hash.clear();
  expect_same(e);
}

// process_loader: buildid is proto bytes (base64 in both JSONs), non-UTF-8 path bytes alike.
TEST_P(Equivalence, Loader) {
  events::LoaderEvent e;
  e.process = &proc_;
  e.parent = &parent_;
  e.ancestors = {&grand_};
  e.path = "/usr/lib/x86_64-linux-gnu/libc.so.6";
  e.buildid = std::string("\x00\x7f\x80\xff\x12\x34\x56\x78\x9a\xbc\xde\xf0\x01\x02\x03\x04\x05\x06\x07\x08", 20);
  e.time_ns = fx::kDocEventTime;
  expect_same(e);
  e.buildid.clear();
  e.parent = nullptr;
  e.ancestors.clear();
  e.path = "/tmp/odd\xff\n.so";
  expect_same(e);
}

// A uretprobe's value is JSON-only: ProcessUprobe has no field for it.
TEST(EquivalenceDifference, UprobeReturnValueIsJsonOnly) {
  events::Process p = rich_process();
  events::UprobeEvent u;
  u.process = &p;
  u.path = "/bin/bash";
  u.symbol = "readline";
  u.return_arg = events::Argument{};
  u.return_arg->kind = events::Argument::Kind::kString;
  u.return_arg->s = "ls";
  EventToProto conv(fx::kDocNode, {});
  tetragon::GetEventsResponse msg;
  ASSERT_TRUE(conv.convert(u, msg));
  std::string pj;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(msg, &pj).ok());
  EXPECT_EQ(pj.find("\"ls\""), std::string::npos) << pj;
  exporters::JsonEncoder enc(fx::kDocNode, {});
  std::string line;
  enc.encode(u, line);
  EXPECT_NE(line.find("\"return\":{\"string_arg\":\"ls\"}"), std::string::npos) << line;
}

TEST_P(Equivalence, CompactLineRoundTripsThroughProto) {
  use_valid_utf8();
  expect_same(events::ExecEvent{&proc_, &parent_, {&grand_}, fx::kDocEventTime});
  expect_same(events::ExitEvent{&proc_, &parent_, {}, 0, 9, fx::kDocEventTime});
  events::KprobeEvent k;
  k.process = &proc_;
  k.function_name = "__x64_sys_openat";
  k.args = all_arguments();
  k.args[4].s = "/etc/passwd";
  k.time_ns = fx::kDocEventTime;
  expect_same(k);
  events::TracepointEvent t;
  t.process = &proc_;
  t.subsys = "raw_syscalls";
  t.event = "sys_enter";
  t.args = {all_arguments()[10]};
  expect_same(t);
  events::UprobeEvent u;
  u.process = &proc_;
  u.path = "/bin/bash";
  u.symbol = "readline";
  expect_same(u);
  events::LsmEvent l;
  l.process = &proc_;
  l.function_name = "bprm_check_security";
  l.args = {all_arguments()[9]};
  l.ima_hash = "sha256:dd55";
  expect_same(l);
  events::LoaderEvent ld;
  ld.process = &proc_;
  ld.path = "/usr/lib/x86_64-linux-gnu/libc.so.6";
  ld.buildid = std::string("\xab\x01", 2);
  expect_same(ld);
}

// Kernel-object arguments render alike in JSON and gRPC, and come back from gRPC whole: the
// CLI's compact lines of the functions that show them equal the agent's.
TEST_P(Equivalence, KernelObjectArgumentsRoundTripThroughProto) {
  use_valid_utf8();
  events::KprobeEvent k;
  k.process = &proc_;
  k.time_ns = fx::kDocEventTime;
  k.args = kobject_arguments();
  for (const char* fn : {"tcp_connect", "tcp_sendmsg", "bpf_check", "security_perf_event_alloc",
                         "security_bpf_map_alloc", "cap_capable"}) {
    k.function_name = fn;
    expect_same(k);
  }
  // Every field survives the trip back, not only those the compact lines show.
  for (const events::Argument& a : kobject_arguments()) {
    tetragon::KprobeArgument m;
    ASSERT_TRUE(fill_kobject_argument(a, m));
    events::Argument back;
    argument_from_proto(m, back);
    tetragon::KprobeArgument again;
    ASSERT_TRUE(fill_kobject_argument(back, again)) << int(a.kind);
    EXPECT_EQ(m.SerializeAsString(), again.SerializeAsString()) << m.ShortDebugString();
  }
}

TEST(EquivalenceDifference, InvalidUtf8BecomesReplacementCharacterInProto) {
  events::Process p = fx::doc_curl();
  p.arguments = "a\xff";
  EventToProto conv("n", {});
  tetragon::GetEventsResponse msg;
  ASSERT_TRUE(conv.convert(events::ExecEvent{&p, nullptr, {}, 0}, msg));
  EXPECT_EQ(msg.process_exec().process().arguments(), "a\xef\xbf\xbd");
  std::string wire;
  EXPECT_TRUE(msg.SerializeToString(&wire));
  tetragon::GetEventsResponse back;
  EXPECT_TRUE(back.ParseFromString(wire)); // proto3 parsers reject invalid UTF-8 strings
}

INSTANTIATE_TEST_SUITE_P(RenderOptions, Equivalence, ::testing::Bool());

} // namespace
} // namespace octagon::api
