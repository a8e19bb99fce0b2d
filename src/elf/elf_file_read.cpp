// ElfFile::read: the pieces of a file that ElfFile parses, read with pread instead of mapped.
#include <octagon/elf/elf_file.h>

#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>

namespace octagon::elf {
namespace {

// Reads [off, off+len) of `fd` into `out`; false (errno set, 0 at the end of the file) if not all.
bool pread_all(int fd, uint64_t off, std::string& out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = pread(fd, out.data() + done, out.size() - done, off_t(off + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = 0;
      return false;
    }
    done += size_t(n);
  }
  return true;
}

}  // namespace

Result<ElfFile> ElfFile::read(int fd, std::string name) {
  struct stat st;
  if (fstat(fd, &st) != 0) return make_error(errno, "stat " + name);
  if (!S_ISREG(st.st_mode)) return make_error(ENOEXEC, name + " is not a regular file");
  const uint64_t file_size = uint64_t(st.st_size);
  auto store = std::make_shared<std::deque<std::string>>();  // elements never move
  ElfFile f;
  f.name_ = std::move(name);
  f.keep_ = store;
  int read_errno = 0;
  auto fetch = [&](uint64_t off, uint64_t len) -> std::string_view {
    if (len == 0) return {};
    if (std::string_view have = f.bytes(off, len); have.size() == len) return have;
    if (off > file_size || len > file_size - off || len > kMaxTableBytes) return {};
    std::string& piece = store->emplace_back(size_t(len), '\0');
    if (!pread_all(fd, off, piece)) {
      if (errno) read_errno = errno;
      store->pop_back();
      return {};
    }
    f.pieces_.push_back({off, piece});
    return piece;
  };
  if (auto loaded = f.load_headers(fetch); !loaded) {
    if (read_errno) return make_error(read_errno, "read " + f.name_);
    return make_error(loaded.error());
  }
  // What for_each_symbol and usdt_notes read: the symbol tables, their strings, the notes.
  for (const Section& s : f.sections_) {
    if (s.type == SHT_NOTE) fetch(s.offset, s.size);
    if (s.type != SHT_SYMTAB && s.type != SHT_DYNSYM) continue;
    fetch(s.offset, s.size);
    if (s.link < f.sections_.size()) fetch(f.sections_[s.link].offset, f.sections_[s.link].size);
  }
  if (read_errno) return make_error(read_errno, "read " + f.name_);
  return f;
}

}  // namespace octagon::elf
