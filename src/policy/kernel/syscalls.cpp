#include <octagon/policy/kernel/syscalls.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <sys/stat.h>

namespace octagon::policy::kernel {
namespace {

struct SyscallEntry {
  int nr;
  std::string_view name;
};

// x86_64, from <asm/unistd_64.h> (see gen_syscall_table.sh), sorted by number.
constexpr SyscallEntry kX64Syscalls[] = {
#include "syscall_table_x64.inc"
};

constexpr bool sorted_by_number() {
  for (size_t i = 1; i < std::size(kX64Syscalls); ++i) {
    if (kX64Syscalls[i - 1].nr >= kX64Syscalls[i].nr)
      return false;
  }
  return true;
}
static_assert(sorted_by_number(), "syscall table must be sorted by number, without duplicates");

bool is_identifier(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// A tracefs directory name from a policy: no separators, no "." / "..", nothing exotic.
bool is_tracefs_name(std::string_view s) {
  if (s.empty() || s == "." || s == ".." || s.size() > 255)
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string format_path(const std::string& root, std::string_view subsystem,
                        std::string_view event) {
  std::string p = root;
  p += "/events/";
  p += subsystem;
  p += '/';
  p += event;
  p += "/format";
  return p;
}

} // namespace

std::optional<SyscallCall> parse_syscall_call(std::string_view call) {
  struct Prefix {
    std::string_view text;
    SyscallAbi abi;
  };
  static constexpr Prefix kPrefixes[] = {
      {"__x64_sys_", SyscallAbi::kX64},
      {"__arm64_sys_", SyscallAbi::kArm64},
      {"__ia32_sys_", SyscallAbi::kIa32},
      {"sys_", SyscallAbi::kNative},
  };
  for (const Prefix& p : kPrefixes) {
    if (!call.starts_with(p.text))
      continue;
    const std::string_view name = call.substr(p.text.size());
    if (!is_identifier(name))
      return std::nullopt;
    return SyscallCall{std::string(name), p.abi};
  }
  return std::nullopt;
}

std::optional<std::string> syscall_tracepoint_name(std::string_view call) {
  auto parsed = parse_syscall_call(call);
  if (!parsed)
    return std::nullopt;
  return std::move(parsed->name);
}

std::string find_tracefs_root() {
  for (const char* root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    // A mounted tracefs has events/; an unprivileged process may not even see it (the mount is
    // mode 0700), and then reading a format file reports EACCES rather than "no tracefs".
    struct stat st {};
    const std::string events = std::string(root) + "/events";
    if (is_dir(events) || (::stat(events.c_str(), &st) != 0 && errno == EACCES))
      return root;
  }
  return {};
}

KernelInfo::KernelInfo(std::string tracefs_root)
    : tracefs_root_(tracefs_root.empty() ? find_tracefs_root() : std::move(tracefs_root)) {}

bool KernelInfo::has_tracepoint(std::string_view subsystem, std::string_view event) const {
  if (tracefs_root_.empty() || !is_tracefs_name(subsystem) || !is_tracefs_name(event))
    return false;
  struct stat st {};
  return ::stat(format_path(tracefs_root_, subsystem, event).c_str(), &st) == 0;
}

Result<TracepointFormat> KernelInfo::tracepoint_format(std::string_view subsystem,
                                                       std::string_view event) const {
  if (!is_tracefs_name(subsystem) || !is_tracefs_name(event)) {
    return make_error(EINVAL, "invalid tracepoint name \"" + std::string(subsystem) + "/" +
                                  std::string(event) + "\"");
  }
  if (tracefs_root_.empty()) {
    return make_error(ENOENT, "no tracefs (looked for /sys/kernel/tracing and "
                              "/sys/kernel/debug/tracing): cannot read tracepoint " +
                                  std::string(subsystem) + "/" + std::string(event));
  }
  const std::string path = format_path(tracefs_root_, subsystem, event);
  auto fmt = load_tracepoint_format(path);
  if (!fmt && fmt.error().code() == ENOENT) {
    return make_error(ENOENT, "no tracepoint " + std::string(subsystem) + "/" + std::string(event) +
                                  " (" + path + ")");
  }
  return fmt;
}

std::optional<int> KernelInfo::syscall_number(std::string_view name) const {
  for (const SyscallEntry& e : kX64Syscalls) {
    if (e.name == name)
      return e.nr;
  }
  return std::nullopt;
}

std::string KernelInfo::syscall_name(int nr) const {
  const auto* it = std::lower_bound(std::begin(kX64Syscalls), std::end(kX64Syscalls), nr,
                                    [](const SyscallEntry& e, int n) { return e.nr < n; });
  return it != std::end(kX64Syscalls) && it->nr == nr ? std::string(it->name) : std::string();
}

std::string KernelInfo::arch_prefix() const {
#if defined(__x86_64__)
  return "__x64_";
#elif defined(__aarch64__)
  return "__arm64_";
#else
  return "";
#endif
}

} // namespace octagon::policy::kernel
