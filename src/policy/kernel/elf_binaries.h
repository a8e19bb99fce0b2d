// BinaryFacts from the ELF files on this host (src/elf). Keeps the last file mapped, so the
// symbols of one uprobe entry are looked up in one pass; it is used again only while the path
// still names the same file (device, inode, size and modification time unchanged).
#pragma once

#include <memory>
#include <string>

#include <octagon/elf/elf_file.h>
#include <octagon/policy/compiler.h>

namespace octagon::policy::kernel {

class ElfBinaryFacts : public BinaryFacts {
 public:
  Result<void> check_binary(const std::string& path) override;
  Result<uint64_t> symbol_offset(const std::string& path, const std::string& symbol) override;
  Result<uint64_t> address_offset(const std::string& path, uint64_t addr) override;
  Result<std::vector<UsdtProbe>> usdt_probes(const std::string& path) override;
  Result<std::string> sha256_hex(const std::string& path) override;

 private:
  Result<const elf::ElfFile*> load(const std::string& path);
  std::string path_;
  struct Identity {
    uint64_t dev = 0, ino = 0, size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const Identity&) const = default;
  } id_;
  std::unique_ptr<elf::ElfFile> file_;
};

}  // namespace octagon::policy::kernel
