// VM tier: socket ownership (TrackSock/UntrackSock), Tetragon's socket-tracking policy shape:
// sk_alloc's returned sock is tracked with the process that created it, __sk_free forgets it,
// and a hook on a sock raised in another task's context names the owner. The hook is
// __udp_enqueue_schedule_skb: a datagram sent over loopback is queued on the receiving socket
// in the sender's context, so without tracking its event names the sender.
#include <bpf/bpf.h>

#include <octagon/bpf/feature_probe.h>

#include "common/kernel_expect.h"
#include "sensor/kobject_triggers.h"
#include "sensor/policy_rig.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

// A child that owns a UDP socket bound to 127.0.0.1:port: it says so on a pipe, waits for one
// datagram, then for the test's word to exit (closing, and so freeing, its socket).
class UdpReceiver {
 public:
  explicit UdpReceiver(uint16_t port) {
    int ready[2], go[2];
    if (pipe(ready) || pipe(go)) return;
    pid_ = fork();
    if (pid_ == 0) {
      close(ready[0]);
      close(go[1]);
      int s = socket(AF_INET, SOCK_DGRAM, 0);
      sockaddr_in a = loopback(port);
      if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a))) _exit(1);
      char b[8];
      if (write(ready[1], "r", 1) != 1 || !readable_soon(s) || recv(s, b, sizeof(b), 0) != 5) _exit(2);
      (void)!write(ready[1], "g", 1);
      pollfd p{go[0], POLLIN, 0};
      _exit(poll(&p, 1, 10000) == 1 ? 0 : 3);
    }
    close(ready[1]);
    close(go[0]);
    ready_ = ready[0];
    go_ = go[1];
  }
  ~UdpReceiver() {
    finish();
    if (ready_ >= 0) close(ready_);
  }
  pid_t pid() const { return pid_; }
  // Waits for the child's word ('r': bound, 'g': got the datagram).
  bool said(char what) {
    char c = 0;
    return ready_ >= 0 && readable_soon(ready_) && read(ready_, &c, 1) == 1 && c == what;
  }
  // Lets the child exit; its exit status (0: it got the datagram).
  int finish() {
    if (pid_ <= 0) return -1;
    if (go_ >= 0) close(go_);
    go_ = -1;
    int status = wait_status(pid_);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  }

 private:
  pid_t pid_ = -1;
  int ready_ = -1, go_ = -1;
};

// A free loopback UDP port.
uint16_t free_udp_port() {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a = loopback(0);
  uint16_t port = s >= 0 && bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 ? bound_port(s) : 0;
  if (s >= 0) close(s);
  return port;
}

bool send_datagram(uint16_t port) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to = loopback(port);
  bool ok = s >= 0 && sendto(s, "hello", 5, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 5;
  if (s >= 0) close(s);
  return ok;
}

// Entries of the shared socket owner map whose owner is process `pid`.
int owned_by(int map_fd, uint32_t pid) {
  int n = 0;
  uint64_t key = 0, next = 0;
  bool first = true;
  while (bpf_map_get_next_key(map_fd, first ? nullptr : &key, &next) == 0) {
    first = false;
    key = next;
    oct_sock_owner owner{};
    if (bpf_map_lookup_elem(map_fd, &key, &owner) == 0 && owner.key.pid == pid) n++;
  }
  return n;
}

std::string enqueue_hook(uint16_t port) {
  return "  - call: __udp_enqueue_schedule_skb\n    syscall: false\n"
         "    args: [{index: 0, type: sock}, {index: 1, type: skb}]\n"
         "    selectors:\n    - matchArgs: [{index: 0, operator: SPort, values: [\"" +
         std::to_string(port) + "\"]}]\n";
}

