// A fake kernel for the kernel-object argument types of kernel-function hooks: the structs
// and functions their readers need in a FakeBtf, and a compile() of one kprobes: entry.
#pragma once

#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include "test_helpers.h"
#include "unit/policy/fake_btf.h"

namespace octagon::policy::kobj_test {

using K = BtfType::Kind;

// FakeBtf plus the structs and functions of the kernel-object types. kiocb.ki_filp is at byte
// 16, socket.sk at 24, net_device.name at 0; `old_sock` has sk_protocol as a bitfield (as
// before Linux 5.6) and `no_cookie_kernel` lacks skc_cookie.
class KobjBtf : public testing::FakeBtf {
 public:
  explicit KobjBtf(bool old_sock = false, bool no_cookie = false) {
    uint32_t u8 = add_int("unsigned char", 1, false), u32 = uint_, u64 = add_int("long long unsigned int", 8, false);
    kiocb_ = add(K::kStruct, "kiocb", 48);
    members_[kiocb_] = {{"ki_pos", u64, 0, 0}, {"ki_filp", ptr(file_), 16 * 8, 0}};
    // struct sock_common / sock with every field the sock reader needs.
    std::vector<BtfMember> common = {{"skc_daddr", u32, 0, 0},   {"skc_rcv_saddr", u32, 4 * 8, 0},
                                     {"skc_family", u16_, 16 * 8, 0}, {"skc_state", u8, 18 * 8, 0},
                                     {"skc_dport", u16_, 20 * 8, 0}, {"skc_num", u16_, 22 * 8, 0}};
    if (!no_cookie) common.push_back({"skc_cookie", u64, 24 * 8, 0});
    members_[sock_common_] = common;
    members_[sock_] = {{"__sk_common", sock_common_, 0, 0},
                       {"sk_type", u16_, 300 * 8, 0},
                       {"sk_protocol", u16_, 302 * 8, old_sock ? 8u : 0u},
                       {"sk_mark", u32, 304 * 8, 0},
                       {"sk_priority", u32, 308 * 8, 0}};
    socket_ = add(K::kStruct, "socket", 128);
    members_[socket_] = {{"state", int_, 0, 0}, {"sk", ptr(sock_), 24 * 8, 0}};
    skb_ = add(K::kStruct, "sk_buff", 232);
    uint32_t anon = add(K::kUnion, "", 8);
    members_[anon] = {{"mark", u32, 0, 0}};
    members_[skb_] = {{"len", u32, 0, 0},          {"hash", u32, 4 * 8, 0},  {"priority", u32, 8 * 8, 0},
                      {"", anon, 12 * 8, 0},       {"head", ptr(u8), 16 * 8, 0},
                      {"network_header", u16_, 24 * 8, 0}, {"transport_header", u16_, 26 * 8, 0}};
    netdev_ = add(K::kStruct, "net_device", 2048);
    members_[netdev_] = {{"name", add(K::kArray, "", 0, char_, 16), 0, 0}};
    uint32_t kuid = add(K::kStruct, "", 4), nscommon = add(K::kStruct, "ns_common", 24);
    members_[nscommon] = {{"inum", u32, 16 * 8, 0}};
    members_[userns_] = {{"level", int_, 32 * 8, 0}, {"owner", kuid, 36 * 8, 0}, {"group", kuid, 40 * 8, 0},
                         {"ns", nscommon, 48 * 8, 0}};
    uint32_t cap_struct = add(K::kStruct, "kernel_cap_struct", 8);
    cap_t_ = typed(cap_struct, "kernel_cap_t");
    attr_ = add(K::kUnion, "bpf_attr", 144);
    uint32_t load = add(K::kStruct, "", 72);
    members_[load] = {{"prog_type", u32, 0, 0}, {"insn_cnt", u32, 32, 0}, {"prog_name", add(K::kArray, "", 0, char_, 16), 48 * 8, 0}};
    members_[attr_] = {{"", load, 0, 0}};
    uint32_t aux = add(K::kStruct, "bpf_prog_aux", 512);
    members_[aux] = {{"name", add(K::kArray, "", 0, char_, 16), 100 * 8, 0}};
    prog_ = add(K::kStruct, "bpf_prog", 72);
    members_[prog_] = {{"len", u32, 4 * 8, 0}, {"type", u32, 8 * 8, 0}, {"aux", ptr(aux), 16 * 8, 0}};
    map_ = add(K::kStruct, "bpf_map", 256);
    members_[map_] = {{"map_type", u32, 0, 0},     {"key_size", u32, 32, 0}, {"value_size", u32, 64, 0},
                      {"max_entries", u32, 96, 0}, {"name", add(K::kArray, "", 0, char_, 16), 128, 0}};
    uint32_t pattr = add(K::kStruct, "perf_event_attr", 128);
    uint32_t c1 = add(K::kUnion, "", 8), c2 = add(K::kUnion, "", 8);
    members_[c1] = {{"kprobe_func", u64, 0, 0}, {"config1", u64, 0, 0}};
    members_[c2] = {{"probe_offset", u64, 0, 0}, {"config2", u64, 0, 0}};
    members_[pattr] = {{"type", u32, 0, 0}, {"config", u64, 64, 0}, {"", c1, 56 * 8, 0}, {"", c2, 64 * 8, 0}};
    perf_ = add(K::kStruct, "perf_event", 1024);
    members_[perf_] = {{"attr", pattr, 64 * 8, 0}};
    module_ = add(K::kStruct, "module", 1024);
    members_[module_] = {{"name", add(K::kArray, "", 0, char_, 56), 24 * 8, 0}, {"taints", u64, 400 * 8, 0}};
    functions_["generic_perform_write"] = {{ptr(kiocb_), ptr(int_)}, {"iocb", "i"}, long_};
    functions_["tcp_connect"] = {{ptr(sock_)}, {"sk"}, int_};
    functions_["sk_alloc"] = {{ptr(int_), int_, u32, ptr(int_)}, {"net", "family", "priority", "prot"}, ptr(sock_)};
    functions_["__sk_free"] = {{ptr(sock_)}, {"sk"}, 0};
    functions_["security_socket_sendmsg"] = {{ptr(socket_), ptr(int_), int_}, {"sock", "msg", "size"}, int_};
    functions_["dev_hard_start_xmit"] = {{ptr(skb_), ptr(netdev_), ptr(int_), ptr(int_)},
                                         {"first", "dev", "txq", "ret"}, ptr(skb_)};
    functions_["cap_capable"] = {{ptr(cred_), ptr(userns_), int_, uint_}, {"cred", "ns", "cap", "opts"}, int_};
    functions_["cap_capset"] = {{ptr(cred_), ptr(cred_), ptr(cap_t_), ptr(cap_t_), ptr(cap_t_)},
                                {"new", "old", "effective", "inheritable", "permitted"}, int_};
    functions_["bpf_check"] = {{ptr(ptr(prog_)), ptr(attr_), u64, u32}, {"prog", "attr", "uattr", "size"}, int_};
    functions_["security_bpf_prog"] = {{ptr(prog_)}, {"prog"}, int_};
    functions_["security_bpf_map"] = {{ptr(map_), u32}, {"map", "fmode"}, int_};
    functions_["security_perf_event_alloc"] = {{ptr(perf_)}, {"event"}, int_};
    functions_["do_init_module"] = {{ptr(module_)}, {"mod"}, int_};
  }
  uint32_t kiocb_, socket_, skb_, netdev_, cap_t_, attr_, prog_, map_, perf_, module_;
};

class KobjKernel : public KernelFacts {
 public:
  explicit KobjKernel(bool old_sock = false, bool no_cookie = false) : btf_(old_sock, no_cookie) {}
  Result<std::vector<FormatField>> tracepoint_fields(const std::string& sub, const std::string& ev) override {
    return make_error(ENOENT, "no tracepoint " + sub + "/" + ev);
  }
  std::string syscall_prefix() const override { return "__x64_"; }
  std::optional<int> syscall_number(const std::string&) const override { return std::nullopt; }
  BtfFacts* btf() override { return &btf_; }
  HookSupport hook_support() override { return hs; }
  KobjBtf btf_;
  HookSupport hs = [] {
    HookSupport h;
    h.kprobe = h.fentry = h.lsm = true;
    return h;
  }();
};

inline Result<CompiledPolicy> compile(const std::string& call, const std::string& args, KobjKernel k = KobjKernel{},
                               const std::string& selectors = "") {
  std::string yaml = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: p}\nspec:\n"
                     "  kprobes:\n  - call: " + call + "\n    syscall: false\n    args: " + args + "\n" + selectors;
  OCTAGON_ASSIGN_OR_RETURN(TracingPolicy p, parse_policy(yaml, "test.yaml"));
  return compile_policy(p, k);
}

}  // namespace octagon::policy::kobj_test
