// BinaryFacts from the ELF files on this host (src/elf). Keeps the last file read, so the
// symbols of one uprobe entry are looked up in one read of the binary.
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
  std::unique_ptr<elf::ElfFile> file_;
};

}  // namespace octagon::policy::kernel
