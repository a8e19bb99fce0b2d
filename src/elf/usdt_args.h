// The argument spec of a stapsdt note (x86_64), e.g. "-4@%edi 8@-8(%rbp) 4@$5": per argument
// its size and signedness (N@ or -N@) and where the value is when the probe fires: in a
// register, in user memory at register + displacement, or a constant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <octagon/base/result.h>

namespace octagon::elf {

struct UsdtArg {
  enum class Kind { kRegister, kMemory, kConstant };
  Kind kind = Kind::kRegister;
  uint8_t size = 8;         // bytes: 1, 2, 4 or 8
  bool is_signed = false;
  std::string reg;          // as written, without '%' ("edi"); "" for constants
  uint16_t regs_offset = 0; // offset of the register's 64-bit slot in x86_64 struct pt_regs
  int64_t value = 0;        // kMemory: displacement; kConstant: the value
  std::string text;         // the argument as written
};

// Parses a whole spec (space separated); an unsupported form (index registers, symbol-relative
// %rip addressing, high-byte registers) is an error naming the argument.
Result<std::vector<UsdtArg>> parse_usdt_args(std::string_view spec);

// Offset of `reg` (any width: "rdi", "edi", "di", "dil", "r8d"...) in x86_64 struct pt_regs.
std::optional<uint16_t> x86_pt_regs_offset(std::string_view reg);

}  // namespace octagon::elf
