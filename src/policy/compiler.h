// The policy compiler: a validated TracingPolicy -> a CompiledPolicy the sensors load, for the
// kernel at hand. Pure C++ (kernel facts come through KernelFacts, faked in tests). What this
// kernel or this version cannot run is refused here, at the line the user wrote, with what is
// missing and what would work instead: nothing in a policy is silently ignored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <octagon/base/result.h>
#include <octagon/policy/btf_facts.h>
#include <octagon/policy/plan.h>
#include <octagon/policy/spec.h>

namespace octagon::policy {

// One field of a tracefs event format, as the generic program reads it.
struct FormatField {
  std::string name;
  std::string type;  // as in the format file ("const char *", "int", "__data_loc char[]")
  uint32_t offset = 0;
  uint32_t size = 0;
  bool is_signed = false;
  bool is_array = false;  // `char comm[16]`: `type` is the element's, `size` the array's
};

class KernelFacts {
 public:
  virtual ~KernelFacts() = default;
  // All fields of a perf tracepoint, the 4 common_* fields included (Tetragon's index base).
  virtual Result<std::vector<FormatField>> tracepoint_fields(const std::string& subsystem,
                                                             const std::string& event) = 0;
  // "__x64_" on x86_64: the prefix Tetragon shows in syscall function names.
  virtual std::string syscall_prefix() const = 0;
  // The syscall number of `name` ("openat") for this architecture.
  virtual std::optional<int> syscall_number(const std::string& name) const = 0;
  // The kernel's BTF (raw tracepoint argument types, resolve: paths); nullptr when the kernel
  // has none (such policies are refused).
  virtual BtfFacts* btf() { return nullptr; }
};

struct CompileOptions {
  std::optional<PolicyMode> mode_override;  // load-time mode (runtime > load > spec)
};

Result<CompiledPolicy> compile_policy(const TracingPolicy& policy, KernelFacts& kernel,
                                      const CompileOptions& options = {});

// "sys_openat", "__x64_sys_openat", "__arm64_sys_openat" -> "openat"; "" if not a syscall.
std::string syscall_of(std::string_view call);

}  // namespace octagon::policy
