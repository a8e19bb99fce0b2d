#include <octagon/policy/net_values.h>

#include <arpa/inet.h>

#include <cctype>
#include <cstring>
#include <utility>

#include <octagon/policy/numbers.h>

namespace octagon::policy {
namespace {

// Linux address families (include/linux/socket.h), by the names Tetragon users write.
constexpr std::pair<std::string_view, uint16_t> kFamilies[] = {
    {"AF_UNSPEC", 0},     {"AF_UNIX", 1},       {"AF_LOCAL", 1},       {"AF_INET", 2},
    {"AF_AX25", 3},       {"AF_IPX", 4},        {"AF_APPLETALK", 5},   {"AF_NETROM", 6},
    {"AF_BRIDGE", 7},     {"AF_ATMPVC", 8},     {"AF_X25", 9},         {"AF_INET6", 10},
    {"AF_ROSE", 11},      {"AF_DECNET", 12},    {"AF_NETBEUI", 13},    {"AF_SECURITY", 14},
    {"AF_KEY", 15},       {"AF_NETLINK", 16},   {"AF_ROUTE", 16},      {"AF_PACKET", 17},
    {"AF_ASH", 18},       {"AF_ECONET", 19},    {"AF_ATMSVC", 20},     {"AF_RDS", 21},
    {"AF_SNA", 22},       {"AF_IRDA", 23},      {"AF_PPPOX", 24},      {"AF_WANPIPE", 25},
    {"AF_LLC", 26},       {"AF_IB", 27},        {"AF_MPLS", 28},       {"AF_CAN", 29},
    {"AF_TIPC", 30},      {"AF_BLUETOOTH", 31}, {"AF_IUCV", 32},       {"AF_RXRPC", 33},
    {"AF_ISDN", 34},      {"AF_PHONET", 35},    {"AF_IEEE802154", 36}, {"AF_CAIF", 37},
    {"AF_ALG", 38},       {"AF_NFC", 39},       {"AF_VSOCK", 40},      {"AF_KCM", 41},
    {"AF_QIPCRTR", 42},   {"AF_SMC", 43},       {"AF_XDP", 44},        {"AF_MCTP", 45},
};

// IP protocols (include/uapi/linux/in.h) and TCP states (include/net/tcp_states.h).
constexpr std::pair<std::string_view, uint16_t> kProtocols[] = {
    {"IPPROTO_IP", 0},      {"IPPROTO_ICMP", 1},     {"IPPROTO_IGMP", 2},    {"IPPROTO_IPIP", 4},
    {"IPPROTO_TCP", 6},     {"IPPROTO_EGP", 8},      {"IPPROTO_PUP", 12},    {"IPPROTO_UDP", 17},
    {"IPPROTO_IDP", 22},    {"IPPROTO_TP", 29},      {"IPPROTO_DCCP", 33},   {"IPPROTO_IPV6", 41},
    {"IPPROTO_RSVP", 46},   {"IPPROTO_GRE", 47},     {"IPPROTO_ESP", 50},    {"IPPROTO_AH", 51},
    {"IPPROTO_ICMPV6", 58}, {"IPPROTO_MTP", 92},     {"IPPROTO_BEETPH", 94}, {"IPPROTO_ENCAP", 98},
    {"IPPROTO_PIM", 103},   {"IPPROTO_COMP", 108},   {"IPPROTO_L2TP", 115},  {"IPPROTO_SCTP", 132},
    {"IPPROTO_UDPLITE", 136}, {"IPPROTO_MPLS", 137}, {"IPPROTO_ETHERNET", 143}, {"IPPROTO_RAW", 255},
    {"IPPROTO_MPTCP", 262},
};
constexpr std::pair<std::string_view, uint16_t> kTcpStates[] = {
    {"TCP_ESTABLISHED", 1}, {"TCP_SYN_SENT", 2},   {"TCP_SYN_RECV", 3}, {"TCP_FIN_WAIT1", 4},
    {"TCP_FIN_WAIT2", 5},   {"TCP_TIME_WAIT", 6},  {"TCP_CLOSE", 7},    {"TCP_CLOSE_WAIT", 8},
    {"TCP_LAST_ACK", 9},    {"TCP_LISTEN", 10},    {"TCP_CLOSING", 11}, {"TCP_NEW_SYN_RECV", 12},
    {"TCP_BOUND_INACTIVE", 13},
};

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (toupper(static_cast<unsigned char>(a[i])) != toupper(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::optional<uint16_t> one_port(std::string_view text, NetValueError& err) {
  auto n = parse_uint64(text);
  if (!n) {
    err = {"'" + std::string(text) + "' is not a port number", "write a decimal or 0x hex port, or a range 'min:max'"};
    return std::nullopt;
  }
  if (*n > 65535) {
    err = {"port " + std::string(text) + " is above 65535", "ports go from 0 to 65535"};
    return std::nullopt;
  }
  return uint16_t(*n);
}

}  // namespace

std::optional<Cidr> parse_cidr(std::string_view text, NetValueError& err) {
  const size_t slash = text.find('/');
  const std::string addr(text.substr(0, slash));
  Cidr c;
  if (inet_pton(AF_INET, addr.c_str(), c.addr) == 1) {
    c.bytes = 4;
  } else if (inet_pton(AF_INET6, addr.c_str(), c.addr) == 1) {
    c.bytes = 16;
  } else {
    err = {"'" + addr + "' is not an IPv4 or IPv6 address", "e.g. '10.0.0.0/8', '127.0.0.1', 'fd00::/8' or '::1'"};
    return std::nullopt;
  }
  const unsigned max_prefix = c.bytes * 8u;
  c.prefix = uint8_t(max_prefix);
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    bool digits = !p.empty() && p.size() <= 3;
    for (char ch : p) digits = digits && isdigit(static_cast<unsigned char>(ch));
    if (!digits || std::stoul(std::string(p)) > max_prefix) {
      err = {"'/" + std::string(p) + "' is not a prefix length of an IPv" + (c.bytes == 4 ? "4" : "6") + " address",
             "prefix lengths go from 0 to " + std::to_string(max_prefix)};
      return std::nullopt;
    }
    c.prefix = uint8_t(std::stoul(std::string(p)));
  }
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (c.bytes == 16 && c.prefix >= 96 && memcmp(c.addr, kMapped, sizeof(kMapped)) == 0) {
    memmove(c.addr, c.addr + 12, 4);
    memset(c.addr + 4, 0, 12);
    c.bytes = 4;
    c.prefix = uint8_t(c.prefix - 96);
  }
  for (unsigned bit = c.prefix; bit < c.bytes * 8u; bit++) c.addr[bit / 8] &= uint8_t(~(0x80u >> (bit % 8)));
  return c;
}

std::optional<PortRange> parse_port(std::string_view text, NetValueError& err) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    auto p = one_port(text, err);
    if (!p) return std::nullopt;
    return PortRange{*p, *p};
  }
  auto lo = one_port(text.substr(0, colon), err);
  if (!lo) return std::nullopt;
  auto hi = one_port(text.substr(colon + 1), err);
  if (!hi) return std::nullopt;
  if (*lo > *hi) {
    err = {"range " + std::string(text) + " starts above its end", "write 'min:max' with min <= max"};
    return std::nullopt;
  }
  return PortRange{*lo, *hi};
}

