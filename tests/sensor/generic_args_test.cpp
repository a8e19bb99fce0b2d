// T3: argument types of syscall and perf tracepoint hooks, compiled from policies for the
// running kernel and triggered from real processes: sockaddr / sockaddr_un (user memory),
// char_iovec, char_buf with returnCopy, __data_loc strings and const_buf arrays.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "sensor/policy_rig.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

using events::Argument;

pid_t run_child(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  return pid;
}

TEST(GenericArgs, SockaddrOfConnectAndSockaddrUnOfBind) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("sockaddr", R"(  kprobes:
  - call: sys_connect
    args: [{index: 0, type: int}, {index: 1, type: sockaddr}, {index: 2, type: int}]
  - call: sys_bind
    args: [{index: 0, type: int}, {index: 1, type: sockaddr_un}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  int srv = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(srv, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  ASSERT_EQ(listen(srv, 4), 0);
  socklen_t len = sizeof(sa);
  getsockname(srv, reinterpret_cast<sockaddr*>(&sa), &len);
  uint16_t port = ntohs(sa.sin_port);
  pid_t pid = run_child([&] {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) return 1;
    int u = socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    memcpy(un.sun_path, "\0octagon-abstract", 17);
    return bind(u, reinterpret_cast<sockaddr*>(&un), sizeof(sa_family_t) + 17) == 0 ? 0 : 2;
  });
  close(srv);
  auto recs = rig.of(uint32_t(pid), 2);
  ASSERT_EQ(recs.size(), 2u);
  const DecodedPolicyRecord& conn = recs[0].function.find("connect") != std::string::npos ? recs[0] : recs[1];
  const DecodedPolicyRecord& bnd = &conn == &recs[0] ? recs[1] : recs[0];
  EXPECT_EQ(conn.function, "__x64_sys_connect");
  ASSERT_EQ(conn.args.size(), 3u);
  EXPECT_EQ(conn.args[1].kind, Argument::Kind::kSockaddr);
  EXPECT_EQ(conn.args[1].family, "AF_INET");
  EXPECT_EQ(conn.args[1].s, "127.0.0.1");
  EXPECT_EQ(conn.args[1].u, port);
  EXPECT_EQ(conn.args[2].i, int(sizeof(sockaddr_in)));
  ASSERT_EQ(bnd.args.size(), 2u);
  EXPECT_EQ(bnd.args[1].kind, Argument::Kind::kSockaddrUn);
  EXPECT_EQ(bnd.args[1].family, "AF_UNIX");
  EXPECT_EQ(bnd.args[1].s, "@octagon-abstract");
}

TEST(GenericArgs, IovecOfWritev) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("writev", R"(  kprobes:
  - call: sys_writev
    args: [{index: 0, type: int}, {index: 1, type: char_iovec, sizeArgIndex: 3}, {index: 2, type: int}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = run_child([] {
    int fd = open("/dev/null", O_WRONLY);
    char a[] = "hello, ", b[] = "iovec world";
    iovec iov[2] = {{a, strlen(a)}, {b, strlen(b)}};
    return writev(fd, iov, 2) == ssize_t(strlen(a) + strlen(b)) ? 0 : 1;
  });
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].args[1].kind, Argument::Kind::kBytes);
  EXPECT_EQ(recs[0].args[1].s, "hello, iovec world");
  EXPECT_EQ(recs[0].args[2].i, 2);
}

TEST(GenericArgs, ReturnCopyOfReadHasTheBytesRead) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("read-copy", R"(  kprobes:
  - call: sys_read
    args: [{index: 0, type: int}, {index: 1, type: char_buf, returnCopy: true}, {index: 2, type: size_t}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  const std::string data = "octagon returnCopy data";
  ASSERT_EQ(write(p[1], data.data(), data.size()), ssize_t(data.size()));
  pid_t pid = run_child([&] {
    char buf[4096];
    memset(buf, 'Z', sizeof(buf));  // what the buffer held at entry: never reported
    return read(p[0], buf, sizeof(buf)) == ssize_t(data.size()) ? 0 : 1;
  });
  close(p[0]);
  close(p[1]);
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].args[0].i, p[0]);
  EXPECT_EQ(recs[0].args[1].kind, Argument::Kind::kBytes);
  EXPECT_EQ(recs[0].args[1].s, data);
  EXPECT_EQ(recs[0].args[2].u, 4096u);
}

