#include <octagon/policy/kernel/elf_binaries.h>

#include <elf.h>
#include <sys/stat.h>

#include <cerrno>

#include <octagon/elf/sha256.h>

namespace octagon::policy::kernel {

Result<const elf::ElfFile*> ElfBinaryFacts::load(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return make_error(errno, "open " + path);
  Identity id{uint64_t(st.st_dev), uint64_t(st.st_ino), uint64_t(st.st_size),
              int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  if (file_ && path_ == path && id_ == id) return file_.get();
  file_.reset();
  OCTAGON_ASSIGN_OR_RETURN(elf::ElfFile f, elf::ElfFile::open(path));
  if (f.machine() != EM_X86_64)
    return make_error(ENOEXEC, path + " is not an x86_64 binary (e_machine " + std::to_string(f.machine()) + ")");
  file_ = std::make_unique<elf::ElfFile>(std::move(f));
  path_ = path;
  id_ = id;
  return file_.get();
}

Result<void> ElfBinaryFacts::check_binary(const std::string& path) {
  OCTAGON_ASSIGN_OR_RETURN(const elf::ElfFile* f, load(path));
  (void)f;
  return ok();
}

Result<uint64_t> ElfBinaryFacts::symbol_offset(const std::string& path, const std::string& symbol) {
  OCTAGON_ASSIGN_OR_RETURN(const elf::ElfFile* f, load(path));
  return f->symbol_offset(symbol);
}

Result<uint64_t> ElfBinaryFacts::address_offset(const std::string& path, uint64_t addr) {
  OCTAGON_ASSIGN_OR_RETURN(const elf::ElfFile* f, load(path));
  return f->address_to_offset(addr);
}

Result<std::vector<UsdtProbe>> ElfBinaryFacts::usdt_probes(const std::string& path) {
  OCTAGON_ASSIGN_OR_RETURN(const elf::ElfFile* f, load(path));
  std::vector<UsdtProbe> out;
  for (const elf::UsdtNote& n : f->usdt_notes()) {
    UsdtProbe p{n.provider, n.name, 0, 0, n.args};
    OCTAGON_ASSIGN_OR_RETURN(p.offset, f->address_to_offset(n.pc));
    if (n.semaphore) {
      auto s = f->address_to_offset(n.semaphore);
      if (!s) return make_error(s.error().wrap("semaphore of " + n.provider + ":" + n.name));
      p.semaphore_offset = *s;
    }
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::string> ElfBinaryFacts::sha256_hex(const std::string& path) {
  return elf::sha256_file_hex(path);
}

}  // namespace octagon::policy::kernel
