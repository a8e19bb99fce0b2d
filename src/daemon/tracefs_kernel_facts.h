// TracefsKernelFacts: the policy compiler's view of the running kernel (tracepoint formats,
// syscall names and numbers), read from tracefs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <octagon/base/result.h>
#include <octagon/bpf/feature_probe.h>
#include <octagon/policy/compiler.h>
#include <octagon/policy/kernel/elf_binaries.h>
#include <octagon/sensors/generic/kernel_btf.h>

namespace octagon::daemon {

// KernelFacts from the running kernel's tracefs (mounted at /sys/kernel/tracing if needed).
class TracefsKernelFacts : public policy::KernelFacts {
 public:
  static Result<std::unique_ptr<TracefsKernelFacts>> create();
  Result<std::vector<policy::FormatField>> tracepoint_fields(const std::string& subsystem,
                                                             const std::string& event) override;
  std::string syscall_prefix() const override;
  std::optional<int> syscall_number(const std::string& name) const override;
  std::optional<uint32_t> host_namespace(policy::NamespaceType t) const override;
  policy::BinaryFacts* binaries() override { return &binaries_; }
  // The kernel's BTF, read on first use (nullptr when the kernel has none).
  policy::BtfFacts* btf() override;
  Result<std::vector<std::string>> kernel_syscalls() override;
  Result<std::vector<std::string>> filter_functions() override;
  // kprobe, fentry and BPF-LSM as bpf::FeatureProbe finds them (tiny programs, cached).
  policy::HookSupport hook_support() override;
  // fmod_ret on `function` (a test program loaded on it) and bpf_override_return (the helper,
  // and the function on /sys/kernel/debug/error_injection/list, or a syscall function when
  // that list cannot be read).
  policy::OverrideSupport override_support(const std::string& function) override;

 private:
  std::string root_;
  policy::kernel::ElfBinaryFacts binaries_;
  std::unique_ptr<sensors::KernelBtf> btf_;
  bool btf_tried_ = false;
  bpf::FeatureProbe probe_;
};

}  // namespace octagon::daemon
