// T3: SAddr, SPort, SPortPriv, Family and their Not* forms on sockaddr arguments, evaluated in
// the kernel. A real child process connects UDP sockets (no packet is sent) and a unix socket
// to a list of addresses; the test checks which connects produced a record. The rig collects
// every record the ring buffer delivers, so a connect without one was filtered in the kernel.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "sensor/policy_rig.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

using events::Argument;

// One connect of the child: "127.0.0.1:5001", "[::1]:80" or "unix:@name".
struct Target {
  std::string text;
};

// connect()s a fresh socket to `t` (the result does not matter: the syscall is entered).
void connect_to(const std::string& t) {
  if (t.rfind("unix:", 0) == 0) {
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    std::string name = t.substr(6);  // abstract: "unix:@name"
    memcpy(un.sun_path + 1, name.data(), name.size());
    (void)connect(fd, reinterpret_cast<sockaddr*>(&un), socklen_t(sizeof(sa_family_t) + 1 + name.size()));
    close(fd);
    return;
  }
  const size_t colon = t.rfind(':');
  const uint16_t port = uint16_t(std::stoi(t.substr(colon + 1)));
  if (t[0] == '[') {
    int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(port);
    inet_pton(AF_INET6, t.substr(1, colon - 2).c_str(), &sa.sin6_addr);
    (void)connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
    close(fd);
    return;
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, t.substr(0, colon).c_str(), &sa.sin_addr);
  (void)connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  close(fd);
}

// How a record's sockaddr argument is written in Target form.
std::string shown(const Argument& a) {
  if (a.family == "AF_UNIX") return "unix:" + a.s;
  if (a.family == "AF_INET6") return "[" + a.s + "]:" + std::to_string(a.u);
  return a.s + ":" + std::to_string(a.u);
}

// A sys_connect kprobe with the address (function index 1) as `type` and one selector whose
// matchArgs are `match_args` (YAML flow items).
std::string connect_policy(const std::string& match_args, const std::string& type = "sockaddr") {
  return policy_with("sockaddr-filter", "  kprobes:\n  - call: sys_connect\n"
                                        "    args: [{index: 0, type: int}, {index: 1, type: " + type + "}]\n"
                                        "    selectors:\n    - matchArgs: [" + match_args + "]\n");
}

// Loads `yaml`, has a child connect to each of `targets` in order, and returns the targets
// whose connect produced a record, in order.
std::vector<std::string> passed(const std::string& yaml, const std::vector<std::string>& targets, size_t expect) {
  DecodingPolicyRig rig;
  auto loaded = rig.load(yaml);
  EXPECT_TRUE(loaded) << (loaded ? "" : loaded.error().describe());
  if (!loaded) return {};
  pid_t pid = fork();
  if (pid == 0) {
    for (const std::string& t : targets) connect_to(t);
    _exit(0);
  }
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  // The child has exited: every record it caused is in the ring already.
  std::vector<std::string> out;
  for (const DecodedPolicyRecord& r : rig.of(uint32_t(pid), expect)) {
    EXPECT_EQ(r.args.size(), 2u);
    if (r.args.size() == 2) out.push_back(shown(r.args[1]));
  }
  return out;
}

using Seen = std::vector<std::string>;

TEST(GenericSockaddr, SAddrCidrsOfBothFamilies) {
  OCTAGON_REQUIRE_SENSOR();
  EXPECT_EQ(passed(connect_policy(R"({index: 1, operator: SAddr, values: ["127.0.0.0/8", "fd00::/8"]})"),
                   {"127.0.0.1:5001", "10.1.2.3:5001", "[::1]:5001", "[fd00::1]:5001", "[::ffff:127.0.0.2]:5001",
                    "[::ffff:10.1.2.3]:5001", "[fe80::1]:5001", "unix:@octagon-sa"},
                   3),
            (Seen{"127.0.0.1:5001", "[fd00::1]:5001", "[::ffff:127.0.0.2]:5001"}));
}

TEST(GenericSockaddr, SAddrBareAddressesAndMappedValues) {
  OCTAGON_REQUIRE_SENSOR();
  // A bare IPv4 address is a /32, a bare IPv6 one a /128; an IPv4-mapped value is the IPv4
  // address it maps, whichever family the connect uses.
  EXPECT_EQ(passed(connect_policy(R"({index: 1, operator: SAddr, values: ["::1", "::ffff:10.1.2.3"]})"),
                   {"10.1.2.3:80", "10.1.2.4:80", "[::1]:80", "[::2]:80", "[::ffff:10.1.2.3]:80"}, 3),
            (Seen{"10.1.2.3:80", "[::1]:80", "[::ffff:10.1.2.3]:80"}));
}

TEST(GenericSockaddr, NotSAddrHoldsForOtherAddressesAndNonIpFamilies) {
  OCTAGON_REQUIRE_SENSOR();
  EXPECT_EQ(passed(connect_policy(R"({index: 1, operator: NotSAddr, values: ["127.0.0.0/8", "::1"]})"),
                   {"127.0.0.1:5001", "10.1.2.3:5001", "[::1]:5001", "[fd00::1]:5001", "[::ffff:127.0.0.9]:5001",
                    "unix:@octagon-sa"},
                   3),
            (Seen{"10.1.2.3:5001", "[fd00::1]:5001", "unix:@octagon-sa"}));
}

