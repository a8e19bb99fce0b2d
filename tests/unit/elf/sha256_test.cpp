// SHA-256 against the FIPS 180-4 example vectors, streamed in odd pieces, and on a file.
#include <octagon/elf/sha256.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "test_helpers.h"

namespace octagon::elf {
namespace {

TEST(Sha256, StandardVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, StreamingInPiecesMatchesOneShot) {
  std::string msg;
  for (int i = 0; i < 1000; i++) msg.push_back(char(i * 7));
  for (size_t piece : {size_t(1), size_t(55), size_t(56), size_t(63), size_t(64), size_t(65)}) {
    Sha256 s;
    for (size_t off = 0; off < msg.size(); off += piece)
      s.update(msg.data() + off, std::min(piece, msg.size() - off));
    auto d = s.finish();
    std::string hex;
    for (uint8_t b : d) {
      char x[3];
      snprintf(x, sizeof x, "%02x", b);
      hex += x;
    }
    EXPECT_EQ(hex, sha256_hex(msg)) << piece;
  }
}

TEST(Sha256, FileDigest) {
  std::string path = "/tmp/octagon-sha256-" + std::to_string(getpid());
  std::ofstream(path) << "abc";
  auto d = sha256_file_hex(path);
  ASSERT_OK(d);
  EXPECT_EQ(*d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  unlink(path.c_str());
  EXPECT_ERR(sha256_file_hex(path), ENOENT, "open /tmp/octagon-sha256-");
}

}  // namespace
}  // namespace octagon::elf
