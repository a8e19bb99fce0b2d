// ElfFile: the facts a uprobe or USDT hook needs from an x86_64 ELF file, read with glibc's
// <elf.h> types: function symbols (.symtab, then .dynsym) and virtual addresses turned into
// file offsets through the PT_LOAD program headers, and the .note.stapsdt USDT probes.
// The whole file is read into memory once; every lookup bounds-checks what the file claims.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <octagon/base/result.h>

namespace octagon::elf {

// One stapsdt note (SystemTap SDT v3, as <sys/sdt.h> writes them).
struct UsdtNote {
  std::string provider;
  std::string name;
  uint64_t pc = 0;         // address of the probe's nop, prelink-adjusted (see .stapsdt.base)
  uint64_t semaphore = 0;  // address of the 2-byte semaphore, 0 = none
  std::string args;        // argument spec, e.g. "-4@%edi 8@-8(%rbp) 4@$5" ("" = no args)
};

struct Symbol {
  std::string name;
  uint64_t value = 0;  // virtual address
  uint64_t size = 0;
  uint8_t type = 0;    // STT_*
};

class ElfFile {
 public:
  // Reads and checks the headers of `path` (ENOENT when missing, ENOEXEC when not a 64-bit
  // little-endian ELF file).
  // The file is mapped read-only (large binaries are not copied); the mapping lives as long
  // as the ElfFile. Package managers replace binaries by rename, which leaves the mapping
  // intact; a file truncated in place while mapped would fault (SIGBUS) on access.
  static Result<ElfFile> open(const std::string& path);
  // Same, from bytes in memory (tests, fuzzing); `name` is used in error messages.
  static Result<ElfFile> parse(std::string bytes, std::string name);

  uint16_t machine() const { return machine_; }
  uint16_t type() const { return type_; }  // ET_EXEC / ET_DYN

  // The defined symbol `name` (functions and objects; .symtab first, then .dynsym).
  std::optional<Symbol> find_symbol(std::string_view name) const;
  // File offset of virtual address `addr`, through the PT_LOAD segment that holds it.
  Result<uint64_t> address_to_offset(uint64_t addr) const;
  // File offset of the symbol `name`: what a uprobe attaches to.
  Result<uint64_t> symbol_offset(std::string_view name) const;
  // Every stapsdt note of the file, in file order.
  std::vector<UsdtNote> usdt_notes() const;

 private:
  struct Section {
    std::string name;
    uint32_t type = 0;
    uint64_t addr = 0, offset = 0, size = 0, entsize = 0;
    uint32_t link = 0;
  };
  struct Segment {
    uint32_t type = 0, flags = 0;
    uint64_t vaddr = 0, offset = 0, filesz = 0, memsz = 0;
  };

  struct Mapping {
    void* addr = nullptr;
    size_t len = 0;
    ~Mapping();
  };

  ElfFile() = default;
  Result<void> load_headers();
  std::string_view bytes(uint64_t off, uint64_t len) const;  // "" when out of range
  std::optional<Symbol> find_in(uint32_t section_type, std::string_view name) const;
  const Section* section(std::string_view name) const;

  std::string name_;
  std::shared_ptr<Mapping> map_;  // open(): the file's pages
  std::shared_ptr<const std::string> owned_;  // parse(): the bytes given
  std::string_view data_;         // either of them
  uint16_t machine_ = 0, type_ = 0;
  std::vector<Section> sections_;
  std::vector<Segment> segments_;
};

}  // namespace octagon::elf
