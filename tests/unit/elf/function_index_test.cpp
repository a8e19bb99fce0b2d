// FunctionIndex (function by file offset, for user stack frames) and what it is built on:
// ElfFile::read (pread, no mapping), for_each_symbol, loaded_offset; on this test binary,
// libc and hostile bytes.
#include <octagon/elf/elf_file.h>
#include <octagon/elf/function_index.h>

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <octagon/base/fd.h>

#include "test_helpers.h"

extern "C" __attribute__((noinline, used)) int octagon_function_index_probe(int x) {
  asm volatile("" ::: "memory");
  return x * 5 + 2;
}

namespace octagon::elf {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<ElfFile> read_path(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return make_error(errno, "open " + path);
  return ElfFile::read(fd.get(), path);
}

std::string target() { return std::string(OCTAGON_TESTPROGS_DIR) + "/uprobe_target"; }

std::string libc_path() {
  Dl_info info{};
  return dladdr(reinterpret_cast<void*>(&getpid), &info) ? info.dli_fname : "";
}

// File offset of a function of this process, from where the kernel mapped it.
uint64_t mapped_file_offset(const void* fn) {
  Dl_info info{};
  if (!dladdr(fn, &info)) return UINT64_MAX;
  auto addr = reinterpret_cast<uint64_t>(fn);
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    unsigned long long lo, hi, off;
    if (sscanf(line.c_str(), "%llx-%llx %*s %llx", &lo, &hi, &off) == 3 && addr >= lo && addr < hi)
      return off + (addr - lo);
  }
  return UINT64_MAX;
}

TEST(FunctionIndex, NamesFunctionsOfThisBinaryAndLibcByFileOffset) {
  auto self = read_path("/proc/self/exe");
  ASSERT_OK(self);
  FunctionIndex index = FunctionIndex::build(*self);
  EXPECT_GT(index.size(), 100u);
  EXPECT_GT(index.memory_bytes(), index.size());
  uint64_t off = mapped_file_offset(reinterpret_cast<void*>(&octagon_function_index_probe));
  ASSERT_NE(off, UINT64_MAX);
  EXPECT_EQ(index.lookup(off), "octagon_function_index_probe");
  EXPECT_EQ(index.lookup(off + 1), "octagon_function_index_probe");  // inside it
  EXPECT_EQ(index.lookup(0), "");                                   // the ELF header
  EXPECT_EQ(octagon_function_index_probe(1), 7);

  auto libc = read_path(libc_path());  // .dynsym only
  ASSERT_OK(libc);
  FunctionIndex libc_index = FunctionIndex::build(*libc);
  off = mapped_file_offset(reinterpret_cast<void*>(&getpid));
  EXPECT_NE(std::string(libc_index.lookup(off)).find("getpid"), std::string::npos)
      << libc_index.lookup(off);
}

// The segment translation FunctionIndex uses gives, for every function of real binaries, the
// offset their section headers give (what the symbolizer computed before it used ElfFile).
TEST(FunctionIndex, SegmentOffsetsEqualSectionOffsets) {
  for (const std::string& path : {target(), libc_path()}) {
    std::string bytes = slurp(path);
    auto f = ElfFile::parse(bytes, path);
    ASSERT_OK(f);
    Elf64_Ehdr eh;
    memcpy(&eh, bytes.data(), sizeof eh);
    size_t checked = 0;
    f->for_each_symbol(ElfFile::kAnyTable, [&](const SymbolRef& s) {
      if (s.type != STT_FUNC || s.size == 0 || s.shndx >= eh.e_shnum) return true;
      Elf64_Shdr sh;
      memcpy(&sh, bytes.data() + eh.e_shoff + s.shndx * sizeof sh, sizeof sh);
      auto off = f->loaded_offset(s.value);
      EXPECT_TRUE(off) << s.name;
      if (off) {
        EXPECT_EQ(*off, s.value - sh.sh_addr + sh.sh_offset) << s.name;
      }
      checked++;
      return true;
    });
    EXPECT_GT(checked, 3u) << path;
    EXPECT_FALSE(f->loaded_offset(0x7fff00000000));
  }
}

TEST(ElfFile, ReadGivesWhatOpenGives) {
  auto mapped = ElfFile::open(target());
  auto read = read_path(target());
  ASSERT_OK(mapped);
  ASSERT_OK(read);
  auto count = [](const ElfFile& f, uint32_t table) {
    size_t n = 0;
    f.for_each_symbol(table, [&](const SymbolRef&) { return ++n > 0; });
    return n;
  };
  size_t symtab = count(*mapped, SHT_SYMTAB), dynsym = count(*mapped, SHT_DYNSYM);
  EXPECT_GT(symtab, 0u);
  EXPECT_GT(dynsym, 0u);
  EXPECT_EQ(count(*mapped, ElfFile::kAnyTable), symtab + dynsym);
  EXPECT_EQ(count(*read, ElfFile::kAnyTable), symtab + dynsym);
  size_t seen = 0;  // fn returning false stops the walk
  read->for_each_symbol(ElfFile::kAnyTable, [&](const SymbolRef&) { return ++seen < 3; });
  EXPECT_EQ(seen, 3u);
  auto a = mapped->symbol_offset("main"), b = read->symbol_offset("main");
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(read->usdt_notes().size(), mapped->usdt_notes().size());
  EXPECT_EQ(read->usdt_notes().size(), 4u);
  EXPECT_ERR(ElfFile::read(-1, "bad fd"), EBADF, "stat bad fd");
}

TEST(ElfFile, ExtendedSectionNumbering) {
  std::string bytes = slurp(target());
  Elf64_Ehdr eh;
  memcpy(&eh, bytes.data(), sizeof eh);
  uint64_t count = eh.e_shnum;  // moved into section 0's sh_size, as for >= SHN_LORESERVE
  memcpy(bytes.data() + eh.e_shoff + offsetof(Elf64_Shdr, sh_size), &count, sizeof count);
  eh.e_shnum = 0;
  memcpy(bytes.data(), &eh, sizeof eh);
  auto f = ElfFile::parse(bytes, "extended");
  ASSERT_OK(f);
  EXPECT_TRUE(f->find_symbol("main"));
}

// Files from traced processes are untrusted: broken ones give errors or empty indexes, never
// crashes or reads out of bounds.
TEST(FunctionIndex, HostileFiles) {
  std::string dir = std::filesystem::temp_directory_path() / "octagon-elf-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir + "/" + name, std::ios::binary) << bytes;
    return dir + "/" + name;
  };
  EXPECT_ERR(read_path(write("empty", "")), ENOEXEC, "is not an ELF file");
  EXPECT_ERR(read_path(write("text", "#!/bin/sh\necho hi\n")), ENOEXEC, "is not an ELF file");
  std::string self = slurp(target());
  std::string head = self.substr(0, 64);  // section table past the end of the file
  EXPECT_ERR(read_path(write("truncated", head)), ENOEXEC, "past the end of the file");
  std::string bad = head;  // section count huge, entries garbage
  uint64_t shoff = 64;
  memcpy(bad.data() + 0x28, &shoff, 8);
  bad.append(4096, '\xff');
  if (auto r = read_path(write("garbage", bad)); r) {
    EXPECT_EQ(FunctionIndex::build(*r).lookup(0x100), "");
  }
  for (size_t n : {size_t(200), size_t(5000), self.size() / 2, self.size() - 100}) {
    if (auto r = read_path(write("prefix", self.substr(0, n))); r)
      (void)FunctionIndex::build(*r).lookup(0x1000);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace octagon::elf
