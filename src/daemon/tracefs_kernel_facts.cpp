#include <octagon/daemon/tracefs_kernel_facts.h>

#include <sys/stat.h>

#include <cerrno>
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

}  // namespace octagon::daemon
