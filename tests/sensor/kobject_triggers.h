// Real processes that make the kernel handle the objects of kernel-object argument tests: a
// TCP connection and a UDP datagram over loopback (ports known to the test), BPF maps and
// programs created with bpf(2), perf events, user namespaces and capset(2).
#pragma once

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace octagon::testing {

// A process and the loopback ports of its traffic (host order).
struct NetTrigger {
  pid_t pid = -1;
  uint16_t client_port = 0, server_port = 0;
  bool ok = false;
};

inline uint16_t bound_port(int fd) {
  sockaddr_in a{};
  socklen_t n = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
  return ntohs(a.sin_port);
}

inline sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Whether fd becomes readable within 5 s: a trigger whose child failed (no loopback, say) makes
// the test fail instead of blocking in accept or recv.
inline bool readable_soon(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 5000) == 1;
}

// A child connects over TCP to a listener of this process, sends a byte and exits.
inline NetTrigger tcp_connect_child() {
  NetTrigger t;
  int l = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = loopback(0);
  if (l < 0 || bind(l, reinterpret_cast<sockaddr*>(&a), sizeof(a)) || listen(l, 4)) return t;
  t.server_port = bound_port(l);
  t.pid = fork();
  if (t.pid == 0) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in to = loopback(t.server_port);
    if (s < 0 || connect(s, reinterpret_cast<sockaddr*>(&to), sizeof(to))) _exit(1);
    _exit(write(s, "x", 1) == 1 ? 0 : 2);
  }
  sockaddr_in peer{};
  socklen_t n = sizeof(peer);
  int c = readable_soon(l) ? accept(l, reinterpret_cast<sockaddr*>(&peer), &n) : -1;
  t.client_port = ntohs(peer.sin_port);
  char b;
  t.ok = c >= 0 && readable_soon(c) && read(c, &b, 1) == 1;
  if (c >= 0) close(c);
  close(l);
  return t;
}

// A child sends one UDP datagram from a connected socket to a socket of this process.
inline NetTrigger udp_send_child() {
  NetTrigger t;
  int r = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a = loopback(0);
  if (r < 0 || bind(r, reinterpret_cast<sockaddr*>(&a), sizeof(a))) return t;
  t.server_port = bound_port(r);
  t.pid = fork();
  if (t.pid == 0) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in to = loopback(t.server_port);
    if (s < 0 || connect(s, reinterpret_cast<sockaddr*>(&to), sizeof(to))) _exit(1);
    _exit(send(s, "hello", 5, 0) == 5 ? 0 : 2);
  }
  char b[8];
  sockaddr_in from{};
  socklen_t n = sizeof(from);
  t.ok = readable_soon(r) && recvfrom(r, b, sizeof(b), 0, reinterpret_cast<sockaddr*>(&from), &n) == 5;
  t.client_port = ntohs(from.sin_port);
  close(r);
  return t;
}

// unshare(CLONE_NEWUSER), also from a chroot (the VM tier's guest runs tests chrooted into the
// host's root, where the kernel refuses it): climb out (chroot to a subdirectory, then ".." from
// the old root up to the real one), unshare, and chroot back, which the new user
// namespace allows. Not chrooted, the climb stays at "/". For forked children: it changes the
// process's root on the way. Returns 0 or -1.
inline int unshare_user_namespace() {
  int old_root = open("/", O_PATH | O_DIRECTORY), cwd = open(".", O_PATH | O_DIRECTORY);
  int rc = -1;
  // The climb starts at the old root, which lies outside the new one (/sys): climbing from the
  // working directory would stop at the new root when that contains it (a build under /tmp).
  if (old_root >= 0 && cwd >= 0 && fchdir(old_root) == 0 && chroot("/sys") == 0) {
    bool up = true;
    for (int i = 0; i < 64 && up; i++) up = chdir("..") == 0;
    if (up && chroot(".") == 0 && unshare(CLONE_NEWUSER) == 0 && fchdir(old_root) == 0 && chroot(".") == 0 &&
        fchdir(cwd) == 0)
      rc = 0;
  }
  if (old_root >= 0) close(old_root);
  if (cwd >= 0) close(cwd);
  return rc;
}

// The inode of a namespace file (/proc/self/ns/user...).
inline uint32_t ns_inode(const char* path) {
  struct stat st {};
  return stat(path, &st) == 0 ? uint32_t(st.st_ino) : 0;
}

}  // namespace octagon::testing
