// A blocking HTTP/1.1 GET to 127.0.0.1 for e2e tests (the agent's /metrics, Prometheus' API).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace octagon::testing {

struct HttpResult {
  int status = 0;
  std::string headers;
  std::string body;
};

// `target` is the path with an optional query. nullopt: no connection or no complete answer
// within `timeout`.
std::optional<HttpResult> http_fetch(uint16_t port, const std::string& target,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(3));

// Percent-encodes a query parameter value.
std::string url_encode(const std::string& s);

// A TCP port on 127.0.0.1 that was free a moment ago.
uint16_t free_tcp_port();

}  // namespace octagon::testing
