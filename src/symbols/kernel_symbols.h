// Kernel text symbols from /proc/kallsyms: address -> (symbol, offset, module) for kernel stack
// traces. Parsing is separate from reading so fixtures can be tested without root (the file
// shows zero addresses to unprivileged readers).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <octagon/base/result.h>

namespace octagon::symbols {

struct KernelSymbol {
  std::string_view name;
  std::string_view module; // "" for the core kernel, else the module name
  uint64_t offset = 0;     // address - symbol start
};

class KernelSymbols {
public:
  // Text symbols (types t, T, w, W) of a kallsyms listing. Fails when it has none with a
  // non-zero address (not root, or kptr_restrict).
  static Result<KernelSymbols> parse(std::string_view text);
  static Result<KernelSymbols> load(const std::string& path = "/proc/kallsyms");

  // The symbol containing `address` (the last one starting at or below it), if any.
  std::optional<KernelSymbol> lookup(uint64_t address) const;
  size_t size() const { return syms_.size(); }

private:
  struct Entry {
    uint64_t address;
    uint32_t name_off, name_len;
    uint32_t module_off, module_len;
  };
  std::string pool_; // names and module names, referenced by offset
  std::vector<Entry> syms_;
};

} // namespace octagon::symbols
