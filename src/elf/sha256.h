// SHA-256 (FIPS 180-4), for uprobe binaryDigests: the digest of a file, streamed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <octagon/base/result.h>

namespace octagon::elf {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t len);
  std::array<uint8_t, 32> finish();  // the object must not be reused after this

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t used_ = 0;
  uint64_t total_ = 0;
};

// Lower-case hex of the SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
// Lower-case hex of the SHA-256 of the file at `path`.
Result<std::string> sha256_file_hex(const std::string& path);

}  // namespace octagon::elf
