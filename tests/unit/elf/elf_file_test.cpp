// ElfFile on real binaries: this test executable (symbol offsets checked against where the
// kernel mapped the function) and tests/testprogs/uprobe_target (USDT notes from sys/sdt.h).
#include <octagon/elf/elf_file.h>
#include <octagon/elf/usdt_args.h>

#include <dlfcn.h>
#include <elf.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <fstream>
#include <sstream>

#include "test_helpers.h"

extern "C" __attribute__((noinline, used)) int octagon_elf_test_function(int x) {
  return x * 3 + 1;
}

namespace octagon::elf {
namespace {

std::string target() { return std::string(OCTAGON_TESTPROGS_DIR) + "/uprobe_target"; }

// File offset of `addr` from /proc/self/maps: the mapping's file offset + distance into it.
uint64_t mapped_file_offset(uintptr_t addr) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    uint64_t lo, hi, off;
    if (sscanf(line.c_str(), "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64, &lo, &hi, &off) == 3 &&
        addr >= lo && addr < hi)
      return off + (addr - lo);
  }
  return UINT64_MAX;
}

TEST(ElfFile, SymbolOffsetIsWhereTheKernelMapsTheFunction) {
  auto f = ElfFile::open("/proc/self/exe");
  ASSERT_OK(f);
  EXPECT_EQ(f->machine(), EM_X86_64);
  auto off = f->symbol_offset("octagon_elf_test_function");
  ASSERT_OK(off);
  uint64_t want = mapped_file_offset(reinterpret_cast<uintptr_t>(&octagon_elf_test_function));
  ASSERT_NE(want, UINT64_MAX);
  EXPECT_EQ(*off, want);
  auto sym = f->find_symbol("octagon_elf_test_function");
  ASSERT_TRUE(sym);
  EXPECT_EQ(sym->type, STT_FUNC);
  EXPECT_GT(sym->size, 0u);
}

TEST(ElfFile, DynamicSymbolsOfASharedLibrary) {
  Dl_info info{};
  ASSERT_NE(dladdr(reinterpret_cast<void*>(&fopen), &info), 0);
  auto f = ElfFile::open(info.dli_fname);  // libc: .dynsym only (stripped .symtab)
  ASSERT_OK(f);
  EXPECT_EQ(f->type(), ET_DYN);
  auto off = f->symbol_offset("fopen");
  ASSERT_OK(off);
  EXPECT_EQ(*off, mapped_file_offset(reinterpret_cast<uintptr_t>(&fopen)));
}

TEST(ElfFile, MissingSymbolFileAndNonElfAreErrors) {
  auto f = ElfFile::open(target());
  ASSERT_OK(f);
  EXPECT_ERR(f->symbol_offset("no_such_function"), ENOENT, "no symbol no_such_function in .*uprobe_target");
  EXPECT_ERR(f->address_to_offset(0x7fff00000000), ERANGE, "address 0x7fff00000000 is in no loadable segment");
  EXPECT_ERR(ElfFile::open("/nonexistent/octagon"), ENOENT, "open /nonexistent/octagon");
  EXPECT_ERR(ElfFile::parse("#!/bin/sh\necho hi\n", "script"), ENOEXEC, "script is not an ELF file");
  EXPECT_ERR(ElfFile::open("/proc/self"), ENOEXEC, "not a regular file");
}

TEST(ElfFile, TruncatedAndCorruptFilesNeverReadOutOfBounds) {
  std::ifstream in(target(), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  ASSERT_GT(bytes.size(), 4096u);
  // Every prefix length around the headers, and a copy with garbage section offsets.
  for (size_t n : {size_t(4), size_t(63), size_t(64), size_t(200), size_t(1000), bytes.size() / 2}) {
    auto f = ElfFile::parse(bytes.substr(0, n), "prefix");
    if (f) {
      (void)f->usdt_notes();
      (void)f->find_symbol("main");
    }
  }
  std::string bad = bytes;
  Elf64_Ehdr eh;
  memcpy(&eh, bad.data(), sizeof eh);
  eh.e_shoff = bad.size() - 10;
  memcpy(bad.data(), &eh, sizeof eh);
  EXPECT_ERR(ElfFile::parse(bad, "bad"), ENOEXEC, "section headers past the end");
}

TEST(ElfFile, UsdtNotesOfTheTestProgram) {
  auto f = ElfFile::open(target());
  ASSERT_OK(f);
  std::vector<UsdtNote> notes = f->usdt_notes();
  ASSERT_EQ(notes.size(), 4u);
  std::map<std::string, UsdtNote> by_name;
  for (const UsdtNote& n : notes) by_name[n.provider + ":" + n.name] = n;
  ASSERT_EQ(by_name.count("octagon:args"), 1u);
  ASSERT_EQ(by_name.count("octagon:mem"), 1u);
  ASSERT_EQ(by_name.count("octagon:guarded"), 1u);
  ASSERT_EQ(by_name.count("test:usdt3"), 1u);
  // Semaphores are the <provider>_<name>_semaphore variables.
  for (const auto& [key, n] : by_name) {
    std::string var = n.provider + "_" + n.name + "_semaphore";
    auto sym = f->find_symbol(var);
    ASSERT_TRUE(sym) << var;
    EXPECT_EQ(n.semaphore, sym->value) << key;
    EXPECT_OK(f->address_to_offset(n.semaphore));
    EXPECT_OK(f->address_to_offset(n.pc));
  }
  // The compiler put octagon:mem's first argument on the stack and its second is the constant 42.
  auto mem = parse_usdt_args(by_name["octagon:mem"].args);
  ASSERT_OK(mem);
  ASSERT_EQ(mem->size(), 2u);
  EXPECT_EQ((*mem)[0].kind, UsdtArg::Kind::kMemory) << by_name["octagon:mem"].args;
  EXPECT_EQ((*mem)[1].kind, UsdtArg::Kind::kConstant);
  EXPECT_EQ((*mem)[1].value, 42);
  auto args = parse_usdt_args(by_name["octagon:args"].args);
  ASSERT_OK(args);
  ASSERT_EQ(args->size(), 3u);
  EXPECT_EQ((*args)[1].kind, UsdtArg::Kind::kRegister);
  EXPECT_EQ((*args)[1].size, 8);
}

}  // namespace
}  // namespace octagon::elf