namespace {

// A name of `names` (any case) or a number up to `max`; `what` names the kind of value.
template <size_t N>
std::optional<uint16_t> named_value(std::string_view text, const std::pair<std::string_view, uint16_t> (&names)[N],
                                    uint16_t max, const std::string& what, const std::string& examples,
                                    NetValueError& err) {
  for (const auto& [name, value] : names)
    if (iequal(text, name)) return value;
  if (auto n = parse_uint64(text)) {
    if (*n <= max) return uint16_t(*n);
    err = {what + " " + std::string(text) + " is above " + std::to_string(max), "e.g. " + examples};
    return std::nullopt;
  }
  err = {"unknown " + what + " '" + std::string(text) + "'", examples + "... or the number"};
  return std::nullopt;
}

}  // namespace

std::optional<uint16_t> parse_family(std::string_view text, NetValueError& err) {
  return named_value(text, kFamilies, 65535, "address family", "AF_INET, AF_INET6, AF_UNIX, AF_NETLINK, AF_PACKET",
                     err);
}

std::optional<uint16_t> parse_protocol(std::string_view text, NetValueError& err) {
  return named_value(text, kProtocols, 65535, "protocol", "IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP", err);
}

std::optional<uint16_t> parse_tcp_state(std::string_view text, NetValueError& err) {
  return named_value(text, kTcpStates, 255, "TCP state", "TCP_ESTABLISHED, TCP_SYN_SENT, TCP_CLOSE, TCP_LISTEN",
                     err);
}

}  // namespace octagon::policy

namespace octagon::policy {

bool is_net_operator(ArgOperator op) {
  return op >= ArgOperator::kSAddr && op <= ArgOperator::kState;
}

std::optional<NetValueError> sockaddr_refusal(ArgOperator op, bool unix_path) {
  using AO = ArgOperator;
  const std::string name(enum_name(op));
  const std::string type = unix_path ? "sockaddr_un" : "sockaddr";
  const std::string problem = "operator " + name + " does not apply to " + type + " arguments";
  if (op == AO::kProtocol)
    return NetValueError{problem, "Protocol needs a sock, socket or skb argument; a " + type +
                                      " has no protocol: use Family to tell AF_INET, AF_INET6 and AF_UNIX apart"};
  if (op == AO::kState)
    return NetValueError{problem, "State needs a sock or socket argument; a " + type +
                                      " has no connection state"};
  if (op == AO::kFamily) return std::nullopt;
  if (unix_path)
    return NetValueError{problem, "a sockaddr_un is a unix socket path, with no IP address or port: use Family "
                                  "here, or type: sockaddr to filter IP addresses and ports"};
  struct Swap {
    AO dest, source;
  };
  static const Swap kSwaps[] = {{AO::kDAddr, AO::kSAddr},         {AO::kNotDAddr, AO::kNotSAddr},
                                {AO::kDPort, AO::kSPort},         {AO::kNotDPort, AO::kNotSPort},
                                {AO::kDPortPriv, AO::kSPortPriv}, {AO::kNotDPortPriv, AO::kNotSPortPriv}};
  for (const Swap& s : kSwaps)
    if (op == s.dest)
      return NetValueError{problem, name + " needs a sock, socket or skb argument; a sockaddr has only the one address: use " +
                                        std::string(enum_name(s.source))};
  return std::nullopt;
}

}  // namespace octagon::policy
