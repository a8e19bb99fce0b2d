#include <octagon/bpf/feature_probe.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <octagon/base/fd.h>

namespace octagon::bpf {
namespace {

constexpr int kCapSysAdmin = 21;
constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;

bool has_cap(const __user_cap_data_struct (&d)[2], int cap) {
  return (d[cap / 32].effective >> (cap % 32)) & 1u;
}

// Loads "r0 = 0; exit" as `type` attached to the BTF function `target` (when given).
Probe try_load(bpf_prog_type type, bpf_attach_type attach, const char* target) {
  const bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  opts.expected_attach_type = attach;
  if (target) {
    int id = libbpf_find_vmlinux_btf_id(target, attach);
    if (id < 0) return {false, std::string("no BTF id for ") + target + ": " + strerror(-id)};
    opts.attach_btf_id = static_cast<__u32>(id);
  }
  Fd fd(bpf_prog_load(type, "oct_probe", "GPL", insns, 2, &opts));
  if (!fd.valid()) {
    int err = errno;
    return {false, std::string("test program rejected: ") + strerror(err) +
                       (err == EPERM ? " (kernel or lockdown policy forbids this program type)"
                                     : "")};
  }
  return {true, "test program loaded"};
}

}  // namespace

const char* feature_name(Feature f) {
  switch (f) {
    case Feature::kBtf: return "btf";
    case Feature::kRingBuf: return "ringbuf";
    case Feature::kBpfLoop: return "bpf_loop";
    case Feature::kTpBtf: return "tp_btf";
    case Feature::kRawTp: return "raw_tp";
    case Feature::kFentry: return "fentry";
    case Feature::kLsm: return "lsm";
    case Feature::kKprobe: return "kprobe";
    case Feature::kSendSignal: return "send_signal";
  }
  return "?";
}

Result<void> FeatureProbe::check_privileges() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &hdr, data) != 0) return make_error(errno, "read own capabilities");
  if (has_cap(data, kCapSysAdmin)) return ok();
  std::string missing;
  if (!has_cap(data, kCapBpf)) missing += " CAP_BPF";
  if (!has_cap(data, kCapPerfmon)) missing += " CAP_PERFMON";
  if (missing.empty()) return ok();
  return make_error(EPERM, "octagon agent needs root (or CAP_BPF and CAP_PERFMON, or "
                           "CAP_SYS_ADMIN) to load BPF programs; missing:" + missing);
}

const Probe& FeatureProbe::get(Feature f) {
  auto it = cache_.find(f);
  if (it == cache_.end()) it = cache_.emplace(f, run(f)).first;
  return it->second;
}

Probe FeatureProbe::run(Feature f) {
  switch (f) {
    case Feature::kBtf:
      if (access("/sys/kernel/btf/vmlinux", R_OK) == 0) return {true, "/sys/kernel/btf/vmlinux"};
      return {false, "no /sys/kernel/btf/vmlinux (kernel built without CONFIG_DEBUG_INFO_BTF)"};
    case Feature::kRingBuf: {
      int r = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr);
      return {r == 1, r == 1 ? "BPF ring buffer" : "no BPF ring buffer (needs Linux 5.8+)"};
    }
    case Feature::kBpfLoop: {
      int r = libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_loop, nullptr);
      return {r == 1, r == 1 ? "bpf_loop helper" : "no bpf_loop helper (needs Linux 5.17+)"};
    }
    case Feature::kSendSignal: {
      int r = libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_send_signal, nullptr);
      return {r == 1, r == 1 ? "bpf_send_signal helper" : "no bpf_send_signal helper"};
    }
    case Feature::kTpBtf:
      return try_load(BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, "sched_process_exec");
    case Feature::kRawTp:
      return try_load(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_TRACE_RAW_TP, nullptr);
    case Feature::kFentry:
      return try_load(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, "security_bprm_check");
    case Feature::kLsm:
      return try_load(BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "bprm_check_security");
    case Feature::kKprobe:
      if (access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0)
        return {true, "perf kprobe PMU"};
      return {false, "no perf kprobe PMU (kernel built without CONFIG_KPROBES)"};
  }
  return {false, "unknown feature"};
}

}  // namespace octagon::bpf
