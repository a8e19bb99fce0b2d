// Kernel facts the policy compiler needs about syscalls and tracepoints: how Tetragon users
// name syscall hooks, the syscall numbers, and what tracefs says about a tracepoint.
#pragma once

#include <octagon/base/result.h>
#include <octagon/policy/kernel/tracefs_format.h>

#include <optional>
#include <string>
#include <string_view>

namespace octagon::policy::kernel {

// The ABI a kprobe call name designates.
enum class SyscallAbi : uint8_t {
  kNative, // "sys_openat": the running kernel's own ABI (Tetragon adds arch_prefix())
  kX64,    // "__x64_sys_openat"
  kArm64,  // "__arm64_sys_openat"
  kIa32,   // "__ia32_sys_openat": the 32-bit compat entry on x86_64. Same tracepoint name,
           // but syscalls/sys_enter_* does not fire for compat syscalls (the kernel's
           // trace_syscalls.c skips them), so such a hook cannot become that tracepoint.
};

struct SyscallCall {
  std::string name; // tracepoint base name: "openat" (syscalls/sys_enter_openat)
  SyscallAbi abi = SyscallAbi::kNative;
};

// Splits a kprobe call name as Tetragon users write it: "sys_openat", "__x64_sys_openat",
// "__arm64_sys_openat", "__ia32_sys_openat" -> {"openat", abi}. Anything else -> nullopt:
// "ksys_read", "__se_sys_openat", "__do_sys_openat", "compat_sys_x", "__x64_compat_sys_x" and
// non-syscall functions ("do_sys_openat2", "security_file_open").
std::optional<SyscallCall> parse_syscall_call(std::string_view call);

// parse_syscall_call's name: "__x64_sys_openat" -> "openat"; nullopt when not a syscall. For
// "__ia32_sys_*" the name is returned too; see SyscallAbi::kIa32 for why its tracepoint is not
// a substitute for the kprobe.
std::optional<std::string> syscall_tracepoint_name(std::string_view call);

// What the running kernel offers. Virtual so that tests substitute fakes; the base class reads
// the real system. Thread-compatible (const methods only, no caches).
class KernelInfo {
public:
  // Uses `tracefs_root` (the directory holding events/) when given; otherwise
  // find_tracefs_root().
  explicit KernelInfo(std::string tracefs_root = {});
  virtual ~KernelInfo() = default;
  KernelInfo(const KernelInfo&) = default;
  KernelInfo& operator=(const KernelInfo&) = default;

  // The tracefs in use; empty when none was found.
  const std::string& tracefs_root() const { return tracefs_root_; }

  // Whether events/<subsystem>/<event>/format exists. False for invalid names (anything but
  // letters, digits, '_', '-' and '.', or "."/"..": a policy cannot walk out of tracefs).
  virtual bool has_tracepoint(std::string_view subsystem, std::string_view event) const;

  // The parsed format of a tracepoint. Errors: EINVAL for invalid names, ENOENT when there is no
  // tracefs or no such tracepoint, the errno of open/read (EACCES without privileges), or the
  // parse error (file:line).
  virtual Result<TracepointFormat> tracepoint_format(std::string_view subsystem,
                                                     std::string_view event) const;

  // x86_64 syscall numbers <-> names as in <asm/unistd_64.h> ("openat" <-> 257). The names are
  // the uapi ones, which can differ from the tracepoint base name ("stat" is sys_enter_newstat).
  virtual std::optional<int> syscall_number(std::string_view name) const;
  // "" for numbers without a name.
  virtual std::string syscall_name(int nr) const;

  // The prefix of syscall functions on this build's architecture: "__x64_" (x86_64),
  // "__arm64_" (aarch64), "" elsewhere.
  virtual std::string arch_prefix() const;

private:
  std::string tracefs_root_;
};

// The first of /sys/kernel/tracing and /sys/kernel/debug/tracing that holds events/ (or whose
// events/ this process may not look into: EACCES), "" when neither does.
std::string find_tracefs_root();

} // namespace octagon::policy::kernel
