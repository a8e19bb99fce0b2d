// Compact lines of kprobes on kernel objects (compat reference 2.4): tcp_connect/sendmsg/close
// with a sock argument, bpf_check, security_perf_event_alloc, security_bpf_map_alloc.
#include <octagon/exporters/json/compact_encoder.h>

#include <gtest/gtest.h>

namespace octagon::exporters {
namespace {

using events::Argument;

class KobjectCompact : public ::testing::Test {
 protected:
  KobjectCompact() {
    proc_.pid = proc_.tid = 10;
    proc_.binary = "/usr/bin/curl";
  }
  std::string kprobe(std::string fn, std::vector<Argument> args) {
    events::KprobeEvent ev;
    ev.process = &proc_;
    ev.function_name = std::move(fn);
    ev.args = std::move(args);
    std::string out;
    enc_.encode(ev, out);
    return out;
  }
  events::Process proc_;
  CompactEncoder enc_{"ns/pod", false, false};
};

Argument sock() {
  Argument a;
  a.kind = Argument::Kind::kSock;
  a.family = "AF_INET";
  a.obj.protocol = "IPPROTO_TCP";
  a.obj.saddr = "10.244.0.6";
  a.obj.daddr = "104.198.14.52";
  a.obj.sport = 34965;
  a.obj.dport = 80;
  return a;
}

TEST_F(KobjectCompact, TcpLines) {
  EXPECT_EQ(kprobe("tcp_connect", {sock()}),
            "🔌 connect ns/pod /usr/bin/curl tcp 10.244.0.6:34965 -> 104.198.14.52:80\n");
  Argument n;
  n.kind = Argument::Kind::kInt;
  n.i = 73;
  EXPECT_EQ(kprobe("tcp_sendmsg", {sock(), n}),
            "📤 sendmsg ns/pod /usr/bin/curl tcp 10.244.0.6:34965 -> 104.198.14.52:80 bytes 73\n");
  EXPECT_EQ(kprobe("tcp_close", {sock()}),
            "🧹 close   ns/pod /usr/bin/curl tcp 10.244.0.6:34965 -> 104.198.14.52:80\n");
  // Without the sock argument: the generic line.
  EXPECT_EQ(kprobe("tcp_connect", {n}), "❓ syscall ns/pod /usr/bin/curl tcp_connect\n");
}

TEST_F(KobjectCompact, BpfAndPerfLines) {
  Argument attr;
  attr.kind = Argument::Kind::kBpfAttr;
  attr.obj.type = "BPF_PROG_TYPE_KPROBE";
  attr.obj.insn_cnt = 2048;
  attr.s = "amazing-program";
  EXPECT_EQ(kprobe("bpf_check", {Argument{}, attr}),
            "🐝 bpf_load ns/pod /usr/bin/curl BPF_PROG_TYPE_KPROBE amazing-program instruction count 2048\n");
  Argument perf;
  perf.kind = Argument::Kind::kPerfEvent;
  perf.obj.type = "PERF_TYPE_TRACEPOINT";
  perf.s = "commit_creds";
  EXPECT_EQ(kprobe("security_perf_event_alloc", {perf}),
            "🐝 perf_event_alloc ns/pod /usr/bin/curl PERF_TYPE_TRACEPOINT commit_creds\n");
  Argument map;
  map.kind = Argument::Kind::kBpfMap;
  map.obj.type = "BPF_MAP_TYPE_HASH";
  map.s = "amazing-map";
  map.obj.key_size = map.obj.value_size = 8;
  map.obj.max_entries = 1024;
  EXPECT_EQ(kprobe("security_bpf_map_alloc", {map}),
            "🗺 bpf_map_create ns/pod /usr/bin/curl BPF_MAP_TYPE_HASH amazing-map key size 8 value size 8 "
            "max entries 1024\n");
}

}  // namespace
}  // namespace octagon::exporters
