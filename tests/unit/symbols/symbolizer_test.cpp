// The symbolizer without root: kallsyms parsing from a fixture, maps parsing, and user frames
// of this very process (the ELF side, elf::FunctionIndex, is tested in tests/unit/elf).
#include <octagon/symbols/symbolizer.h>

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>

namespace {

std::string fixture(const std::string& name) {
  return std::string(OCTAGON_SOURCE_DIR) + "/tests/fixtures/symbols/" + name;
}

} // namespace

// Looked up by its run-time address below; noinline and extern "C" so the name is plain.
extern "C" __attribute__((noinline)) int octagon_symbolizer_probe(int x) {
  asm volatile("" ::: "memory");
  return x * 3 + 1;
}

namespace octagon::symbols {
namespace {

TEST(KernelSymbols, ParsesTextSymbolsWithModules) {
  auto k = KernelSymbols::load(fixture("kallsyms"));
  ASSERT_TRUE(k) << k.error().describe();
  EXPECT_EQ(k->size(), 9u); // A/D symbols, zero addresses and junk lines are left out

  auto s = k->lookup(0xffffffff81002010ull);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "do_syscall_64");
  EXPECT_EQ(s->offset, 0x10u);
  EXPECT_EQ(s->module, "");

  s = k->lookup(0xffffffff81003500ull); // past the data symbol: still the weak function
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "weak_helper");
  EXPECT_EQ(s->offset, 0x1100u);

  s = k->lookup(0xffffffffc0a01804ull);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "mod_exported");
  EXPECT_EQ(s->module, "xfs");
  EXPECT_EQ(s->offset, 4u);

  s = k->lookup(0xffffffffc0b00001ull);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->module, "nf_tables");

  EXPECT_FALSE(k->lookup(0xffffffff80ffffffull)); // below the first symbol
  s = k->lookup(0xffffffff81000000ull);           // two names at one address: the first
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "_stext");
}

TEST(KernelSymbols, ZeroAddressesMeanNoAccess) {
  auto k = KernelSymbols::parse("0000000000000000 T _stext\n0000000000000000 t do_syscall_64\n");
  ASSERT_FALSE(k);
  EXPECT_NE(k.error().message().find("not root"), std::string::npos);
}

TEST(ProcMaps, ParsesLines) {
  auto maps = parse_maps(
      "7f0000001000-7f0000003000 r-xp 00028000 08:01 1234                       "
      "/usr/lib/libc.so.6\n"
      "55d000000000-55d000001000 r--p 00000000 08:01 99 /tmp/a b (deleted)\n"
      "7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]\n"
      "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \n"
      "garbage\n");
  ASSERT_EQ(maps.size(), 4u);
  EXPECT_EQ(maps[0].path, "/tmp/a b");
  EXPECT_TRUE(maps[0].deleted);
  const Mapping* m = find_mapping(maps, 0x7f0000002abcull);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->path, "/usr/lib/libc.so.6");
  EXPECT_EQ(m->offset, 0x28000u);
  EXPECT_EQ(find_mapping(maps, 0x7f0000003000ull), nullptr); // end is exclusive
  EXPECT_EQ(find_mapping(maps, 0x1000ull), nullptr);
  m = find_mapping(maps, 0x7f0000000010ull);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->path, "");
}

TEST(Symbolizer, UserFramesOfThisProcess) {
  Symbolizer sym;
  uint64_t addrs[] = {reinterpret_cast<uint64_t>(&octagon_symbolizer_probe) + 2,
                      reinterpret_cast<uint64_t>(&getpid), // libc (through the PLT or not)
                      0x10,                                // in no mapping: left out
                      0};
  std::vector<Frame> frames;
  sym.user(getpid(), addrs, frames);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].symbol, "octagon_symbolizer_probe");
  EXPECT_EQ(frames[0].address, addrs[0]);
  EXPECT_NE(frames[0].module.find("octagon_unit_tests"), std::string::npos) << frames[0].module;
  EXPECT_NE(frames[1].module.find("libc"), std::string::npos) << frames[1].module;
  EXPECT_NE(frames[1].symbol.find("getpid"), std::string::npos) << frames[1].symbol;
  EXPECT_EQ(sym.stats().user_unmapped, 1u);
  // A process that does not exist: nothing, counted.
  sym.user(0x7ffffff0, addrs, frames);
  EXPECT_TRUE(frames.empty());
  EXPECT_EQ(sym.stats().maps_errors, 1u);
}

TEST(Symbolizer, KernelFramesFromFixture) {
  Symbolizer::Options o;
  o.kallsyms = fixture("kallsyms");
  Symbolizer sym(o);
  uint64_t addrs[] = {0xffffffff81002040ull, 0xffffffffc0a01001ull, 0x1000ull};
  std::vector<Frame> frames;
  sym.kernel(addrs, frames);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].symbol, "do_syscall_64");
  EXPECT_EQ(frames[0].offset, 0x40u);
  EXPECT_EQ(frames[1].symbol, "mod_func");
  EXPECT_EQ(frames[1].module, "xfs");
  EXPECT_EQ(sym.stats().kernel_unresolved, 1u);
}

} // namespace
} // namespace octagon::symbols
