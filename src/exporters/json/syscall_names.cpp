#include <octagon/exporters/json/syscall_names.h>

#include <algorithm>
#include <iterator>

namespace octagon::exporters {
namespace {

struct Entry {
  uint32_t nr;
  std::string_view name;
};

constexpr Entry kX64[] = {
#include "syscall_table_x64.inc"
};

constexpr Entry kI386[] = {
#include "syscall_table_i386.inc"
};

template <size_t N> constexpr bool sorted(const Entry (&t)[N]) {
  for (size_t i = 1; i < N; ++i) {
    if (t[i - 1].nr >= t[i].nr)
      return false;
  }
  return true;
}
static_assert(sorted(kX64) && sorted(kI386), "tables must be sorted by number, no duplicates");

template <size_t N> std::string_view lookup(const Entry (&t)[N], uint64_t nr) {
  const auto* it = std::lower_bound(std::begin(t), std::end(t), nr,
                                    [](const Entry& e, uint64_t n) { return e.nr < n; });
  return it != std::end(t) && it->nr == nr ? it->name : std::string_view();
}

} // namespace

std::string_view syscall_name_x64(uint64_t nr) {
  return lookup(kX64, nr);
}

std::string_view syscall_name_i386(uint64_t nr) {
  return lookup(kI386, nr);
}

std::string_view syscall_name(std::string_view abi, uint64_t nr) {
  if (abi == "x64")
    return syscall_name_x64(nr);
  if (abi == "i386")
    return syscall_name_i386(nr);
  return {};
}

} // namespace octagon::exporters
