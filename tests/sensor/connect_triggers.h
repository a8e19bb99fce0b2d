// Children that make the kernel run tcp_connect (or a UDP connect) towards any address: a
// non-blocking connect, which returns once the SYN is sent. Addresses outside loopback are
// reached from a network namespace of the child's own whose every route goes to its loopback
// device, so the test needs no network and touches none.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace octagon::testing {

// In a new network namespace: loopback up, and a default route through it (IPv4).
inline bool private_netns_routed_to_lo() {
  if (unshare(CLONE_NEWNET) != 0) return false;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  ifreq ifr{};
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
  ifr.ifr_flags = short(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
  ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
  rtentry rt{};
  auto* dst = reinterpret_cast<sockaddr_in*>(&rt.rt_dst);
  auto* mask = reinterpret_cast<sockaddr_in*>(&rt.rt_genmask);
  dst->sin_family = mask->sin_family = AF_INET;
  rt.rt_flags = RTF_UP;
  char dev[] = "lo";
  rt.rt_dev = dev;
  ok = ok && ioctl(fd, SIOCADDRT, &rt) == 0;
  close(fd);
  return ok;
}

struct ConnectTarget {
  std::string addr;        // IPv4 or IPv6 literal
  uint16_t port = 9;
  bool own_netns = true;   // from a namespace routing everything to its loopback
  int type = SOCK_STREAM;
};

// Forks a child that connects to `t` without waiting for the handshake and exits: 0 when
// the connection was started (connected, EINPROGRESS or refused: tcp_connect ran), 4 when
// connect failed before (no route...), 3 when the namespace could not be set up, 1 or 2 when
// the socket or address could not be made.
inline pid_t connect_child(const ConnectTarget& t) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  if (t.own_netns && !private_netns_routed_to_lo()) _exit(3);
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, t.addr.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(t.port);
    len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, t.addr.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(t.port);
    len = sizeof(*v6);
  } else {
    _exit(2);
  }
  int s = socket(ss.ss_family, t.type | SOCK_NONBLOCK, 0);
  if (s < 0) _exit(1);
  if (connect(s, reinterpret_cast<sockaddr*>(&ss), len) == 0 || errno == EINPROGRESS || errno == ECONNREFUSED)
    _exit(0);
  _exit(4);
}

}  // namespace octagon::testing
