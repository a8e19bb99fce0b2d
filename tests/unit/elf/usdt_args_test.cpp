// The stapsdt argument spec parser: every form gcc and clang emit on x86_64, and refusals.
#include <octagon/elf/usdt_args.h>

#include "test_helpers.h"

namespace octagon::elf {
namespace {

TEST(UsdtArgs, RegisterMemoryAndConstantForms) {
  auto r = parse_usdt_args("-4@%edi 8@-8(%rbp) 4@$5 -8@$-1 1@%al 2@(%rsp) 8@%r12 -4@%r9d 8@0x10(%rax)");
  ASSERT_OK(r);
  ASSERT_EQ(r->size(), 9u);
  const auto& a = *r;
  EXPECT_EQ(a[0].kind, UsdtArg::Kind::kRegister);
  EXPECT_EQ(a[0].size, 4);
  EXPECT_TRUE(a[0].is_signed);
  EXPECT_EQ(a[0].reg, "edi");
  EXPECT_EQ(a[0].regs_offset, 112);
  EXPECT_EQ(a[1].kind, UsdtArg::Kind::kMemory);
  EXPECT_FALSE(a[1].is_signed);
  EXPECT_EQ(a[1].regs_offset, 32);
  EXPECT_EQ(a[1].value, -8);
  EXPECT_EQ(a[2].kind, UsdtArg::Kind::kConstant);
  EXPECT_EQ(a[2].value, 5);
  EXPECT_EQ(a[3].value, -1);
  EXPECT_TRUE(a[3].is_signed);
  EXPECT_EQ(a[4].size, 1);
  EXPECT_EQ(a[4].regs_offset, 80);
  EXPECT_EQ(a[5].kind, UsdtArg::Kind::kMemory);
  EXPECT_EQ(a[5].value, 0);
  EXPECT_EQ(a[5].regs_offset, 152);
  EXPECT_EQ(a[6].regs_offset, 24);
  EXPECT_EQ(a[7].regs_offset, 64);
  EXPECT_EQ(a[8].value, 16);
  EXPECT_EQ(a[8].text, "8@0x10(%rax)");
}

TEST(UsdtArgs, EmptySpecHasNoArguments) {
  auto r = parse_usdt_args("");
  ASSERT_OK(r);
  EXPECT_TRUE(r->empty());
  r = parse_usdt_args("  ");
  ASSERT_OK(r);
  EXPECT_TRUE(r->empty());
}

TEST(UsdtArgs, UnsupportedFormsNameTheArgument) {
  EXPECT_ERR(parse_usdt_args("4@%edi 8@counter(%rip)"), ENOTSUP, "'8@counter\\(%rip\\)': symbol-relative");
  EXPECT_ERR(parse_usdt_args("8@8(%rip)"), ENOTSUP, "%rip-relative");
  EXPECT_ERR(parse_usdt_args("4@(%rax,%rbx,4)"), ENOTSUP, "indexed addressing");
  EXPECT_ERR(parse_usdt_args("%eax"), ENOTSUP, "no size@ prefix");
  EXPECT_ERR(parse_usdt_args("3@%eax"), ENOTSUP, "size must be 1, 2, 4 or 8");
  EXPECT_ERR(parse_usdt_args("1@%ah"), ENOTSUP, "unsupported register %ah");
  EXPECT_ERR(parse_usdt_args("4@$sym"), ENOTSUP, "constant is not a number");
  EXPECT_ERR(parse_usdt_args("4@edi"), ENOTSUP, "unsupported operand");
}

TEST(UsdtArgs, PtRegsOffsets) {
  EXPECT_EQ(x86_pt_regs_offset("rdi"), 112);
  EXPECT_EQ(x86_pt_regs_offset("dil"), 112);
  EXPECT_EQ(x86_pt_regs_offset("r15b"), 0);
  EXPECT_EQ(x86_pt_regs_offset("rsp"), 152);
  EXPECT_FALSE(x86_pt_regs_offset("xmm0"));
  EXPECT_FALSE(x86_pt_regs_offset(""));
}

}  // namespace
}  // namespace octagon::elf
