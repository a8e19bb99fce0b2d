// Function symbols of one ELF64 file (.symtab, else/also .dynsym), by file offset: what a user
// stack frame's (module, offset) needs to be named. The files come from traced processes, so
// every header, table and string is bounds-checked against the file; nothing is trusted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <octagon/base/result.h>

namespace octagon::symbols {

class ElfSymbols {
public:
  static constexpr size_t kMaxSymbols = 1u << 21; // per file; larger tables are cut

  // Reads the symbol tables of the ELF file open as `fd` (the caller keeps the fd).
  static Result<ElfSymbols> read(int fd);
  static Result<ElfSymbols> open(const std::string& path);

  // The function whose code covers `file_offset` ("" if none).
  std::string_view lookup(uint64_t file_offset) const;
  size_t size() const { return funcs_.size(); }
  // Bytes held (for cache accounting).
  size_t memory_bytes() const { return names_.size() + funcs_.size() * sizeof(Func); }

private:
  struct Func {
    uint64_t start; // file offset of the first byte
    uint64_t size;
    uint32_t name_off, name_len;
  };
  std::string names_;
  std::vector<Func> funcs_; // sorted by start
};

} // namespace octagon::symbols
