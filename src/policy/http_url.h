// The URLs the GetUrl action can fetch: plain http://host[:port][/path]. Parsed once when the
// policy is compiled (to refuse what cannot work) and again by the agent's HTTP client.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace octagon::policy {

struct HttpUrl {
  std::string host; // name or IPv4 address; IPv6 literals in brackets, without them
  uint16_t port = 80;
  std::string target; // path and query, "/" when the URL has none
};

// Why `url` cannot be fetched, or the parsed URL. Schemes are matched without regard to case;
// https:// is refused (no TLS client in the agent).
struct HttpUrlResult {
  std::optional<HttpUrl> url;
  std::string problem;
};
HttpUrlResult parse_http_url(std::string_view url);

// A DNS name getaddrinfo can be asked for: 1-253 bytes of labels of [A-Za-z0-9_-], 1-63 each.
bool is_dns_name(std::string_view name);

} // namespace octagon::policy
