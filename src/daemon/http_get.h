// A minimal HTTP/1.1 GET over a plain TCP socket, for the GetUrl action (canary URLs): resolve,
// connect, send the request, read the status line. No TLS, no redirects, no body kept.
#pragma once

#include <chrono>
#include <string>

#include <octagon/base/result.h>

namespace octagon::daemon {

// The response's status code (any code counts as an answer). Fails on a malformed URL, name
// resolution, connect, I/O errors, a malformed status line, or when `timeout` (the whole
// exchange after resolution) runs out.
Result<int> http_get(const std::string& url, std::chrono::milliseconds timeout);

// getaddrinfo of `name` (any family): the number of addresses, or the resolver's error.
Result<size_t> dns_lookup(const std::string& name);

} // namespace octagon::daemon
