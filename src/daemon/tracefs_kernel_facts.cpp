#include <octagon/daemon/tracefs_kernel_facts.h>

#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <iterator>

#include <octagon/base/log.h>
#include <octagon/policy/kernel/syscalls.h>
#include <octagon/policy/kernel/tracefs_format.h>
#include <octagon/sensors/generic/generic_hook.h>

namespace octagon::daemon {

Result<std::unique_ptr<TracefsKernelFacts>> TracefsKernelFacts::create() {
  OCTAGON_TRY(sensors::ensure_tracefs());
  std::string root = policy::kernel::find_tracefs_root();
  if (root.empty()) return make_error(ENOENT, "no tracefs with events/ found after mounting it");
  auto k = std::make_unique<TracefsKernelFacts>();
  k->root_ = root;
  return k;
}

Result<std::vector<policy::FormatField>> TracefsKernelFacts::tracepoint_fields(
    const std::string& subsystem, const std::string& event) {
  policy::kernel::KernelInfo info(root_);
  OCTAGON_ASSIGN_OR_RETURN(policy::kernel::TracepointFormat f, info.tracepoint_format(subsystem, event));
  std::vector<policy::FormatField> out;
  for (const auto& x : f.fields) out.push_back({x.name, x.type, x.offset, x.size, x.is_signed, x.is_array});
  return out;
}

std::optional<int> TracefsKernelFacts::syscall_number(const std::string& name) const {
  return policy::kernel::KernelInfo(root_).syscall_number(name);
}

// The host's namespaces are pid 1's. When /proc/1/ns cannot be read (no ptrace access to
// pid 1), the initial namespaces have fixed inode numbers (include/linux/proc_ns.h); the mount
// and network ones only since Linux 6.18, recognised when this process is in them.
std::optional<uint32_t> TracefsKernelFacts::host_namespace(policy::NamespaceType t) const {
  struct Ns {
    const char* file;
    uint32_t initial;  // 0: none on every kernel
  };
  static const Ns kNs[] = {{"uts", 0xEFFFFFFE}, {"ipc", 0xEFFFFFFF},  {"mnt", 0xEFFFFFF8},
                           {"pid", 0xEFFFFFFC}, {"pid_for_children", 0xEFFFFFFC},
                           {"net", 0xEFFFFFF9}, {"time", 0xEFFFFFFA}, {"time_for_children", 0xEFFFFFFA},
                           {"cgroup", 0xEFFFFFFB}, {"user", 0xEFFFFFFD}};
  size_t i = size_t(t);
  if (i >= std::size(kNs)) return std::nullopt;
  struct stat st{};
  if (stat((std::string("/proc/1/ns/") + kNs[i].file).c_str(), &st) == 0) return uint32_t(st.st_ino);
  if (t == policy::NamespaceType::kMnt || t == policy::NamespaceType::kNet) {
    if (stat((std::string("/proc/self/ns/") + kNs[i].file).c_str(), &st) != 0 || st.st_ino != kNs[i].initial)
      return std::nullopt;
  }
  return kNs[i].initial;
}

std::string TracefsKernelFacts::syscall_prefix() const { return policy::kernel::KernelInfo(root_).arch_prefix(); }

policy::BtfFacts* TracefsKernelFacts::btf() {
  if (!btf_tried_) {
    btf_tried_ = true;
    auto b = sensors::KernelBtf::load();
    if (b) btf_ = std::move(*b);
    else OCTAGON_LOG_WARN("%s", b.error().message().c_str());
  }
  return btf_.get();
}

Result<std::vector<std::string>> TracefsKernelFacts::kernel_syscalls() {
  policy::BtfFacts* b = btf();
  if (!b) return make_error(ENOENT, "the kernel has no BTF to tell which syscalls it implements");
  policy::kernel::KernelInfo info(root_);
  std::string prefix = info.arch_prefix() + "sys_";
  std::vector<std::string> out;
  for (int nr = 0; nr < 1024; nr++) {
    std::string name = info.syscall_name(nr);
    if (!name.empty() && b->has_function(prefix + name)) out.push_back(name);
  }
  if (out.empty()) return make_error(ENOENT, "the kernel's BTF has no " + prefix + "* function");
  return out;
}

Result<std::vector<std::string>> TracefsKernelFacts::filter_functions() {
  std::string path = root_ + "/available_filter_functions";
  std::ifstream in(path);
  if (!in) return make_error(errno ? errno : EIO, "cannot read " + path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    size_t end = line.find_first_of(" \t");  // "name [module]"
    if (end != std::string::npos) line.resize(end);
    if (!line.empty()) out.push_back(line);
  }
  if (in.bad()) return make_error(errno ? errno : EIO, "cannot read " + path);
  return out;
}

policy::HookSupport TracefsKernelFacts::hook_support() {
  policy::HookSupport h;
  const bpf::Probe& k = probe_.get(bpf::Feature::kKprobe);
  const bpf::Probe& f = probe_.get(bpf::Feature::kFentry);
  const bpf::Probe& l = probe_.get(bpf::Feature::kLsm);
  h.kprobe = k.ok;
  h.fentry = f.ok;
  h.lsm = l.ok;
  h.kprobe_why = k.ok ? "kprobes available" : "no kprobes (" + k.detail + ")";
  h.fentry_why = f.ok ? "BPF trampolines available" : "no fentry/fexit (" + f.detail + ")";
  h.lsm_why = l.ok ? "BPF-LSM available" : "no BPF-LSM (" + l.detail + ")";
  if (k.ok) {  // kprobe.multi is probed only where kprobes are
    const bpf::Probe& m = probe_.get(bpf::Feature::kKprobeMulti);
    h.kprobe_multi = m.ok;
    h.kprobe_multi_why = m.ok ? "kprobe.multi available" : "no kprobe.multi (" + m.detail + ")";
  } else {
    h.kprobe_multi_why = "no kprobes";
  }
  if (l.ok) {
    const bpf::Probe& i = probe_.get(bpf::Feature::kImaHash);
    h.ima = i.ok;
    h.ima_why = i.ok ? i.detail : "no bpf_ima_file_hash (" + i.detail + ")";
  } else {
    h.ima_why = h.lsm_why;
  }
  return h;
}

policy::OverrideSupport TracefsKernelFacts::override_support(const std::string& function) {
  policy::OverrideSupport o;
  const bpf::Probe& f = probe_.modify_return(function);
  o.fmod_ret = f.ok;
  o.fmod_ret_why = f.ok ? f.detail : "no fmod_ret on " + function + " (" + f.detail + ")";
  const bpf::Probe& r = probe_.get(bpf::Feature::kOverrideReturn);
  if (!r.ok) {
    o.override_return_why = "no bpf_override_return (" + r.detail + ")";
    return o;
  }
  std::ifstream list("/sys/kernel/debug/error_injection/list");
  if (list) {
    std::string line;
    while (std::getline(list, line))
      if (line.substr(0, line.find_first_of(" \t")) == function) o.override_return = true;
    o.override_return_why = o.override_return ? "on the kernel's error-injection list"
                                              : function + " is not on the kernel's error-injection list";
    return o;
  }
  // Without debugfs: the syscall functions are ALLOW_ERROR_INJECTION wherever the helper is.
  o.override_return = function.find("_sys_") != std::string::npos;
  o.override_return_why = o.override_return ? "a syscall function (error-injection list not readable)"
                                            : function + " is not a syscall function, and the error-injection "
                                              "list (/sys/kernel/debug/error_injection/list) cannot be read";
  return o;
}

}  // namespace octagon::daemon
