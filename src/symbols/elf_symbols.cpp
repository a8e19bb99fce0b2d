#include <octagon/symbols/elf_symbols.h>

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <octagon/base/fd.h>

namespace octagon::symbols {
namespace {

constexpr uint64_t kMaxTableBytes = 512ull << 20; // one symbol or string table
constexpr size_t kMaxNameBytes = 4096;

Result<void> read_at(int fd, uint64_t file_size, uint64_t off, size_t len, void* out) {
  if (off > file_size || len > file_size - off)
    return make_error(EBADMSG, "ELF table outside the file");
  auto* p = static_cast<char*>(out);
  while (len) {
    ssize_t n = pread(fd, p, len, off_t(off));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return make_error(n < 0 ? errno : EBADMSG, "read ELF file");
    p += n;
    off += uint64_t(n);
    len -= size_t(n);
  }
  return ok();
}

Result<std::string> read_section(int fd, uint64_t file_size, const Elf64_Shdr& sh) {
  if (sh.sh_type == SHT_NOBITS)
    return std::string();
  if (sh.sh_size > kMaxTableBytes)
    return make_error(EFBIG, "ELF table too large");
  std::string out(size_t(sh.sh_size), '\0');
  OCTAGON_TRY(read_at(fd, file_size, sh.sh_offset, out.size(), out.data()));
  return out;
}

} // namespace

Result<ElfSymbols> ElfSymbols::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return make_error(errno, "open " + path);
  Fd owned(fd);
  auto r = read(fd);
  if (!r)
    return make_error(r.error().wrap(path));
  return r;
}

Result<ElfSymbols> ElfSymbols::read(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0)
    return make_error(errno, "stat ELF file");
  const uint64_t size = uint64_t(st.st_size);
  Elf64_Ehdr eh;
  OCTAGON_TRY(read_at(fd, size, 0, sizeof eh, &eh));
  if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
    return make_error(ENOEXEC, "not an ELF file");
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
    return make_error(ENOEXEC, "not a little-endian ELF64 file");
  if (eh.e_shoff == 0)
    return ElfSymbols{};
  if (eh.e_shentsize != sizeof(Elf64_Shdr))
    return make_error(EBADMSG, "odd ELF section header size");
  uint64_t shnum = eh.e_shnum;
  if (shnum == 0) { // extended numbering: the count is in section 0
    Elf64_Shdr first;
    OCTAGON_TRY(read_at(fd, size, eh.e_shoff, sizeof first, &first));
    shnum = first.sh_size;
  }
  if (shnum > 1u << 20)
    return make_error(EBADMSG, "too many ELF sections");
  std::vector<Elf64_Shdr> sh(shnum);
  OCTAGON_TRY(read_at(fd, size, eh.e_shoff, sh.size() * sizeof(Elf64_Shdr), sh.data()));

  ElfSymbols out;
  for (const Elf64_Shdr& table : sh) {
    if (table.sh_type != SHT_SYMTAB && table.sh_type != SHT_DYNSYM)
      continue;
    if (table.sh_entsize != sizeof(Elf64_Sym) || table.sh_link >= shnum)
      continue;
    const Elf64_Shdr& strtab = sh[table.sh_link];
    if (strtab.sh_type != SHT_STRTAB)
      continue;
    OCTAGON_ASSIGN_OR_RETURN(std::string syms, read_section(fd, size, table));
    OCTAGON_ASSIGN_OR_RETURN(std::string strs, read_section(fd, size, strtab));
    size_t n = syms.size() / sizeof(Elf64_Sym);
    for (size_t i = 0; i < n && out.funcs_.size() < kMaxSymbols; i++) {
      Elf64_Sym s;
      memcpy(&s, syms.data() + i * sizeof s, sizeof s);
      unsigned type = ELF64_ST_TYPE(s.st_info);
      if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s.st_size == 0)
        continue;
      if (s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE || s.st_shndx >= shnum)
        continue;
      const Elf64_Shdr& code = sh[s.st_shndx];
      if (code.sh_type == SHT_NOBITS || s.st_value < code.sh_addr)
        continue;
      if (s.st_name >= strs.size())
        continue;
      const char* name = strs.data() + s.st_name;
      size_t len = strnlen(name, std::min(strs.size() - s.st_name, kMaxNameBytes));
      if (len == 0)
        continue;
      Func f;
      f.start = s.st_value - code.sh_addr + code.sh_offset;
      f.size = s.st_size;
      f.name_off = uint32_t(out.names_.size());
      f.name_len = uint32_t(len);
      if (out.names_.size() + len > UINT32_MAX)
        break;
      out.names_.append(name, len);
      out.funcs_.push_back(f);
    }
  }
  std::stable_sort(out.funcs_.begin(), out.funcs_.end(), [](const Func& a, const Func& b) {
    return a.start != b.start ? a.start < b.start : a.size > b.size;
  });
  // The same function is often in both tables: keep one entry per (start, size).
  out.funcs_.erase(std::unique(out.funcs_.begin(), out.funcs_.end(),
                               [](const Func& a, const Func& b) {
                                 return a.start == b.start && a.size == b.size;
                               }),
                   out.funcs_.end());
  out.funcs_.shrink_to_fit();
  return out;
}

std::string_view ElfSymbols::lookup(uint64_t file_offset) const {
  auto it = std::upper_bound(funcs_.begin(), funcs_.end(), file_offset,
                             [](uint64_t off, const Func& f) { return off < f.start; });
  // The closest start below may be a small function nested in a larger one: look a few back.
  for (int back = 0; back < 8 && it != funcs_.begin(); back++) {
    --it;
    if (file_offset - it->start < it->size)
      return std::string_view(names_).substr(it->name_off, it->name_len);
  }
  return {};
}

} // namespace octagon::symbols
