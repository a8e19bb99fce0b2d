// ElfFile: the facts a uprobe or USDT hook or a stack symbolizer needs from an x86_64 ELF
// file, read with glibc's <elf.h> types: symbols (.symtab, .dynsym), virtual addresses turned
// into file offsets through the PT_LOAD program headers, and the .note.stapsdt USDT probes.
// The file is mapped (open), given (parse) or read in pieces (read); every lookup
// bounds-checks what the file claims.
#pragma once

#include <cstdint>
#include <functional>
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

// A symbol as for_each_symbol sees it: the name points into the ElfFile's bytes.
struct SymbolRef {
  std::string_view name;
  uint64_t value = 0;  // virtual address (for SHN_ABS: a plain value)
  uint64_t size = 0;
  uint8_t type = 0;     // STT_*
  uint16_t shndx = 0;   // section index, never SHN_UNDEF
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
  // Same, reading from `fd` (the caller keeps it) only the headers, the symbol and string
  // tables and the notes, with pread: for files of traced processes, which may be truncated
  // while read (a mapping would fault). Tables over kMaxTableBytes are left out.
  static Result<ElfFile> read(int fd, std::string name);
  static constexpr uint64_t kMaxTableBytes = 512ull << 20;

  uint16_t machine() const { return machine_; }
  uint16_t type() const { return type_; }  // ET_EXEC / ET_DYN

  // The defined symbol `name` (functions and objects; .symtab first, then .dynsym).
  std::optional<Symbol> find_symbol(std::string_view name) const;
  // Calls `fn` for each defined symbol of the symbol tables of type `table` (SHT_SYMTAB or
  // SHT_DYNSYM; kAnyTable: both, in section order), in table order, until `fn` returns false.
  static constexpr uint32_t kAnyTable = 0;
  void for_each_symbol(uint32_t table, const std::function<bool(const SymbolRef&)>& fn) const;
  // File offset of virtual address `addr`, through the PT_LOAD segment that holds it.
  Result<uint64_t> address_to_offset(uint64_t addr) const;
  std::optional<uint64_t> loaded_offset(uint64_t addr) const;  // same, nullopt when in none
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

  // Bytes of the file at some offset: the whole file, or what read() fetched.
  struct Piece {
    uint64_t offset = 0;
    std::string_view data;
  };
  // Gives the bytes [off, off+len) of the file while loading ("" when out of range).
  using Fetch = std::function<std::string_view(uint64_t off, uint64_t len)>;

  ElfFile() = default;
  static Result<ElfFile> whole(std::string_view data, std::shared_ptr<const void> keep,
                               std::string name);
  Result<void> load_headers(const Fetch& fetch);
  std::string_view bytes(uint64_t off, uint64_t len) const;  // "" when out of range
  const Section* section(std::string_view name) const;

  std::string name_;
  std::shared_ptr<const void> keep_;  // owns what pieces_ point into (mapping, bytes, reads)
  std::vector<Piece> pieces_;
  uint16_t machine_ = 0, type_ = 0;
  std::vector<Section> sections_;
  std::vector<Segment> segments_;
};

}  // namespace octagon::elf
