#include <octagon/metrics/listen_socket.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>

namespace octagon::metrics {

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return make_error(EINVAL, "'" + std::string(text) + "' is not HOST:PORT or :PORT");
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.starts_with('[')) {
    if (!host.ends_with(']'))
      return make_error(EINVAL, "'" + std::string(text) + "': unterminated '[' in the host");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return make_error(EINVAL, "'" + std::string(text) + "': write IPv6 hosts as [ADDR]:PORT");
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535)
    return make_error(EINVAL, "'" + std::string(text) + "': port must be a number 0..65535");
  ListenAddress a;
  a.host = std::string(host);
  a.port = static_cast<uint16_t>(value);
  return a;
}

Result<Fd> listen_tcp(const ListenAddress& address, int backlog) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(address.port);
  const char* host = address.host.empty() ? nullptr : address.host.c_str();
  if (int rc = getaddrinfo(host, port.c_str(), &hints, &res); rc != 0)
    return make_error(EINVAL, "resolve '" + address.host + "': " + gai_strerror(rc));
  // ":port" binds the IPv4 wildcard first (it is what a dual-stack host is scraped on).
  Result<Fd> last = make_error(EADDRNOTAVAIL, "no address to bind");
  for (int pass = 0; pass < 2; pass++) {
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
      if ((ai->ai_family == AF_INET) != (pass == 0)) continue;
      Fd fd(socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      if (!fd.valid()) {
        last = make_error(errno, "socket");
        continue;
      }
      int one = 1;
      setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
      if (bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
        last = make_error(errno, "bind");
        continue;
      }
      if (listen(fd.get(), backlog) != 0) {
        last = make_error(errno, "listen");
        continue;
      }
      freeaddrinfo(res);
      return fd;
    }
  }
  freeaddrinfo(res);
  return last;
}

std::string local_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    port = ntohs(a->sin6_port);
    return "[" + std::string(host) + "]:" + std::to_string(port);
  }
  auto* a = reinterpret_cast<sockaddr_in*>(&ss);
  inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
  port = ntohs(a->sin_port);
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace octagon::metrics
