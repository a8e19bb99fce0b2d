// Values of the network matchArgs operators (SAddr, SPort, Family...), shared by the parser's
// checks and the compiler: each parser says what is wrong with a value, and how to write it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <octagon/policy/enums.h>

namespace octagon::policy {

struct NetValueError {
  std::string problem;
  std::string hint;
};

// A CIDR: 4 (IPv4) or 16 (IPv6) address bytes in network order, and the prefix length. A bare
// address is a /32 or /128. Bits beyond the prefix are cleared. An IPv4-mapped IPv6 CIDR
// (::ffff:a.b.c.d/N, N >= 96) is returned as the IPv4 CIDR it covers.
struct Cidr {
  uint8_t bytes = 4;  // 4 or 16
  uint8_t addr[16] = {};
  uint8_t prefix = 32;
};
std::optional<Cidr> parse_cidr(std::string_view text, NetValueError& err);

// A port ("443", "0x1bb") or an inclusive range "min:max", in host order as users write them.
struct PortRange {
  uint16_t min = 0;
  uint16_t max = 0;
};
std::optional<PortRange> parse_port(std::string_view text, NetValueError& err);

// An address family: a name (AF_INET, AF_INET6, AF_UNIX, AF_NETLINK...) or a number < 65536.
std::optional<uint16_t> parse_family(std::string_view text, NetValueError& err);

// An IP protocol: a name (IPPROTO_TCP, IPPROTO_UDP...) or a number < 65536.
std::optional<uint16_t> parse_protocol(std::string_view text, NetValueError& err);

// A TCP state: a name (TCP_ESTABLISHED, TCP_SYN_SENT...) or a number < 256.
std::optional<uint16_t> parse_tcp_state(std::string_view text, NetValueError& err);

// SAddr, DAddr, SPort, DPort, *PortPriv, Protocol, Family, State and their Not* forms.
bool is_net_operator(ArgOperator op);

// Why network operator `op` does not apply to a sockaddr argument (a sockaddr_un one when
// `unix_path`), naming what would work instead; nullopt when it applies.
std::optional<NetValueError> sockaddr_refusal(ArgOperator op, bool unix_path);

}  // namespace octagon::policy
