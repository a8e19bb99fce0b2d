// TrackSock/UntrackSock: Tetragon's socket-tracking policy shape (sk_alloc returns the sock to
// track, __sk_free forgets it) compiles to the kernel's socket actions; wrong shapes are refused
// at the field that is wrong.
#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include "test_helpers.h"
#include "unit/policy/kobj_kernel.h"

namespace octagon::policy::kobj_test {
namespace {

const char* kSkAllocTrack = R"(  kprobes:
  - call: sk_alloc
    syscall: false
    return: true
    args: [{index: 1, type: int, label: family}]
    returnArg: {index: 0, type: sock}
    returnArgAction: TrackSock
    selectors:
    - matchArgs: [{index: 1, operator: Equal, values: ["2"]}]
)";

Result<CompiledPolicy> compile_spec(const std::string& body, KobjKernel k = KobjKernel{}) {
  std::string yaml = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: p}\nspec:\n" + body;
  OCTAGON_ASSIGN_OR_RETURN(TracingPolicy p, parse_policy(yaml, "test.yaml"));
  return compile_policy(p, k);
}

TEST(CompileSockTrack, ReturnedSockIsTrackedAtFexit) {
  auto c = compile_spec(kSkAllocTrack);
  ASSERT_OK(c);
  ASSERT_EQ(c->hooks.size(), 1u);
  const HookPlan& h = c->hooks[0];
  EXPECT_EQ(h.enter.target.kind, AttachTarget::Kind::kFexit);
  EXPECT_EQ(h.enter.config.ret_sock_action, OCT_SOCK_TRACK);
  EXPECT_EQ(h.enter.config.ret_kind, OCT_GA_SOCK);  // the returned sock is captured and shown
  ASSERT_TRUE(h.render.ret);
  EXPECT_EQ(h.render.ret->kind, events::Argument::Kind::kSock);
  EXPECT_EQ(h.render.ret->capture, OCT_GA_SOCK);
  EXPECT_EQ(h.enter.config.sock_owner_arg, 0u);  // no sock argument
}

TEST(CompileSockTrack, ReturnedSockIsTrackedInTheKretprobeHalf) {
  KobjKernel k;
  k.hs.fentry = false;
  auto c = compile_spec(kSkAllocTrack, k);
  ASSERT_OK(c);
  ASSERT_EQ(c->hooks.size(), 1u);
  const HookPlan& h = c->hooks[0];
  ASSERT_TRUE(h.exit);
  EXPECT_EQ(h.enter.config.mode, OCT_MODE_STORE);
  EXPECT_EQ(h.exit->config.ret_sock_action, OCT_SOCK_TRACK);
  EXPECT_EQ(h.exit->config.ret_kind, OCT_GA_SOCK);
}

TEST(CompileSockTrack, UntrackSockActionOnTheSockArgument) {
  auto c = compile_spec(R"(  kprobes:
  - call: __sk_free
    syscall: false
    args: [{index: 0, type: sock}]
    selectors:
    - matchActions: [{action: UntrackSock, argSock: 0}]
)");
  ASSERT_OK(c);
  const oct_gen_config& cfg = c->hooks.at(0).enter.config;
  EXPECT_EQ(cfg.selectors[0].sock_action, OCT_SOCK_UNTRACK);
  EXPECT_EQ(cfg.selectors[0].sock_arg, 0u);
  EXPECT_EQ(cfg.sock_owner_arg, 1u);  // events name the sock's tracked owner
}

TEST(CompileSockTrack, OwnerComesFromTheFirstSockArgument) {
  auto c = compile_spec(R"(  kprobes:
  - call: security_socket_sendmsg
    syscall: false
    args: [{index: 2, type: int}, {index: 0, type: socket}]
)");
  ASSERT_OK(c);
  EXPECT_EQ(c->hooks.at(0).enter.config.sock_owner_arg, 2u);  // position 1, plus one
}

TEST(CompileSockTrack, WrongShapesAreRefusedAtTheField) {
  struct Case {
    std::string body, want;
  } cases[] = {
      // returnArgAction without a returned sock
      {R"(  kprobes:
  - call: tcp_connect
    syscall: false
    args: [{index: 0, type: sock}]
    return: true
    returnArg: {index: 0, type: int}
    returnArgAction: TrackSock
)",
       "test.yaml:11:22: spec.kprobes[0].returnArgAction: TrackSock acts on the struct sock the function returns"},
      // returnArg sock on a function that does not return one
      {R"(  kprobes:
  - call: tcp_connect
    syscall: false
    return: true
    returnArg: {index: 0, type: sock}
    returnArgAction: TrackSock
)",
       "type sock needs a struct sock *"},
      // argSock on an integer argument
      {R"(  kprobes:
  - call: sk_alloc
    syscall: false
    args: [{index: 1, type: int}]
    selectors:
    - matchActions: [{action: TrackSock, argSock: 0}]
)",
       "argument 0 is not of type sock or socket"},
      // argSock past the arguments
      {R"(  kprobes:
  - call: __sk_free
    syscall: false
    args: [{index: 0, type: sock}]
    selectors:
    - matchActions: [{action: UntrackSock, argSock: 3}]
)",
       "argument 3 does not exist"},
  };
  for (const Case& c : cases) {
    auto r = compile_spec(c.body);
    ASSERT_FALSE(r) << c.body;
    EXPECT_NE(r.error().describe().find(c.want), std::string::npos) << r.error().describe();
  }
}

}  // namespace
}  // namespace octagon::policy::kobj_test
