#include <octagon/daemon/http_get.h>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <octagon/base/fd.h>
#include <octagon/policy/http_url.h>

namespace octagon::daemon {
namespace {

using Clock = std::chrono::steady_clock;

struct AddrInfoFree {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};
using AddrList = std::unique_ptr<addrinfo, AddrInfoFree>;

Result<AddrList> resolve(const std::string& host, const char* service) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), service, &hints, &res);
  if (rc != 0) {
    int err = rc == EAI_SYSTEM ? errno : EHOSTUNREACH;
    return make_error(err, "resolve " + host + ": " + gai_strerror(rc));
  }
  return AddrList(res);
}

int remaining_ms(Clock::time_point deadline) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? int(left) : 0;
}

// Waits for `events` on fd until the deadline.
Result<void> wait_for(int fd, short events, Clock::time_point deadline, const char* what) {
  while (true) {
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, remaining_ms(deadline));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return make_error(errno, what);
    if (n == 0)
      return make_error(ETIMEDOUT, std::string(what) + ": timed out");
    return ok();
  }
}

Result<Fd> connect_any(const addrinfo* list, Clock::time_point deadline) {
  Error last = Error(EHOSTUNREACH, "no address");
  for (const addrinfo* a = list; a; a = a->ai_next) {
    Fd fd(socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd.valid()) {
      last = Error(errno, "socket");
      continue;
    }
    if (connect(fd.get(), a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = Error(errno, "connect");
      continue;
    }
    if (auto w = wait_for(fd.get(), POLLOUT, deadline, "connect"); !w) {
      last = w.error();
      continue;
    }
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      last = Error(err, "connect");
      continue;
    }
    return fd;
  }
  return make_error(last);
}

// "HTTP/1.1 200 OK" -> 200.
Result<int> status_code(std::string_view line) {
  if (!line.starts_with("HTTP/1.") || line.size() < 12 || line[8] != ' ')
    return make_error(EBADMSG, "not an HTTP status line");
  int code = 0;
  for (size_t i = 9; i < 12; i++) {
    if (line[i] < '0' || line[i] > '9')
      return make_error(EBADMSG, "bad HTTP status code");
    code = code * 10 + (line[i] - '0');
  }
  return code;
}

} // namespace

Result<int> http_get(const std::string& url, std::chrono::milliseconds timeout) {
  policy::HttpUrlResult parsed = policy::parse_http_url(url);
  if (!parsed.url)
    return make_error(EINVAL, url + ": " + parsed.problem);
  const policy::HttpUrl& u = *parsed.url;
  OCTAGON_ASSIGN_OR_RETURN(AddrList addrs, resolve(u.host, std::to_string(u.port).c_str()));
  const Clock::time_point deadline = Clock::now() + timeout;
  OCTAGON_ASSIGN_OR_RETURN(Fd fd, connect_any(addrs.get(), deadline));

  std::string host = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  if (u.port != 80)
    host += ":" + std::to_string(u.port);
  std::string req = "GET " + u.target + " HTTP/1.1\r\nHost: " + host +
                    "\r\nUser-Agent: octagon\r\nAccept: */*\r\nConnection: close\r\n\r\n";
  size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = send(fd.get(), req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += size_t(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      OCTAGON_TRY(wait_for(fd.get(), POLLOUT, deadline, "send"));
    } else {
      return make_error(errno, "send request to " + host);
    }
  }
  std::string head;
  char buf[1024];
  while (head.find("\r\n") == std::string::npos) {
    if (head.size() > 8192)
      return make_error(EBADMSG, "no HTTP status line in 8 KiB");
    ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
    if (n > 0) {
      head.append(buf, size_t(n));
    } else if (n == 0) {
      break;
    } else if (errno == EAGAIN || errno == EINTR) {
      OCTAGON_TRY(wait_for(fd.get(), POLLIN, deadline, "read response"));
    } else {
      return make_error(errno, "read response from " + host);
    }
  }
  return status_code(std::string_view(head).substr(0, head.find("\r\n")));
}

Result<size_t> dns_lookup(const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(name.c_str(), nullptr, &hints, &res);
  if (rc != 0)
    return make_error(rc == EAI_SYSTEM ? errno : EHOSTUNREACH,
                      "resolve " + name + ": " + gai_strerror(rc));
  AddrList owned(res);
  size_t n = 0;
  for (addrinfo* a = res; a; a = a->ai_next)
    n++;
  return n;
}

} // namespace octagon::daemon
