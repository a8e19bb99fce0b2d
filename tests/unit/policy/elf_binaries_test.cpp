// ElfBinaryFacts on the real test program: USDT sites as file offsets, and a binary replaced
// under the same path is read again (the cached file is not reused).
#include <octagon/elf/elf_file.h>
#include <octagon/policy/kernel/elf_binaries.h>

#include <unistd.h>

#include <filesystem>

#include "test_helpers.h"

namespace octagon::policy::kernel {
namespace {

namespace fs = std::filesystem;

std::string target() { return std::string(OCTAGON_TESTPROGS_DIR) + "/uprobe_target"; }

TEST(ElfBinaryFacts, UsdtSitesAreFileOffsets) {
  ElfBinaryFacts facts;
  auto probes = facts.usdt_probes(target());
  ASSERT_OK(probes);
  ASSERT_EQ(probes->size(), 4u);
  auto elf = elf::ElfFile::open(target());
  ASSERT_OK(elf);
  for (const UsdtProbe& p : *probes) {
    auto sema = elf->find_symbol(p.provider + "_" + p.name + "_semaphore");
    ASSERT_TRUE(sema);
    EXPECT_EQ(p.semaphore_offset, *elf->address_to_offset(sema->value));
    EXPECT_NE(p.offset, 0u);
  }
  EXPECT_OK(facts.check_binary(target()));
  EXPECT_ERR(facts.check_binary("/nonexistent/bin"), ENOENT, "open /nonexistent/bin");
  EXPECT_ERR(facts.check_binary("/etc/hostname"), ENOEXEC, "not an ELF file");
}

TEST(ElfBinaryFacts, ReplacedBinaryIsReadAgain) {
  std::string dir = fs::temp_directory_path() / ("octagon-elfbin-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string path = dir + "/app";
  fs::copy_file(target(), path);
  ElfBinaryFacts facts;
  EXPECT_OK(facts.symbol_offset(path, "octagon_uprobe_target"));
  EXPECT_ERR(facts.symbol_offset(path, "octagon_elf_test_function"), ENOENT, "no symbol");
  // An upgrade: a different binary renamed over the path.
  fs::copy_file("/proc/self/exe", dir + "/new");
  fs::rename(dir + "/new", path);
  EXPECT_OK(facts.symbol_offset(path, "octagon_elf_test_function"));
  EXPECT_ERR(facts.symbol_offset(path, "octagon_uprobe_target"), ENOENT, "no symbol");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace octagon::policy::kernel
