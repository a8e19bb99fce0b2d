// FeatureProbe: what this kernel and this process can do, found by trying (loading tiny
// programs), not by trusting version numbers or `bpftool feature probe`. Probes are lazy and
// cached; the class is virtual so tests can inject a fake kernel.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <octagon/base/result.h>

namespace octagon::bpf {

struct Probe {
  bool ok = false;
  std::string detail;  // why not, or what was used
};

enum class Feature {
  kBtf,         // /sys/kernel/btf/vmlinux
  kRingBuf,     // BPF_MAP_TYPE_RINGBUF
  kBpfLoop,     // bpf_loop helper (path walks)
  kTpBtf,       // BTF-typed tracepoints
  kRawTp,       // raw tracepoints
  kFentry,      // fentry/fexit trampolines
  kLsm,         // BPF-LSM programs
  kKprobe,      // kprobes (perf kprobe PMU)
  kSendSignal,  // bpf_send_signal helper
  kFmodRet,     // BPF_MODIFY_RETURN (fmod_ret) on security_* functions
  kOverrideReturn,  // bpf_override_return helper in kprobes (CONFIG_BPF_KPROBE_OVERRIDE)
  kKprobeMulti,     // kprobe.multi links: one program on many functions (Linux 5.18+, CONFIG_FPROBE)
  kImaHash,     // bpf_ima_file_hash in sleepable BPF-LSM programs (Post imaHash)
};

const char* feature_name(Feature f);

class FeatureProbe {
 public:
  virtual ~FeatureProbe() = default;

  // Root or CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN); the error says what is missing.
  virtual Result<void> check_privileges();

  const Probe& get(Feature f);
  bool has(Feature f) { return get(f).ok; }
  // Whether an fmod_ret program may attach to kernel function `function` (the verifier allows
  // security_* functions and those on the error-injection list), by loading one (cached).
  const Probe& modify_return(const std::string& function);

 protected:
  virtual Probe run(Feature f);
  virtual Probe run_modify_return(const std::string& function);

 private:
  std::map<Feature, Probe> cache_;
  std::map<std::string, Probe> modify_return_;
};

}  // namespace octagon::bpf
