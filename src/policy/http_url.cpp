#include <octagon/policy/http_url.h>

#include <cctype>

namespace octagon::policy {
namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size())
    return false;
  for (size_t i = 0; i < prefix.size(); i++)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i])
      return false;
  return true;
}

bool printable_no_space(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return false;
  return true;
}

} // namespace

HttpUrlResult parse_http_url(std::string_view url) {
  HttpUrlResult r;
  if (starts_with_nocase(url, "https://")) {
    r.problem =
        "https URLs cannot be fetched: the agent's GetUrl client speaks plain HTTP only (no TLS)";
    return r;
  }
  if (!starts_with_nocase(url, "http://")) {
    r.problem = "GetUrl fetches http:// URLs only";
    return r;
  }
  if (!printable_no_space(url)) {
    r.problem = "the URL has spaces or control characters";
    return r;
  }
  std::string_view rest = url.substr(7);
  size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  HttpUrl out;
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!out.target.empty() && out.target[0] == '?')
    out.target.insert(out.target.begin(), '/');
  if (authority.find('@') != std::string_view::npos) {
    r.problem = "user information in URLs is not supported";
    return r;
  }
  std::string_view host = authority, port;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      r.problem = "unterminated IPv6 address";
      return r;
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        r.problem = "junk after the IPv6 address";
        return r;
      }
      port = after.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) {
    r.problem = "the URL has no host";
    return r;
  }
  if (!port.empty() || authority.ends_with(':')) {
    uint32_t n = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || n > 65535) {
        n = 0;
        break;
      }
      n = n * 10 + uint32_t(c - '0');
    }
    if (n == 0 || n > 65535) {
      r.problem = "the port is not a number from 1 to 65535";
      return r;
    }
    out.port = uint16_t(n);
  }
  out.host = std::string(host);
  r.url = std::move(out);
  return r;
}

bool is_dns_name(std::string_view name) {
  if (name.ends_with('.'))
    name.remove_suffix(1);
  if (name.empty() || name.size() > 253)
    return false;
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0)
        return false;
      label = 0;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
      return false;
    if (++label > 63)
      return false;
  }
  return label > 0;
}

} // namespace octagon::policy
