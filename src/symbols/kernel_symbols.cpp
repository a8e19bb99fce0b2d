#include <octagon/symbols/kernel_symbols.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace octagon::symbols {
namespace {

std::optional<uint64_t> parse_hex(std::string_view s) {
  if (s.empty() || s.size() > 16)
    return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return std::nullopt;
    v = (v << 4) | uint64_t(d);
  }
  return v;
}

// Splits off the next space/tab separated field of `line`.
std::string_view next_field(std::string_view& line) {
  size_t b = line.find_first_not_of(" \t");
  if (b == std::string_view::npos) {
    line = {};
    return {};
  }
  line.remove_prefix(b);
  size_t e = line.find_first_of(" \t");
  std::string_view f = line.substr(0, e);
  line.remove_prefix(e == std::string_view::npos ? line.size() : e);
  return f;
}

} // namespace

Result<KernelSymbols> KernelSymbols::parse(std::string_view text) {
  KernelSymbols k;
  std::unordered_map<std::string_view, uint32_t> module_at; // interned module names
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    // "ffffffff81000000 T _stext" or "ffffffffc0a01000 t foo\t[module]"
    auto addr = parse_hex(next_field(line));
    std::string_view type = next_field(line);
    std::string_view name = next_field(line);
    std::string_view module = next_field(line);
    if (!addr || *addr == 0 || type.size() != 1 || name.empty())
      continue;
    char t = type[0];
    if (t != 't' && t != 'T' && t != 'w' && t != 'W')
      continue;
    if (module.size() >= 2 && module.front() == '[' && module.back() == ']')
      module = module.substr(1, module.size() - 2);
    else
      module = {};
    Entry e{*addr, uint32_t(k.pool_.size()), uint32_t(name.size()), 0, 0};
    k.pool_.append(name);
    if (!module.empty()) {
      auto it = module_at.find(module);
      if (it == module_at.end()) {
        // Interned by a view into `text`, which outlives this loop.
        it = module_at.emplace(module, uint32_t(k.pool_.size())).first;
        k.pool_.append(module);
      }
      e.module_off = it->second;
      e.module_len = uint32_t(module.size());
    }
    k.syms_.push_back(e);
  }
  if (k.syms_.empty())
    return make_error(EPERM, "no kernel text symbols with addresses (not root, or kptr_restrict)");
  std::stable_sort(k.syms_.begin(), k.syms_.end(),
                   [](const Entry& a, const Entry& b) { return a.address < b.address; });
  return k;
}

Result<KernelSymbols> KernelSymbols::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error(errno ? errno : ENOENT, "open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto k = parse(ss.str());
  if (!k)
    return make_error(k.error().wrap(path));
  return k;
}

std::optional<KernelSymbol> KernelSymbols::lookup(uint64_t address) const {
  auto it = std::upper_bound(syms_.begin(), syms_.end(), address,
                             [](uint64_t a, const Entry& e) { return a < e.address; });
  if (it == syms_.begin())
    return std::nullopt;
  --it;
  while (it != syms_.begin() && std::prev(it)->address == it->address)
    --it; // first alias
  KernelSymbol s;
  s.name = std::string_view(pool_).substr(it->name_off, it->name_len);
  if (it->module_len)
    s.module = std::string_view(pool_).substr(it->module_off, it->module_len);
  s.offset = address - it->address;
  return s;
}

} // namespace octagon::symbols
