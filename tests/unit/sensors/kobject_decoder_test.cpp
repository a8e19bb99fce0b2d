// Decoding of the kernel-object captures (struct oct_gen_k*) and their Tetragon JSON: sock_arg,
// skb_arg, user_ns_arg, the capability sets, bpf_attr_arg/bpf_prog_arg, bpf_map_arg,
// perf_event_arg and module_arg (load_info and module). Module loading cannot be triggered in
// the VM tier, so module_arg is proven here only.
#include <octagon/exporters/json/argument_json.h>
#include <octagon/sensors/generic/kobject_decoder.h>

#include <abi/generic.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>

#include <gtest/gtest.h>

namespace octagon::sensors {
namespace {

using events::Argument;

template <typename T>
std::string bytes_of(const T& v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof(v));
}

std::string json_of(const Argument& a) {
  std::string out;
  exporters::append_argument_json(a, out);
  return out;
}

Argument decoded(const std::string& raw, uint8_t capture, Argument::Kind kind) {
  Argument a;
  a.kind = kind;
  EXPECT_TRUE(decode_kobject_arg(raw, capture, a));
  return a;
}

TEST(KobjectDecoder, SockIpv4) {
  oct_gen_ksock k{};
  k.family = AF_INET;
  k.type = SOCK_STREAM;
  k.protocol = IPPROTO_TCP;
  k.state = 2;  // TCP_SYN_SENT
  k.sport = 40000;
  k.dport = 8080;
  k.cookie = 4097;
  inet_pton(AF_INET, "127.0.0.1", k.saddr);
  inet_pton(AF_INET, "10.1.2.3", k.daddr);
  Argument a = decoded(bytes_of(k), OCT_GA_SOCK, Argument::Kind::kSock);
  EXPECT_EQ(a.obj.saddr, "127.0.0.1");
  EXPECT_EQ(a.obj.dport, 8080u);
  EXPECT_EQ(json_of(a),
            R"({"sock_arg":{"family":"AF_INET","type":"SOCK_STREAM","protocol":"IPPROTO_TCP","saddr":"127.0.0.1",)"
            R"("daddr":"10.1.2.3","sport":40000,"dport":8080,"cookie":"4097","state":"TCP_SYN_SENT"}})");
}

TEST(KobjectDecoder, SockIpv6AndShortRecord) {
  oct_gen_ksock k{};
  k.family = AF_INET6;
  k.type = SOCK_DGRAM;
  k.protocol = IPPROTO_UDP;
  k.state = 7;
  k.mark = 5;
  inet_pton(AF_INET6, "::1", k.saddr);
  inet_pton(AF_INET6, "fe80::2", k.daddr);
  Argument a = decoded(bytes_of(k), OCT_GA_SOCK, Argument::Kind::kSock);
  EXPECT_EQ(json_of(a), R"({"sock_arg":{"family":"AF_INET6","type":"SOCK_DGRAM","protocol":"IPPROTO_UDP",)"
                        R"("mark":5,"saddr":"::1","daddr":"fe80::2","state":"TCP_CLOSE"}})");
  a = decoded(bytes_of(k).substr(0, 10), OCT_GA_SOCK, Argument::Kind::kSock);
  EXPECT_EQ(a.kind, Argument::Kind::kError);
  EXPECT_EQ(json_of(a), R"({"error_arg":{"Message":"sock argument record too short"}})");
}

TEST(KobjectDecoder, Skb) {
  oct_gen_kskb k{};
  k.hash = 7;
  k.len = 60;
  k.family = AF_INET;
  k.proto = IPPROTO_UDP;
  k.sport = 5353;
  k.dport = 53;
  inet_pton(AF_INET, "127.0.0.1", k.saddr);
  inet_pton(AF_INET, "127.0.0.2", k.daddr);
  Argument a = decoded(bytes_of(k), OCT_GA_SKB, Argument::Kind::kSkb);
  EXPECT_EQ(json_of(a), R"({"skb_arg":{"hash":7,"len":60,"saddr":"127.0.0.1","daddr":"127.0.0.2","sport":5353,)"
                        R"("dport":53,"proto":17,"protocol":"IPPROTO_UDP","family":"AF_INET"}})");
  oct_gen_kskb arp{};  // not IP: metadata only
  arp.len = 42;
  a = decoded(bytes_of(arp), OCT_GA_SKB, Argument::Kind::kSkb);
  EXPECT_EQ(json_of(a), R"({"skb_arg":{"len":42}})");
}

TEST(KobjectDecoder, UserNamespaceAndCapabilitySets) {
  oct_gen_kuserns k{1, 1000, 1000, 4026532000u};
  Argument a = decoded(bytes_of(k), OCT_GA_USER_NS, Argument::Kind::kUserNs);
  EXPECT_EQ(json_of(a), R"({"user_ns_arg":{"level":1,"uid":1000,"gid":1000,"ns":{"inum":4026532000}}})");
  k = {0, 0, 0, 4026531837u};
  a = decoded(bytes_of(k), OCT_GA_USER_NS, Argument::Kind::kUserNs);
  a.label = "ns";
  EXPECT_EQ(json_of(a),
            R"({"user_ns_arg":{"level":0,"uid":0,"gid":0,"ns":{"inum":4026531837,"is_host":true}},"label":"ns"})");

  uint64_t caps = 0x1ffffffffffULL;
  Argument c;
  c.kind = Argument::Kind::kCapEffective;
  decode_cap_set_arg(bytes_of(caps), c);
  EXPECT_EQ(json_of(c), R"({"cap_effective_arg":"1ffffffffff"})");
  c.kind = Argument::Kind::kKernelCapT;
  EXPECT_EQ(json_of(c), R"({"kernel_cap_t_arg":"1ffffffffff"})");
  c.kind = Argument::Kind::kCapPermitted;
  c.u = 0;
  EXPECT_EQ(json_of(c), R"({"cap_permitted_arg":"0"})");
  c.kind = Argument::Kind::kCapInheritable;
  EXPECT_EQ(json_of(c), R"({"cap_inheritable_arg":"0"})");
}

TEST(KobjectDecoder, BpfObjectsAndPerfEvents) {
  oct_gen_kbpf_prog p{};
  p.prog_type = 2;  // BPF_PROG_TYPE_KPROBE
  p.insn_cnt = 2048;
  strcpy(p.name, "amazing_prog");
  Argument a = decoded(bytes_of(p), OCT_GA_BPF_ATTR, Argument::Kind::kBpfAttr);
  EXPECT_EQ(json_of(a), R"({"bpf_attr_arg":{"ProgType":"BPF_PROG_TYPE_KPROBE","InsnCnt":2048,"ProgName":"amazing_prog"}})");
  a = decoded(bytes_of(p), OCT_GA_BPF_PROG, Argument::Kind::kBpfProg);
  EXPECT_EQ(json_of(a), R"({"bpf_prog_arg":{"ProgType":"BPF_PROG_TYPE_KPROBE","InsnCnt":2048,"ProgName":"amazing_prog"}})");

  oct_gen_kbpf_map m{};
  m.map_type = 1;  // BPF_MAP_TYPE_HASH
  m.key_size = 8;
  m.value_size = 16;
  m.max_entries = 1024;
  memcpy(m.name, "sixteen_chars_ab", 16);  // no NUL: the name fills the array
  a = decoded(bytes_of(m), OCT_GA_BPF_MAP, Argument::Kind::kBpfMap);
  EXPECT_EQ(json_of(a), R"({"bpf_map_arg":{"MapType":"BPF_MAP_TYPE_HASH","KeySize":8,"ValueSize":16,)"
                        R"("MaxEntries":1024,"MapName":"sixteen_chars_ab"}})");
  m.map_type = 4000;  // unknown: its number
  a = decoded(bytes_of(m), OCT_GA_BPF_MAP, Argument::Kind::kBpfMap);
  EXPECT_EQ(a.obj.type, "4000");

  oct_gen_kperf_event e{};
  e.type = 2;
  e.config = 0x123;
  e.probe_offset = 4;
  strcpy(e.kprobe_func, "commit_creds");
  a = decoded(bytes_of(e), OCT_GA_PERF_EVENT, Argument::Kind::kPerfEvent);
  EXPECT_EQ(json_of(a), R"({"perf_event_arg":{"KprobeFunc":"commit_creds","Type":"PERF_TYPE_TRACEPOINT",)"
                        R"("Config":"291","ProbeOffset":"4"}})");
}

TEST(KobjectDecoder, ModulesAndLoadInfo) {
  oct_gen_kmodule m{};
  strcpy(m.name, "nf_tables");
  m.has_sig = 1;
  m.sig_ok = 1;
  m.taints = (1u << 12) | (1u << 13) | (1u << 9);  // out-of-tree, unsigned, and WARN (not a module taint)
  Argument a = decoded(bytes_of(m), OCT_GA_MODULE, Argument::Kind::kModule);
  EXPECT_EQ(json_of(a), R"({"module_arg":{"name":"nf_tables","signature_ok":true,)"
                        R"("tainted":["TAINT_OUT_OF_TREE_MODULE","TAINT_UNSIGNED_MODULE"]}})");
  m.has_sig = 0;  // a kernel without CONFIG_MODULE_SIG: no signature_ok
  m.taints = 0;
  a = decoded(bytes_of(m), OCT_GA_LOAD_INFO, Argument::Kind::kModule);
  EXPECT_EQ(json_of(a), R"({"module_arg":{"name":"nf_tables"}})");
  m.has_sig = 1;
  m.sig_ok = 0;
  a = decoded(bytes_of(m), OCT_GA_LOAD_INFO, Argument::Kind::kModule);
  EXPECT_EQ(json_of(a), R"({"module_arg":{"name":"nf_tables","signature_ok":false}})");
}

TEST(KobjectDecoder, OtherCapturesAreNotObjects) {
  Argument a;
  EXPECT_FALSE(decode_kobject_arg("", OCT_GA_FILE, a));
  EXPECT_FALSE(decode_kobject_arg("", OCT_GA_INT, a));
}

}  // namespace
}  // namespace octagon::sensors
