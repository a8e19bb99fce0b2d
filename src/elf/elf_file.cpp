#include <octagon/elf/elf_file.h>

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <octagon/base/fd.h>

namespace octagon::elf {
namespace {

constexpr uint32_t kStapsdtNoteType = 3;  // NT_STAPSDT in <sys/sdt.h>
constexpr uint64_t kMaxSections = 1u << 20;

template <typename T>
bool read_at(std::string_view data, uint64_t off, T& out) {
  if (off > data.size() || data.size() - off < sizeof(T)) return false;
  memcpy(&out, data.data() + off, sizeof(T));
  return true;
}

// The NUL-terminated string at `off` of `table` ("" when out of range or unterminated).
std::string_view cstring_at(std::string_view table, uint64_t off) {
  if (off >= table.size()) return {};
  std::string_view rest = table.substr(off);
  size_t end = rest.find('\0');
  return end == std::string_view::npos ? std::string_view() : rest.substr(0, end);
}

uint64_t align4(uint64_t v) { return (v + 3) & ~uint64_t{3}; }

}  // namespace

ElfFile::Mapping::~Mapping() {
  if (addr) munmap(addr, len);
}

Result<ElfFile> ElfFile::open(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return make_error(errno, "open " + path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return make_error(errno, "stat " + path);
  if (!S_ISREG(st.st_mode)) return make_error(ENOEXEC, path + " is not a regular file");
  auto map = std::make_shared<Mapping>();
  if (st.st_size > 0) {
    void* p = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (p == MAP_FAILED) return make_error(errno, "map " + path);
    map->addr = p;
    map->len = size_t(st.st_size);
  }
  std::string_view data(static_cast<const char*>(map->addr), map->len);
  return whole(data, std::move(map), path);
}

Result<ElfFile> ElfFile::parse(std::string bytes, std::string name) {
  auto owned = std::make_shared<const std::string>(std::move(bytes));
  std::string_view data = *owned;
  return whole(data, std::move(owned), std::move(name));
}

Result<ElfFile> ElfFile::whole(std::string_view data, std::shared_ptr<const void> keep,
                               std::string name) {
  ElfFile f;
  f.name_ = std::move(name);
  f.keep_ = std::move(keep);
  f.pieces_.push_back({0, data});
  OCTAGON_TRY(f.load_headers([&f](uint64_t off, uint64_t len) { return f.bytes(off, len); }));
  return f;
}

std::string_view ElfFile::bytes(uint64_t off, uint64_t len) const {
  for (const Piece& p : pieces_) {
    if (off < p.offset) continue;
    uint64_t rel = off - p.offset;
    if (rel <= p.data.size() && p.data.size() - rel >= len) return p.data.substr(rel, len);
  }
  return {};
}

Result<void> ElfFile::load_headers(const Fetch& fetch) {
  Elf64_Ehdr eh;
  if (!read_at(fetch(0, sizeof eh), 0, eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
    return make_error(ENOEXEC, name_ + " is not an ELF file");
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
    return make_error(ENOEXEC, name_ + " is not a 64-bit little-endian ELF file");
  machine_ = eh.e_machine;
  type_ = eh.e_type;
  if (eh.e_phnum && eh.e_phentsize < sizeof(Elf64_Phdr))
    return make_error(ENOEXEC, name_ + ": bad program header size");
  std::string_view phdrs = fetch(eh.e_phoff, uint64_t(eh.e_phnum) * eh.e_phentsize);
  for (uint32_t i = 0; i < eh.e_phnum; i++) {
    Elf64_Phdr ph;
    if (!read_at(phdrs, uint64_t(i) * eh.e_phentsize, ph))
      return make_error(ENOEXEC, name_ + ": program headers past the end of the file");
    segments_.push_back({ph.p_type, ph.p_flags, ph.p_vaddr, ph.p_offset, ph.p_filesz, ph.p_memsz});
  }
  if (eh.e_shoff == 0) return ok();
  uint64_t shnum = eh.e_shnum;
  Elf64_Shdr first;
  if (shnum == 0 && eh.e_shentsize >= sizeof first &&
      read_at(fetch(eh.e_shoff, sizeof first), 0, first))
    shnum = first.sh_size;  // extended numbering: the count is in section 0
  if (shnum == 0) return ok();
  if (eh.e_shentsize < sizeof(Elf64_Shdr))
    return make_error(ENOEXEC, name_ + ": bad section header size");
  if (shnum > kMaxSections) return make_error(ENOEXEC, name_ + ": too many sections");
  std::string_view shdrs = fetch(eh.e_shoff, shnum * eh.e_shentsize);
  if (shdrs.empty())
    return make_error(ENOEXEC, name_ + ": section headers past the end of the file");
  std::vector<Elf64_Shdr> raw(shnum);
  for (uint32_t i = 0; i < shnum; i++)
    if (!read_at(shdrs, uint64_t(i) * eh.e_shentsize, raw[i]))
      return make_error(ENOEXEC, name_ + ": section headers past the end of the file");
  std::string_view names;
  if (eh.e_shstrndx < raw.size())
    names = fetch(raw[eh.e_shstrndx].sh_offset, raw[eh.e_shstrndx].sh_size);
  for (const Elf64_Shdr& sh : raw) {
    Section s;
    s.name = std::string(cstring_at(names, sh.sh_name));
    s.type = sh.sh_type;
    s.addr = sh.sh_addr;
    s.offset = sh.sh_offset;
    s.size = sh.sh_type == SHT_NOBITS ? 0 : sh.sh_size;
    s.entsize = sh.sh_entsize;
    s.link = sh.sh_link;
    sections_.push_back(std::move(s));
  }
  return ok();
}

const ElfFile::Section* ElfFile::section(std::string_view name) const {
  for (const Section& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

void ElfFile::for_each_symbol(uint32_t table,
                              const std::function<bool(const SymbolRef&)>& fn) const {
  for (const Section& s : sections_) {
    if (table == kAnyTable ? s.type != SHT_SYMTAB && s.type != SHT_DYNSYM : s.type != table)
      continue;
    if (s.entsize < sizeof(Elf64_Sym) || s.link >= sections_.size()) continue;
    const Section& strtab = sections_[s.link];
    std::string_view strings = bytes(strtab.offset, strtab.size);
    std::string_view symbols = bytes(s.offset, s.size);
    for (uint64_t off = 0; off + sizeof(Elf64_Sym) <= symbols.size(); off += s.entsize) {
      Elf64_Sym sym;
      read_at(symbols, off, sym);
      if (sym.st_shndx == SHN_UNDEF) continue;
      SymbolRef ref{cstring_at(strings, sym.st_name), sym.st_value, sym.st_size,
                    uint8_t(ELF64_ST_TYPE(sym.st_info)), sym.st_shndx};
      if (!fn(ref)) return;
    }
  }
}

std::optional<Symbol> ElfFile::find_symbol(std::string_view name) const {
  for (uint32_t table : {SHT_SYMTAB, SHT_DYNSYM}) {
    std::optional<Symbol> found;
    for_each_symbol(table, [&](const SymbolRef& s) {
      if (s.name != name) return true;
      if (s.type != STT_FUNC && s.type != STT_GNU_IFUNC && s.type != STT_OBJECT &&
          s.type != STT_NOTYPE)
        return true;
      found = Symbol{std::string(name), s.value, s.size, s.type};
      return false;
    });
    if (found) return found;
  }
  return std::nullopt;
}

std::optional<uint64_t> ElfFile::loaded_offset(uint64_t addr) const {
  for (const Segment& seg : segments_) {
    if (seg.type != PT_LOAD || addr < seg.vaddr || addr - seg.vaddr >= seg.filesz) continue;
    return seg.offset + (addr - seg.vaddr);
  }
  return std::nullopt;
}

Result<uint64_t> ElfFile::address_to_offset(uint64_t addr) const {
  if (auto off = loaded_offset(addr)) return *off;
  char hex[32];
  snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(addr));
  return make_error(ERANGE, std::string("address ") + hex + " is in no loadable segment of " + name_);
}

Result<uint64_t> ElfFile::symbol_offset(std::string_view name) const {
  auto sym = find_symbol(name);
  if (!sym) return make_error(ENOENT, "no symbol " + std::string(name) + " in " + name_);
  auto off = address_to_offset(sym->value);
  if (!off) return make_error(off.error().wrap("symbol " + std::string(name)));
  return *off;
}

std::vector<UsdtNote> ElfFile::usdt_notes() const {
  std::vector<UsdtNote> out;
  const Section* base = section(".stapsdt.base");
  for (const Section& s : sections_) {
    if (s.type != SHT_NOTE || s.name != ".note.stapsdt") continue;
    std::string_view notes = bytes(s.offset, s.size);
    uint64_t off = 0;
    Elf64_Nhdr nh;
    while (read_at(notes, off, nh)) {
      uint64_t name_off = off + sizeof(nh);
      uint64_t desc_off = name_off + align4(nh.n_namesz);
      uint64_t next = desc_off + align4(nh.n_descsz);
      if (next > notes.size() || next <= off) break;
      off = next;
      std::string_view owner = notes.substr(name_off, nh.n_namesz);
      if (nh.n_type != kStapsdtNoteType || owner != std::string_view("stapsdt\0", 8)) continue;
      std::string_view desc = notes.substr(desc_off, nh.n_descsz);
      uint64_t pc = 0, note_base = 0, sema = 0;
      if (!read_at(desc, 0, pc) || !read_at(desc, 8, note_base) || !read_at(desc, 16, sema)) continue;
      std::string_view strings = desc.substr(24);
      UsdtNote n;
      n.provider = std::string(cstring_at(strings, 0));
      n.name = std::string(cstring_at(strings, n.provider.size() + 1));
      n.args = std::string(cstring_at(strings, n.provider.size() + n.name.size() + 2));
      // Prelinked files moved .stapsdt.base after the notes were written: shift by as much.
      n.pc = base && note_base ? pc + (base->addr - note_base) : pc;
      n.semaphore = sema;
      out.push_back(std::move(n));
    }
  }
  return out;
}

}  // namespace octagon::elf