TEST(GenericSockaddr, SPortListAndRangeInHostOrder) {
  OCTAGON_REQUIRE_SENSOR();
  // 35091 is 5001 with its bytes swapped: it must not pass as 5001 would.
  EXPECT_EQ(passed(connect_policy(R"({index: 1, operator: SPort, values: ["5001", "0x1f90", "9000:9010"]})"),
                   {"127.0.0.1:5001", "127.0.0.1:5002", "127.0.0.1:35091", "127.0.0.1:8080", "127.0.0.1:9005",
                    "127.0.0.1:9011", "[::1]:9000", "[::1]:8999", "unix:@octagon-sa"},
                   4),
            (Seen{"127.0.0.1:5001", "127.0.0.1:8080", "127.0.0.1:9005", "[::1]:9000"}));
}

TEST(GenericSockaddr, SPortWithMoreValuesThanTheFilterHolds) {
  OCTAGON_REQUIRE_SENSOR();
  // Single ports beyond 4 values are members of the filter's InMap set.
  EXPECT_EQ(passed(connect_policy(R"({index: 1, operator: SPort, values: ["21", "22", "23", "5001", "7000:7001", "8080"]})"),
                   {"127.0.0.1:22", "127.0.0.1:24", "127.0.0.1:5001", "127.0.0.1:35091", "[::1]:7001",
                    "127.0.0.1:7002", "127.0.0.1:8080"},
                   4),
            (Seen{"127.0.0.1:22", "127.0.0.1:5001", "[::1]:7001", "127.0.0.1:8080"}));
}

TEST(GenericSockaddr, NotSPort) {
  OCTAGON_REQUIRE_SENSOR();
  EXPECT_EQ(passed(connect_policy(R"({index: 1, operator: NotSPort, values: ["5001", "9000:9010"]})"),
                   {"127.0.0.1:5001", "127.0.0.1:5002", "127.0.0.1:35091", "[::1]:9005", "[::1]:9011"}, 3),
            (Seen{"127.0.0.1:5002", "127.0.0.1:35091", "[::1]:9011"}));
}

TEST(GenericSockaddr, SPortPrivAndNotSPortPriv) {
  OCTAGON_REQUIRE_SENSOR();
  // 1024 read in the wrong byte order would be 4, and 256 would be 1.
  const std::vector<std::string> targets = {"127.0.0.1:80",   "127.0.0.1:1023", "127.0.0.1:1024",
                                            "127.0.0.1:5001", "[::1]:443",      "[::1]:256",
                                            "[::1]:2048",     "unix:@octagon-sa"};
  EXPECT_EQ(passed(connect_policy("{index: 1, operator: SPortPriv}"), targets, 4),
            (Seen{"127.0.0.1:80", "127.0.0.1:1023", "[::1]:443", "[::1]:256"}));
  EXPECT_EQ(passed(connect_policy("{index: 1, operator: NotSPortPriv}"), targets, 4),
            (Seen{"127.0.0.1:1024", "127.0.0.1:5001", "[::1]:2048", "unix:@octagon-sa"}));
}

TEST(GenericSockaddr, FamilyByNameAndNumber) {
  OCTAGON_REQUIRE_SENSOR();
  const std::vector<std::string> targets = {"127.0.0.1:5001", "[::1]:5001", "unix:@octagon-sa"};
  EXPECT_EQ(passed(connect_policy(R"({index: 1, operator: Family, values: ["AF_INET6"]})"), targets, 1),
            (Seen{"[::1]:5001"}));
  EXPECT_EQ(passed(connect_policy(R"({index: 1, operator: Family, values: ["1", "AF_INET"]})"), targets, 2),
            (Seen{"127.0.0.1:5001", "unix:@octagon-sa"}));
}

TEST(GenericSockaddr, FamilyOnASockaddrUn) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto loaded = rig.load(connect_policy(R"({index: 1, operator: Family, values: ["AF_UNIX"]})", "sockaddr_un"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = fork();
  if (pid == 0) {
    connect_to("127.0.0.1:5001");
    connect_to("unix:@octagon-sa-un");
    connect_to("[::1]:5001");
    _exit(0);
  }
  ASSERT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid), 1);
  ASSERT_EQ(recs.size(), 1u);
  ASSERT_EQ(recs[0].args.size(), 2u);
  EXPECT_EQ(recs[0].args[1].kind, Argument::Kind::kSockaddrUn);
  EXPECT_EQ(recs[0].args[1].family, "AF_UNIX");
  EXPECT_EQ(recs[0].args[1].s, "@octagon-sa-un");
}

TEST(GenericSockaddr, SAddrAndSPortInOneSelectorOnATracepoint) {
  OCTAGON_REQUIRE_SENSOR();
  // sys_enter_connect's fields: 5 fd, 6 uservaddr, 7 addrlen. Filters of a selector are AND'ed.
  const std::string yaml = policy_with(
      "sockaddr-tp", "  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_connect\n"
                     "    args: [{index: 5, type: int}, {index: 6, type: sockaddr}]\n"
                     "    selectors:\n    - matchArgs:\n"
                     "      - {index: 1, operator: SAddr, values: [\"127.0.0.1\", \"::1\"]}\n"
                     "      - {index: 1, operator: SPort, values: [\"6000:6100\"]}\n");
  EXPECT_EQ(passed(yaml, {"127.0.0.1:6050", "127.0.0.1:5001", "127.0.0.2:6050", "[::1]:6100", "[::1]:6101"}, 2),
            (Seen{"127.0.0.1:6050", "[::1]:6100"}));
}

}  // namespace
}  // namespace octagon::testing
