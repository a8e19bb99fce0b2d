#include <octagon/elf/function_index.h>

#include <elf.h>

#include <algorithm>
#include <cstdint>

namespace octagon::elf {

FunctionIndex FunctionIndex::build(const ElfFile& file) {
  FunctionIndex out;
  file.for_each_symbol(ElfFile::kAnyTable, [&](const SymbolRef& s) {
    if (out.funcs_.size() >= kMaxFunctions) return false;
    if ((s.type != STT_FUNC && s.type != STT_GNU_IFUNC) || s.size == 0) return true;
    if (s.shndx >= SHN_LORESERVE || s.name.empty()) return true;  // SHN_ABS: no address
    std::optional<uint64_t> start = file.loaded_offset(s.value);
    if (!start) return true;
    std::string_view name = s.name.substr(0, kMaxNameBytes);
    if (out.names_.size() + name.size() > UINT32_MAX) return false;
    out.funcs_.push_back({*start, s.size, uint32_t(out.names_.size()), uint32_t(name.size())});
    out.names_.append(name);
    return true;
  });
  std::stable_sort(out.funcs_.begin(), out.funcs_.end(), [](const Func& a, const Func& b) {
    return a.start != b.start ? a.start < b.start : a.size > b.size;
  });
  // The same function is often in both tables: keep one entry per (start, size).
  auto same = [](const Func& a, const Func& b) { return a.start == b.start && a.size == b.size; };
  out.funcs_.erase(std::unique(out.funcs_.begin(), out.funcs_.end(), same), out.funcs_.end());
  out.funcs_.shrink_to_fit();
  return out;
}

std::string_view FunctionIndex::lookup(uint64_t file_offset) const {
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

}  // namespace octagon::elf
