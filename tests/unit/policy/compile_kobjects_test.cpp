// Kernel-object argument types of kernel-function hooks (kiocb, sock, socket, skb, net_device,
// user_namespace, capability sets, bpf_attr, bpf_prog, bpf_map, perf_event, module, load_info)
// against a fake kernel BTF: the capture kind and render chosen, the field steps added, and the
// refusals (wrong pointer type, a field this kernel lacks, filters not implemented).
#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include "test_helpers.h"
#include "unit/policy/fake_btf.h"

namespace octagon::policy {
namespace {

using events::Argument;
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
  HookSupport hook_support() override {
    HookSupport h;
    h.kprobe = h.fentry = h.lsm = true;
    return h;
  }
  KobjBtf btf_;
};

Result<CompiledPolicy> compile(const std::string& call, const std::string& args, KobjKernel k = KobjKernel{},
                               const std::string& selectors = "") {
  std::string yaml = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: p}\nspec:\n"
                     "  kprobes:\n  - call: " + call + "\n    syscall: false\n    args: " + args + "\n" + selectors;
  OCTAGON_ASSIGN_OR_RETURN(TracingPolicy p, parse_policy(yaml, "test.yaml"));
  return compile_policy(p, k);
}

TEST(CompileKobjects, SockSkbNetDeviceAndSocket) {
  auto c = compile("tcp_connect", "[{index: 0, type: sock}]");
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].kind, OCT_GA_SOCK);
  EXPECT_EQ(c->hooks[0].enter.config.resolve[0].nsteps, 0);
  EXPECT_EQ(c->hooks[0].render.args[0].kind, Argument::Kind::kSock);
  EXPECT_EQ(c->hooks[0].render.args[0].capture, OCT_GA_SOCK);

  c = compile("security_socket_sendmsg", "[{index: 0, type: socket}]");
  ASSERT_OK(c);
  const oct_gen_config& cfg = c->hooks[0].enter.config;
  EXPECT_EQ(cfg.args[0].kind, OCT_GA_SOCK);
  ASSERT_EQ(cfg.resolve[0].nsteps, 1);  // socket->sk
  EXPECT_EQ(cfg.resolve[0].steps[0].offset, 24u);
  EXPECT_EQ(cfg.resolve[0].steps[0].deref_size, 8);

  c = compile("dev_hard_start_xmit", "[{index: 0, type: skb}, {index: 1, type: net_device}]");
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].kind, OCT_GA_SKB);
  EXPECT_EQ(c->hooks[0].render.args[0].kind, Argument::Kind::kSkb);
  EXPECT_EQ(c->hooks[0].enter.config.args[1].kind, OCT_GA_STR_KERNEL);  // the name array's address
  ASSERT_EQ(c->hooks[0].enter.config.resolve[1].nsteps, 1);
  EXPECT_EQ(c->hooks[0].enter.config.resolve[1].steps[0].deref_size, 0);
  EXPECT_EQ(c->hooks[0].render.args[1].kind, Argument::Kind::kString);  // string_arg, as Tetragon
}

TEST(CompileKobjects, KiocbIsItsFile) {
  auto c = compile("generic_perform_write", "[{index: 0, type: kiocb}]", KobjKernel{},
                   "    selectors:\n    - matchArgs:\n      - {index: 0, operator: Prefix, values: [/tmp/]}\n");
  ASSERT_OK(c);
  const oct_gen_config& cfg = c->hooks[0].enter.config;
  EXPECT_EQ(cfg.args[0].kind, OCT_GA_FILE);
  ASSERT_EQ(cfg.resolve[0].nsteps, 1);
  EXPECT_EQ(cfg.resolve[0].steps[0].offset, 16u);
  EXPECT_EQ(cfg.resolve[0].steps[0].deref_size, 8);
  EXPECT_EQ(c->hooks[0].render.args[0].kind, Argument::Kind::kFile);
  EXPECT_EQ(cfg.selectors[0].filters[0].op, OCT_OP_PREFIX);  // path filters, as on file arguments
}

