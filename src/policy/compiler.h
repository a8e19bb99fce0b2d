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

// One USDT probe site of a binary (a stapsdt note), with addresses already turned into file
// offsets (what a uprobe attaches to).
struct UsdtProbe {
  std::string provider;
  std::string name;
  uint64_t offset = 0;            // file offset of the probe's nop
  uint64_t semaphore_offset = 0;  // file offset of its semaphore, 0 = none
  std::string args;               // stapsdt argument spec ("-4@%edi 8@-8(%rbp)")
};

// Facts about user-space binaries for uprobes and USDTs, read from their ELF files (faked in
// tests). Errors name the file and what was looked for; ENOENT means the file is missing.
class BinaryFacts {
 public:
  virtual ~BinaryFacts() = default;
  // The file exists and is a 64-bit ELF file.
  virtual Result<void> check_binary(const std::string& path) = 0;
  virtual Result<uint64_t> symbol_offset(const std::string& path, const std::string& symbol) = 0;
  virtual Result<uint64_t> address_offset(const std::string& path, uint64_t addr) = 0;
  virtual Result<std::vector<UsdtProbe>> usdt_probes(const std::string& path) = 0;  // all sites
  virtual Result<std::string> sha256_hex(const std::string& path) = 0;
};

// Which kernel-function hook mechanisms this kernel offers (the agent finds out by loading
// tiny programs, bpf::FeatureProbe), and why each one is missing.
struct HookSupport {
  bool kprobe = false;  // kprobe and kretprobe
  bool fentry = false;  // fentry and fexit (BPF trampolines)
  bool lsm = false;     // BPF-LSM programs
  bool kprobe_multi = false;  // kprobe.multi links (one program attached to many functions)
  std::string kprobe_why = "kprobes were not probed";
  std::string fentry_why = "BPF trampolines were not probed";
  std::string lsm_why = "BPF-LSM was not probed";
  std::string kprobe_multi_why = "kprobe.multi was not probed";
  bool ima = false;  // sleepable BPF-LSM programs may call bpf_ima_file_hash (Post imaHash)
  std::string ima_why = "bpf_ima_file_hash was not probed";
};

// How Override can make one kernel function return an error instead of running (the agent
// finds out by loading tiny programs, bpf::FeatureProbe), and why each way is missing.
struct OverrideSupport {
  // BPF_MODIFY_RETURN on the function loads: security_* functions, and functions on the
  // kernel's error-injection list (CONFIG_FUNCTION_ERROR_INJECTION).
  bool fmod_ret = false;
  // A kprobe may call bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE) and the function is on
  // the error-injection list.
  bool override_return = false;
  std::string fmod_ret_why = "fmod_ret was not probed";
  std::string override_return_why = "bpf_override_return was not probed";
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
  // Inode number of the host's (pid 1's) namespace of type `t`, for matchNamespaces host_ns.
  virtual std::optional<uint32_t> host_namespace(NamespaceType t) const {
    (void)t;
    return std::nullopt;
  }
  // Kernel-function hook mechanisms (kprobes:, fentries:, lsmhooks:); none by default.
  virtual HookSupport hook_support() { return {}; }
  // Override on kernel function `function` ("security_inode_mkdir", "__x64_sys_linkat");
  // nothing by default.
  virtual OverrideSupport override_support(const std::string& function) {
    (void)function;
    return {};
  }
  // User-space binaries (uprobes, usdts); null when this host cannot read them.
  virtual BinaryFacts* binaries() { return nullptr; }
  // The kernel's BTF (raw tracepoint argument types, resolve: paths); nullptr when the kernel
  // has none (such policies are refused).
  virtual BtfFacts* btf() { return nullptr; }
  // generated_syscalls lists: the syscalls of this architecture the kernel implements (uapi
  // names such as "openat", kept when the kernel's BTF has <syscall_prefix()>sys_<name>), in
  // number order.
  virtual Result<std::vector<std::string>> kernel_syscalls() {
    return make_error(ENOTSUP, "the kernel's syscall functions are not known here");
  }
  // generated_ftrace lists: the function names of tracefs available_filter_functions (" [module]"
  // suffixes dropped).
  virtual Result<std::vector<std::string>> filter_functions() {
    return make_error(ENOTSUP, "available_filter_functions is not known here");
  }
};

struct CompileOptions {
  std::optional<PolicyMode> mode_override;  // load-time mode (runtime > load > spec)
  // kprobes: on kernel functions use kprobe/kretprobe even where fentry/fexit would be picked
  // (tests of the kprobe programs on kernels that have both).
  bool prefer_kprobes = false;
};

Result<CompiledPolicy> compile_policy(const TracingPolicy& policy, KernelFacts& kernel,
                                      const CompileOptions& options = {});

// "sys_openat", "__x64_sys_openat", "__arm64_sys_openat" -> "openat"; "" if not a syscall.
std::string syscall_of(std::string_view call);

}  // namespace octagon::policy
