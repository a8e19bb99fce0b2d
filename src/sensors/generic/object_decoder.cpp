#include <octagon/sensors/generic/object_decoder.h>

#include <abi/generic.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstring>

#include <octagon/sensors/process/decoder.h>

namespace octagon::sensors {

using events::Argument;

std::string mode_string(uint16_t mode) {
  std::string s(10, '-');
  switch (mode & S_IFMT) {
    case S_IFDIR: s[0] = 'd'; break;
    case S_IFLNK: s[0] = 'l'; break;
    case S_IFCHR: s[0] = 'c'; break;
    case S_IFBLK: s[0] = 'b'; break;
    case S_IFIFO: s[0] = 'p'; break;
    case S_IFSOCK: s[0] = 's'; break;
    default: break;
  }
  static const char rwx[] = "rwxrwxrwx";
  for (int i = 0; i < 9; i++)
    if (mode & (1 << (8 - i))) s[1 + i] = rwx[i];
  if (mode & S_ISUID) s[3] = (mode & S_IXUSR) ? 's' : 'S';
  if (mode & S_ISGID) s[6] = (mode & S_IXGRP) ? 's' : 'S';
  if (mode & S_ISVTX) s[9] = (mode & S_IXOTH) ? 't' : 'T';
  return s;
}

void decode_file_arg(std::string_view raw, uint8_t arg_flags, Argument& a) {
  oct_gen_file_hdr h{};
  if (raw.size() < sizeof(h)) {
    a.kind = Argument::Kind::kError;
    a.s = "file argument record too short";
    return;
  }
  memcpy(&h, raw.data(), sizeof(h));
  assemble_path(raw.substr(sizeof(h)), a.s);
  if (h.mode) a.permission = mode_string(h.mode);
  if (arg_flags & OCT_GAF_PATH_TRUNCATED) a.flags = "unresolvedPathComponents";
}

void decode_cred_arg(std::string_view raw, Argument& a) {
  oct_gen_cred c{};
  if (raw.size() < sizeof(c)) {
    a.kind = Argument::Kind::kError;
    a.s = "cred argument record too short";
    return;
  }
  memcpy(&c, raw.data(), sizeof(c));
  a.creds = {c.uid, c.gid, c.euid, c.egid, c.suid, c.sgid, c.fsuid, c.fsgid};
  a.caps = {c.cap_permitted, c.cap_effective, c.cap_inheritable};
  a.securebits = c.securebits;
  a.userns_level = int32_t(c.userns_level);
  a.userns_uid = c.userns_uid;
  a.userns_gid = c.userns_gid;
  a.userns_inum = c.userns_inum;
}

namespace {

const char* family_name(uint16_t f) {
  switch (f) {
    case AF_UNIX: return "AF_UNIX";
    case AF_INET: return "AF_INET";
    case AF_INET6: return "AF_INET6";
    case AF_NETLINK: return "AF_NETLINK";
    case AF_PACKET: return "AF_PACKET";
    case AF_UNSPEC: return "AF_UNSPEC";
    default: return nullptr;
  }
}

}  // namespace

void decode_sockaddr_arg(std::string_view raw, Argument& a) {
  uint16_t family = 0;
  if (raw.size() < sizeof(family)) {
    a.kind = Argument::Kind::kError;
    a.s = "sockaddr argument record too short";
    return;
  }
  memcpy(&family, raw.data(), sizeof(family));
  const char* name = family_name(family);
  a.family = name ? name : std::to_string(family);
  a.s.clear();
  a.u = 0;
  char text[INET6_ADDRSTRLEN] = {};
  if (family == AF_INET && raw.size() >= sizeof(sockaddr_in)) {
    sockaddr_in in;
    memcpy(&in, raw.data(), sizeof(in));
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof(text));
    a.s = text;
    a.u = ntohs(in.sin_port);
  } else if (family == AF_INET6 && raw.size() >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6;
    memcpy(&in6, raw.data(), sizeof(in6));
    inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text));
    a.s = text;
    a.u = ntohs(in6.sin6_port);
  } else if (family == AF_UNIX && raw.size() > sizeof(family)) {
    std::string_view path = raw.substr(sizeof(family));
    if (!path.empty() && path[0] == '\0') {  // abstract: no NUL terminator, shown as @name
      std::string_view name_part = path.substr(1);
      size_t end = name_part.find_last_not_of('\0');
      a.s = "@" + std::string(name_part.substr(0, end == std::string_view::npos ? 0 : end + 1));
    } else {
      a.s = std::string(path.substr(0, path.find('\0')));
    }
  }
}

}  // namespace octagon::sensors