TEST(CompileKobjects, NamespacesCapabilitiesBpfPerfAndModules) {
  auto c = compile("cap_capable", "[{index: 1, type: user_namespace}]");
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks[0].enter.config.args[0].kind, OCT_GA_USER_NS);
  EXPECT_EQ(c->hooks[0].render.args[0].kind, Argument::Kind::kUserNs);

  c = compile("cap_capset", "[{index: 2, type: cap_effective}, {index: 3, type: cap_inheritable}, "
                            "{index: 4, type: cap_permitted}, {index: 2, type: kernel_cap_t}]");
  ASSERT_OK(c);
  for (int i = 0; i < 4; i++) {
    EXPECT_EQ(c->hooks[0].enter.config.args[i].kind, OCT_GA_CONST_BUF_PTR);
    EXPECT_EQ(c->hooks[0].enter.config.args[i].max_data, 8);
  }
  EXPECT_EQ(c->hooks[0].render.args[0].kind, Argument::Kind::kCapEffective);
  EXPECT_EQ(c->hooks[0].render.args[1].kind, Argument::Kind::kCapInheritable);
  EXPECT_EQ(c->hooks[0].render.args[2].kind, Argument::Kind::kCapPermitted);
  EXPECT_EQ(c->hooks[0].render.args[3].kind, Argument::Kind::kKernelCapT);

  struct {
    const char* call;
    const char* args;
    uint8_t kind;
    Argument::Kind render;
  } cases[] = {{"bpf_check", "[{index: 1, type: bpf_attr}]", OCT_GA_BPF_ATTR, Argument::Kind::kBpfAttr},
               {"security_bpf_prog", "[{index: 0, type: bpf_prog}]", OCT_GA_BPF_PROG, Argument::Kind::kBpfProg},
               {"security_bpf_map", "[{index: 0, type: bpf_map}]", OCT_GA_BPF_MAP, Argument::Kind::kBpfMap},
               {"security_perf_event_alloc", "[{index: 0, type: perf_event}]", OCT_GA_PERF_EVENT,
                Argument::Kind::kPerfEvent},
               {"do_init_module", "[{index: 0, type: module}]", OCT_GA_MODULE, Argument::Kind::kModule}};
  for (const auto& k : cases) {
    auto r = compile(k.call, k.args);
    ASSERT_OK(r);
    EXPECT_EQ(r->hooks[0].enter.config.args[0].kind, k.kind) << k.call;
    EXPECT_EQ(r->hooks[0].render.args[0].kind, k.render) << k.call;
    EXPECT_EQ(r->hooks[0].enter.config.args[0].size, 8) << k.call;  // the pointer
  }
}

TEST(CompileKobjects, WrongPointerTypeIsRefused) {
  auto c = compile("tcp_connect", "[{index: 0, type: skb}]");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("type skb needs a struct sk_buff *, but argument 0 is struct sock *"),
            std::string::npos)
      << c.error().message();
  c = compile("security_bpf_map", "[{index: 0, type: cap_effective}]");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("needs a kernel_cap_t *"), std::string::npos) << c.error().message();
}

TEST(CompileKobjects, KernelWithoutTheFieldsIsRefused) {
  auto c = compile("tcp_connect", "[{index: 0, type: sock}]", KobjKernel(false, true));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("type sock cannot be read on this kernel: struct sock_common has no "
                                     "field skc_cookie"),
            std::string::npos)
      << c.error().message();
  c = compile("security_socket_sendmsg", "[{index: 0, type: socket}]", KobjKernel(true, false));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("field sk_protocol is a bitfield"), std::string::npos) << c.error().message();
  // A function whose load_info the kernel's BTF does not describe: no such struct pointer.
  c = compile("do_init_module", "[{index: 0, type: load_info}]");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("type load_info needs a struct load_info *"), std::string::npos)
      << c.error().message();
}

TEST(CompileKobjects, FiltersOnObjectsAreRefusedNamingTheArgument) {
  auto c = compile("tcp_connect", "[{index: 0, type: sock}]", KobjKernel{},
                   "    selectors:\n    - matchArgs:\n      - {index: 0, operator: DPort, values: [\"80\"]}\n");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("matchArgs on a sock argument is not supported by Octagon yet"),
            std::string::npos)
      << c.error().message();
  c = compile("cap_capset", "[{index: 2, type: cap_effective}]", KobjKernel{},
              "    selectors:\n    - matchArgs:\n      - {index: 2, operator: Mask, values: [\"1\"]}\n");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("matchArgs on a capability set (cap_effective)"), std::string::npos)
      << c.error().message();
  // net_device is a string: string filters apply.
  c = compile("dev_hard_start_xmit", "[{index: 1, type: net_device}]", KobjKernel{},
              "    selectors:\n    - matchArgs:\n      - {index: 1, operator: Equal, values: [lo]}\n");
  ASSERT_OK(c);
}

}  // namespace
}  // namespace octagon::policy