const char* kTrackHooks = R"(  - call: sk_alloc
    syscall: false
    return: true
    args: [{index: 1, type: int, label: family}]
    returnArg: {index: 0, type: sock}
    returnArgAction: TrackSock
    selectors:
    - matchArgs: [{index: 1, operator: Equal, values: ["2"]}]
  - call: __sk_free
    syscall: false
    args: [{index: 0, type: sock}]
    selectors:
    - matchActions: [{action: UntrackSock, argSock: 0}]
)";

// The enqueue record on `port`'s receiver (polls up to 2 s).
std::vector<DecodedPolicyRecord> enqueued(DecodingPolicyRig& rig, uint16_t port) {
  return rig.matching([&](const DecodedPolicyRecord& r) {
    return r.function == "__udp_enqueue_schedule_skb" && !r.args.empty() && r.args[0].obj.sport == port;
  });
}

TEST(KfuncSockTrack, ReceiverOwnsTheDatagramQueuedInTheSendersContext) {
  OCTAGON_REQUIRE_SENSOR();
  {
    bpf::FeatureProbe probe;
    const bpf::Probe& k = probe.get(bpf::Feature::kKprobe);
    const bpf::Probe& f = probe.get(bpf::Feature::kFentry);
    OCTAGON_REQUIRE_MECHANISM("kprobe", k.ok || f.ok, "no kprobes or fentry here: " + k.detail);
  }
  DecodingPolicyRig rig;
  const uint32_t self = uint32_t(getpid());

  // Without tracking, the queueing runs in the sender: the event names this process.
  uint16_t port1 = free_udp_port();
  ASSERT_NE(port1, 0);
  auto plain = rig.load(policy_with("sock-untracked", "  kprobes:\n" + enqueue_hook(port1)));
  ASSERT_TRUE(plain) << plain.error().describe();
  {
    UdpReceiver rx(port1);
    ASSERT_TRUE(rx.said('r'));
    ASSERT_TRUE(send_datagram(port1));
    ASSERT_TRUE(rx.said('g'));
    auto recs = enqueued(rig, port1);
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].pid, self) << "untracked: the sender";
    EXPECT_EQ(rx.finish(), 0);
  }
  ASSERT_TRUE(rig.manager().remove("sock-untracked"));

  // Tracked from sk_alloc: the receiver owns its socket, and the event names it.
  uint16_t port2 = free_udp_port();
  ASSERT_NE(port2, 0);
  auto tracked = rig.load(policy_with("sock-tracked", std::string("  kprobes:\n") + kTrackHooks + enqueue_hook(port2)));
  ASSERT_TRUE(tracked) << tracked.error().describe();
  auto owners = rig.sensor().sock_owner_map_fd();
  ASSERT_TRUE(owners) << owners.error().describe();
  UdpReceiver rx(port2);
  ASSERT_TRUE(rx.said('r'));
  const uint32_t owner = uint32_t(rx.pid());
  EXPECT_GE(owned_by(*owners, owner), 1) << "the receiver's socket is tracked";
  ASSERT_TRUE(send_datagram(port2));
  ASSERT_TRUE(rx.said('g'));
  auto recs = enqueued(rig, port2);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].pid, owner) << "tracked: the socket's owner, not the sender " << self;

  // sk_alloc's event shows the sock it returned.
  auto allocs = rig.matching([&](const DecodedPolicyRecord& r) { return r.function == "sk_alloc" && r.pid == owner; });
  ASSERT_FALSE(allocs.empty());
  ASSERT_TRUE(allocs[0].ret);
  EXPECT_EQ(allocs[0].ret->kind, events::Argument::Kind::kSock);
  EXPECT_EQ(allocs[0].ret->family, "AF_INET");

  // The receiver exits: its socket is freed, and __sk_free's UntrackSock forgets it.
  EXPECT_EQ(rx.finish(), 0);
  int left = -1;
  for (int i = 0; i < 100 && left != 0; i++) {
    left = owned_by(*owners, owner);
    if (left) usleep(30000);
  }
  EXPECT_EQ(left, 0) << "UntrackSock on __sk_free";
}

}  // namespace
}  // namespace octagon::testing
