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

// Loads a kprobe program that calls bpf_override_return: kernels without
// CONFIG_BPF_KPROBE_OVERRIDE refuse the helper ("unknown func" on 6.1, "cannot use helper" on
// 6.12, where bpftool's own probe misreads the message), so the load itself is the answer.
Probe try_override_return() {
  const bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 0},
      {BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_override_return},
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  Fd fd(bpf_prog_load(BPF_PROG_TYPE_KPROBE, "oct_probe", "GPL", insns, 4, &opts));
  if (fd.valid()) return {true, "kprobe program with bpf_override_return loaded"};
  int err = errno;
  return {false, std::string("kprobe program with bpf_override_return rejected: ") + strerror(err) +
                     " (kernel built without CONFIG_BPF_KPROBE_OVERRIDE / CONFIG_FUNCTION_ERROR_INJECTION)"};
}

// Loads a sleepable BPF-LSM program on file_open that hashes the file with bpf_ima_file_hash
// (Linux 5.18+, CONFIG_IMA): the helper exists only for sleepable LSM programs.
Probe try_ima_file_hash() {
  const bpf_insn insns[] = {
      {BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_1, BPF_REG_1, 0, 0},  // r1 = the struct file *
      {BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, 4, 0},
      {BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0},
      {BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -64},
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, 64},
      {BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ima_file_hash},
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  opts.expected_attach_type = BPF_LSM_MAC;
  opts.prog_flags = BPF_F_SLEEPABLE;
  int id = libbpf_find_vmlinux_btf_id("file_open", BPF_LSM_MAC);
  if (id < 0) return {false, std::string("no BTF id for LSM hook file_open: ") + strerror(-id)};
  opts.attach_btf_id = static_cast<__u32>(id);
  Fd fd(bpf_prog_load(BPF_PROG_TYPE_LSM, "oct_probe_ima", "GPL", insns, std::size(insns), &opts));
  if (fd.valid()) return {true, "sleepable lsm.s program calling bpf_ima_file_hash loaded"};
  int err = errno;
  return {false, std::string("sleepable lsm.s program calling bpf_ima_file_hash rejected: ") + strerror(err) +
                     " (needs BPF-LSM, Linux 5.18+ and CONFIG_IMA)"};
}

// Loads a kprobe.multi program and attaches it to one function: a kernel may accept the program
// type (5.18+) and still lack the link (6.1 on Debian: CONFIG_FPROBE is off, EOPNOTSUPP).
Probe try_kprobe_multi() {
  const bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  opts.expected_attach_type = BPF_TRACE_KPROBE_MULTI;
  Fd prog(bpf_prog_load(BPF_PROG_TYPE_KPROBE, "oct_probe", "GPL", insns, 2, &opts));
  if (!prog.valid())
    return {false, std::string("kprobe.multi program rejected: ") + strerror(errno) + " (needs Linux 5.18+)"};
  // A function every kernel with BPF has and that nothing calls on its own.
  const char* syms[] = {"bpf_fentry_test1"};
  LIBBPF_OPTS(bpf_link_create_opts, lopts);
  lopts.kprobe_multi.syms = syms;
  lopts.kprobe_multi.cnt = 1;
  Fd link(bpf_link_create(prog.get(), 0, BPF_TRACE_KPROBE_MULTI, &lopts));
  if (!link.valid()) {
    int err = errno;
    return {false, std::string("kprobe.multi link refused: ") + strerror(err) +
                       (err == EOPNOTSUPP ? " (kernel built without CONFIG_FPROBE)" : "")};
  }
  return {true, "kprobe.multi link attached"};
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
    case Feature::kFmodRet: return "fmod_ret";
    case Feature::kOverrideReturn: return "override_return";
    case Feature::kImaHash: return "ima_hash";
    case Feature::kKprobeMulti: return "kprobe_multi";
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

const Probe& FeatureProbe::modify_return(const std::string& function) {
  auto it = modify_return_.find(function);
  if (it == modify_return_.end()) it = modify_return_.emplace(function, run_modify_return(function)).first;
  return it->second;
}

Probe FeatureProbe::run_modify_return(const std::string& function) {
  Probe p = try_load(BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, function.c_str());
  if (p.ok) return {true, "fmod_ret program on " + function + " loaded"};
  if (p.detail.find("Invalid argument") != std::string::npos)
    p.detail += " (" + function + " is neither a security_* function nor on the kernel's error-injection list; "
                "syscalls are on it only with CONFIG_FUNCTION_ERROR_INJECTION)";
  return p;
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
    case Feature::kFmodRet:
      return try_load(BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, "security_file_open");
    case Feature::kOverrideReturn:
      return try_override_return();
    case Feature::kImaHash:
      return try_ima_file_hash();
    case Feature::kKprobeMulti:
      return try_kprobe_multi();
    case Feature::kKprobe:
      if (access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0)
        return {true, "perf kprobe PMU"};
      return {false, "no perf kprobe PMU (kernel built without CONFIG_KPROBES)"};
  }
  return {false, "unknown feature"};
}

}  // namespace octagon::bpf
