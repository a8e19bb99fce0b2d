// Kernel-object argument types of kernel-function hooks (kiocb, sock, socket, skb, net_device,
// user_namespace, capability sets, bpf_attr, bpf_prog, bpf_map, perf_event, module, load_info)
// against a fake kernel BTF: the capture kind and render chosen, the field steps added, and the
// refusals (wrong pointer type, a field this kernel lacks, filters not implemented).
#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include "test_helpers.h"
#include "unit/policy/kobj_kernel.h"

namespace octagon::policy {
namespace {

using events::Argument;
using namespace kobj_test;

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
  // (Network operators on sock, socket and skb: compile_knet_test.cpp.)
  auto c = compile("cap_capset", "[{index: 2, type: cap_effective}]", KobjKernel{},
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
