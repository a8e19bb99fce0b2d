// TCP listen addresses as Tetragon's --metrics-server takes them: "host:port", ":port" (every
// interface) or "[v6addr]:port". Port 0 picks a free port (tests; the bound address is logged).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <octagon/base/fd.h>
#include <octagon/base/result.h>

namespace octagon::metrics {

struct ListenAddress {
  std::string host;  // empty: every interface
  uint16_t port = 0;
};

Result<ListenAddress> parse_listen_address(std::string_view text);

// A non-blocking, close-on-exec listening TCP socket bound to `address` (the first resolved
// address that binds). Errors name the cause (address in use, no such host, ...).
Result<Fd> listen_tcp(const ListenAddress& address, int backlog);

// "127.0.0.1:2112" / "[::1]:2112" for a bound socket.
std::string local_address(int fd);

}  // namespace octagon::metrics
