#include <octagon/elf/usdt_args.h>

#include <cerrno>
#include <charconv>

namespace octagon::elf {
namespace {

// x86_64 struct pt_regs (arch/x86/include/asm/ptrace.h): r15 r14 r13 r12 bp bx r11 r10 r9 r8
// ax cx dx si di orig_ax ip cs flags sp ss, 8 bytes each.
struct RegSlot {
  std::string_view names[4];  // 64, 32, 16, 8-bit spellings
  uint16_t offset;
};
constexpr RegSlot kRegs[] = {
    {{"r15", "r15d", "r15w", "r15b"}, 0},  {{"r14", "r14d", "r14w", "r14b"}, 8},
    {{"r13", "r13d", "r13w", "r13b"}, 16}, {{"r12", "r12d", "r12w", "r12b"}, 24},
    {{"rbp", "ebp", "bp", "bpl"}, 32},     {{"rbx", "ebx", "bx", "bl"}, 40},
    {{"r11", "r11d", "r11w", "r11b"}, 48}, {{"r10", "r10d", "r10w", "r10b"}, 56},
    {{"r9", "r9d", "r9w", "r9b"}, 64},     {{"r8", "r8d", "r8w", "r8b"}, 72},
    {{"rax", "eax", "ax", "al"}, 80},      {{"rcx", "ecx", "cx", "cl"}, 88},
    {{"rdx", "edx", "dx", "dl"}, 96},      {{"rsi", "esi", "si", "sil"}, 104},
    {{"rdi", "edi", "di", "dil"}, 112},    {{"rip", "eip", "ip", ""}, 128},
    {{"rsp", "esp", "sp", "spl"}, 152},
};

std::optional<int64_t> parse_number(std::string_view s) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg || (!s.empty() && s[0] == '+')) s.remove_prefix(1);
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  uint64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
}

Result<UsdtArg> parse_one(std::string_view text) {
  UsdtArg a;
  a.text = std::string(text);
  auto bad = [&](const std::string& why) {
    return make_error(ENOTSUP, "USDT argument '" + a.text + "': " + why);
  };
  size_t at = text.find('@');
  if (at == std::string_view::npos) return bad("no size@ prefix (old SDT note format)");
  auto size = parse_number(text.substr(0, at));
  if (!size || (*size != 1 && *size != 2 && *size != 4 && *size != 8 && *size != -1 &&
                *size != -2 && *size != -4 && *size != -8))
    return bad("size must be 1, 2, 4 or 8 (negative when signed)");
  a.is_signed = *size < 0;
  a.size = uint8_t(*size < 0 ? -*size : *size);
  std::string_view op = text.substr(at + 1);
  auto reg = [&](std::string_view r) -> Result<void> {
    if (r.empty() || r[0] != '%') return bad("expected a register");
    r.remove_prefix(1);
    auto off = x86_pt_regs_offset(r);
    if (!off) return bad("unsupported register %" + std::string(r));
    a.reg = std::string(r);
    a.regs_offset = *off;
    return ok();
  };
  if (!op.empty() && op[0] == '$') {
    auto v = parse_number(op.substr(1));
    if (!v) return bad("constant is not a number (symbol addresses are not supported)");
    a.kind = UsdtArg::Kind::kConstant;
    a.value = *v;
    return a;
  }
  if (!op.empty() && op[0] == '%') {
    OCTAGON_TRY(reg(op));
    a.kind = UsdtArg::Kind::kRegister;
    return a;
  }
  size_t open = op.find('('), close = op.rfind(')');
  if (open == std::string_view::npos || close != op.size() - 1 || close < open)
    return bad("unsupported operand");
  std::string_view inner = op.substr(open + 1, close - open - 1);
  if (inner.find(',') != std::string_view::npos) return bad("indexed addressing is not supported");
  std::string_view disp = op.substr(0, open);
  if (!disp.empty()) {
    auto d = parse_number(disp);
    if (!d) return bad("symbol-relative addresses are not supported");
    a.value = *d;
  }
  OCTAGON_TRY(reg(inner));
  if (a.regs_offset == 128) return bad("%rip-relative addresses are not supported");
  a.kind = UsdtArg::Kind::kMemory;
  return a;
}

}  // namespace

std::optional<uint16_t> x86_pt_regs_offset(std::string_view reg) {
  if (reg.empty()) return std::nullopt;
  for (const RegSlot& r : kRegs)
    for (std::string_view n : r.names)
      if (!n.empty() && n == reg) return r.offset;
  return std::nullopt;
}

Result<std::vector<UsdtArg>> parse_usdt_args(std::string_view spec) {
  std::vector<UsdtArg> out;
  size_t i = 0;
  while (i < spec.size()) {
    while (i < spec.size() && spec[i] == ' ') i++;
    size_t end = spec.find(' ', i);
    if (end == std::string_view::npos) end = spec.size();
    if (end > i) {
      OCTAGON_ASSIGN_OR_RETURN(UsdtArg a, parse_one(spec.substr(i, end - i)));
      out.push_back(std::move(a));
    }
    i = end;
  }
  return out;
}

}  // namespace octagon::elf
