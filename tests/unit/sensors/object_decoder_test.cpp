// Decoding of captured kernel objects (file/path headers, cred, sockaddr) and their Tetragon
// JSON (process_credentials_arg, sockaddr_arg, sockaddrun_arg).
#include <octagon/exporters/json/argument_json.h>
#include <octagon/sensors/generic/object_decoder.h>

#include <abi/generic.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include <gtest/gtest.h>

namespace octagon::sensors {
namespace {

using events::Argument;

template <typename T>
std::string bytes_of(const T& v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof(v));
}

std::string json_of(const Argument& a) {
  std::string out;
  exporters::append_argument_json(a, out);
  return out;
}

TEST(ObjectDecoder, ModeStrings) {
  EXPECT_EQ(mode_string(0100644), "-rw-r--r--");
  EXPECT_EQ(mode_string(040755), "drwxr-xr-x");
  EXPECT_EQ(mode_string(0104755), "-rwsr-xr-x");
  EXPECT_EQ(mode_string(041777), "drwxrwxrwt");
  EXPECT_EQ(mode_string(0120777), "lrwxrwxrwx");
  EXPECT_EQ(mode_string(02640 | 0100000), "-rw-r-S---");
}

TEST(ObjectDecoder, FileHeaderAndComponents) {
  oct_gen_file_hdr h{};
  h.flags = 02;
  h.mode = 0100640;
  std::string raw = bytes_of(h) + std::string("passwd\0etc\0", 11);
  Argument a;
  a.kind = Argument::Kind::kFile;
  decode_file_arg(raw, 0, a);
  EXPECT_EQ(a.s, "/etc/passwd");
  EXPECT_EQ(a.permission, "-rw-r-----");
  EXPECT_EQ(a.flags, "");
  EXPECT_EQ(json_of(a), R"({"file_arg":{"path":"/etc/passwd","permission":"-rw-r-----"}})");
  decode_file_arg(raw, OCT_GAF_PATH_TRUNCATED, a);
  EXPECT_EQ(a.flags, "unresolvedPathComponents");
  decode_file_arg(raw.substr(0, 3), 0, a);
  EXPECT_EQ(a.kind, Argument::Kind::kError);
}

TEST(ObjectDecoder, CredentialsAndTheirJson) {
  oct_gen_cred c{};
  c.uid = 1000, c.gid = 1001, c.euid = 0, c.egid = 4242, c.suid = 7, c.sgid = 8, c.fsuid = 9, c.fsgid = 10;
  c.securebits = 0x11;  // SecBitNoRoot | SecBitKeepCaps
  c.cap_permitted = (1ull << 21) | 1;
  c.cap_effective = 1ull << 21;
  c.userns_level = 0;
  c.userns_inum = 4026531837u;
  Argument a;
  a.kind = Argument::Kind::kProcessCredentials;
  decode_cred_arg(bytes_of(c), a);
  EXPECT_EQ(a.creds.egid, 4242u);
  EXPECT_EQ(a.caps.effective, 1ull << 21);
  EXPECT_EQ(json_of(a),
            R"({"process_credentials_arg":{"uid":1000,"gid":1001,"euid":0,"egid":4242,"suid":7,"sgid":8,)"
            R"("fsuid":9,"fsgid":10,"securebits":["SecBitNoRoot","SecBitKeepCaps"],)"
            R"("caps":{"permitted":["CAP_CHOWN","CAP_SYS_ADMIN"],"effective":["CAP_SYS_ADMIN"]},)"
            R"("user_ns":{"level":0,"uid":0,"gid":0,"ns":{"inum":4026531837,"is_host":true}}}})");
  c.userns_level = 2;
  c.userns_uid = 1000;
  c.cap_permitted = c.cap_effective = 0;
  c.securebits = 0;
  decode_cred_arg(bytes_of(c), a);
  EXPECT_EQ(json_of(a),
            R"({"process_credentials_arg":{"uid":1000,"gid":1001,"euid":0,"egid":4242,"suid":7,"sgid":8,)"
            R"("fsuid":9,"fsgid":10,"user_ns":{"level":2,"uid":1000,"gid":0,"ns":{"inum":4026531837}}}})");
}

TEST(ObjectDecoder, SockaddrFamilies) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(8443);
  inet_pton(AF_INET, "10.1.2.3", &in.sin_addr);
  Argument a;
  a.kind = Argument::Kind::kSockaddr;
  decode_sockaddr_arg(bytes_of(in), a);
  EXPECT_EQ(json_of(a), R"({"sockaddr_arg":{"family":"AF_INET","addr":"10.1.2.3","port":8443}})");

  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(53);
  inet_pton(AF_INET6, "fd00::1", &in6.sin6_addr);
  decode_sockaddr_arg(bytes_of(in6), a);
  EXPECT_EQ(json_of(a), R"({"sockaddr_arg":{"family":"AF_INET6","addr":"fd00::1","port":53}})");

  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  strcpy(un.sun_path, "/run/octagon.sock");
  a.kind = Argument::Kind::kSockaddrUn;
  decode_sockaddr_arg(bytes_of(un), a);
  EXPECT_EQ(json_of(a), R"({"sockaddrun_arg":{"family":"AF_UNIX","path":"/run/octagon.sock"}})");
  memset(un.sun_path, 0, sizeof(un.sun_path));
  memcpy(un.sun_path, "\0abstract", 9);
  decode_sockaddr_arg(bytes_of(un), a);
  EXPECT_EQ(a.s, "@abstract");

  uint16_t odd = 38;  // AF_ALG: no name here, no address decoded
  a.kind = Argument::Kind::kSockaddr;
  decode_sockaddr_arg(bytes_of(odd), a);
  EXPECT_EQ(json_of(a), R"({"sockaddr_arg":{"family":"38"}})");
  decode_sockaddr_arg("x", a);
  EXPECT_EQ(a.kind, Argument::Kind::kError);
}

}  // namespace
}  // namespace octagon::sensors
