#include <octagon/daemon/tracefs_kernel_facts.h>

#include <cerrno>

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
  for (const auto& x : f.fields) out.push_back({x.name, x.type, x.offset, x.size, x.is_signed});
  return out;
}

std::optional<int> TracefsKernelFacts::syscall_number(const std::string& name) const {
  return policy::kernel::KernelInfo(root_).syscall_number(name);
}

std::string TracefsKernelFacts::syscall_prefix() const { return policy::kernel::KernelInfo(root_).arch_prefix(); }

}  // namespace octagon::daemon
