// FunctionIndex: the function symbols of one ELF file by file offset, what a user stack
// frame's (module, offset) needs to be named. Built once from an ElfFile (the file itself is
// not kept): names packed in one string, entries sorted by start.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <octagon/elf/elf_file.h>

namespace octagon::elf {

class FunctionIndex {
 public:
  static constexpr size_t kMaxFunctions = 1u << 21;  // per file; larger tables are cut
  static constexpr size_t kMaxNameBytes = 4096;      // longer names are cut

  // Every sized STT_FUNC / STT_GNU_IFUNC symbol of .symtab and .dynsym whose address is in a
  // PT_LOAD segment; a function in both tables (same start and size) is kept once, with the
  // name of the table that comes first in the file.
  static FunctionIndex build(const ElfFile& file);

  // The function whose code covers `file_offset` ("" if none).
  std::string_view lookup(uint64_t file_offset) const;
  size_t size() const { return funcs_.size(); }
  // Bytes held (for cache accounting).
  size_t memory_bytes() const { return names_.size() + funcs_.size() * sizeof(Func); }

 private:
  struct Func {
    uint64_t start;  // file offset of the first byte
    uint64_t size;
    uint32_t name_off, name_len;
  };
  std::string names_;
  std::vector<Func> funcs_;  // sorted by start, longest first at one start
};

}  // namespace octagon::elf