TEST(GenericArgs, DataLocStringOfAPerfTracepoint) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  // sched_process_exec: 4 common fields, then `__data_loc char[] filename`, pid, old_pid.
  auto loaded = rig.load(policy_with("data-loc", R"(  tracepoints:
  - subsystem: sched
    event: sched_process_exec
    args: [{index: 4, type: data_loc}, {index: 5}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  std::string prog = testprog("exit_with");
  pid_t pid = spawn({prog});
  wait_status(pid);
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].args[0].kind, Argument::Kind::kString);
  EXPECT_EQ(recs[0].args[0].s, prog);
  EXPECT_EQ(recs[0].args[1].i, pid);
}

TEST(GenericArgs, ConstBufArrayOfAPerfTracepoint) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  // task_rename: 4 common fields, pid, char oldcomm[16], char newcomm[16].
  auto loaded = rig.load(policy_with("const-buf", R"(  tracepoints:
  - subsystem: task
    event: task_rename
    args: [{index: 6, type: const_buf}, {index: 5}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = run_child([] { return prctl(PR_SET_NAME, "octagon-cb", 0, 0, 0) == 0 ? 0 : 1; });
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].args[0].kind, Argument::Kind::kBytes);
  ASSERT_EQ(recs[0].args[0].s.size(), 16u);  // the whole array, NULs included
  EXPECT_EQ(recs[0].args[0].s.substr(0, 11), std::string("octagon-cb\0", 11));
  EXPECT_EQ(recs[0].args[1].kind, Argument::Kind::kBytes);  // auto on an array: const_buf
}

// maxData: a 64 KiB write is captured whole (4 KiB inline, the rest in chunk records joined in
// user space); one beyond Tetragon's 327360-byte limit is cut there and flagged truncated.
TEST(GenericArgs, MaxDataBuffersArriveInChunksAndAreJoined) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("write-max", R"(  kprobes:
  - call: sys_write
    args: [{index: 0, type: int}, {index: 1, type: char_buf, sizeArgIndex: 3, maxData: true}, {index: 2, type: size_t}]
    selectors:
    - matchArgs: [{index: 0, operator: Equal, values: ["1000"]}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  std::string big(65536, '\0'), huge(400000, '\0');
  for (size_t i = 0; i < big.size(); i++) big[i] = char('a' + (i * 7 + i / 4096) % 26);
  for (size_t i = 0; i < huge.size(); i++) huge[i] = char(i % 251);
  pid_t pid = run_child([&] {
    int fd = open("/dev/null", O_WRONLY);
    if (dup2(fd, 1000) != 1000) return 1;
    if (write(1000, big.data(), big.size()) != ssize_t(big.size())) return 2;
    if (write(1000, huge.data(), huge.size()) != ssize_t(huge.size())) return 3;
    return 0;
  });
  auto recs = rig.of(uint32_t(pid), 2);
  ASSERT_EQ(recs.size(), 2u);
  const Argument& whole = recs[0].args[1];
  EXPECT_EQ(whole.kind, Argument::Kind::kBytes);
  EXPECT_EQ(whole.s.size(), big.size());
  EXPECT_TRUE(whole.s == big) << "joined bytes differ from what was written";
  EXPECT_EQ(recs[0].args[2].u, big.size());
  const Argument& cut = recs[1].args[1];
  EXPECT_EQ(cut.kind, Argument::Kind::kTruncatedBytes);
  EXPECT_EQ(cut.u, huge.size());  // orig_size
  ASSERT_EQ(cut.s.size(), size_t(OCT_GEN_MAXDATA_MAX));
  EXPECT_TRUE(cut.s == huge.substr(0, OCT_GEN_MAXDATA_MAX));
}

TEST(GenericArgs, CharBufBeyondItsCaptureIsFlaggedWithItsSize) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("write-trunc", R"(  kprobes:
  - call: sys_write
    args: [{index: 0, type: int}, {index: 1, type: char_buf, sizeArgIndex: 3}, {index: 2, type: size_t}]
    selectors:
    - matchArgs: [{index: 0, operator: Equal, values: ["1001"]}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  std::string data(10000, 'q');
  pid_t pid = run_child([&] {
    int fd = open("/dev/null", O_WRONLY);
    return dup2(fd, 1001) == 1001 && write(1001, data.data(), data.size()) == ssize_t(data.size()) ? 0 : 1;
  });
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].args[1].kind, Argument::Kind::kTruncatedBytes);
  EXPECT_EQ(recs[0].args[1].s, data.substr(0, OCT_GEN_ARG_MAX));
  EXPECT_EQ(recs[0].args[1].u, data.size());
}

}  // namespace
}  // namespace octagon::testing
