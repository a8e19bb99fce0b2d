// kfunc tier: FeatureProbe's verdict on kprobes, fentry and BPF-LSM checked against a real
// attach. For each mechanism a counting program (filtered on this process) is loaded, attached
// to a kernel function the test then calls three times, and its counter must read exactly 3.
// Where the probe says "absent" the same attach must fail, and the probe must say why; where the
// VM tier promises the mechanism (OCTAGON_EXPECT_FEATURES) an "absent" verdict fails the test.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <octagon/base/fd.h>
#include <octagon/bpf/feature_probe.h>

#include "common/kernel_expect.h"

namespace octagon::testing {
namespace {

constexpr int kTriggers = 3;

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst;
  i.src_reg = src;
  i.off = off;
  i.imm = imm;
  return i;
}

// if (current tgid == tgid) counter[0]++; return 0;
std::vector<bpf_insn> counting_program(int map_fd, pid_t tgid) {
  return {
      insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_pid_tgid),
      insn(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_0, 0, 0, 32),
      insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 9, tgid),  // -> r0 = 0
      insn(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0),
      insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
      insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4),
      insn(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd),
      insn(0, 0, 0, 0, 0),
      insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
      insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 2, 0),  // -> r0 = 0
      insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1),
      insn(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0, BPF_ADD),
      insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
      insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
  };
}

struct Attached {
  Fd prog;
  Fd link;  // perf event (kprobe) or BPF link (fentry, lsm)
  std::string error;
};

// Loads the counting program; `btf_target` (with `attach`) for fentry and LSM programs.
Attached load(bpf_prog_type type, int map_fd, const char* btf_target = nullptr,
              bpf_attach_type attach = {}) {
  Attached a;
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  if (btf_target) {
    int id = libbpf_find_vmlinux_btf_id(btf_target, attach);
    if (id < 0) {
      a.error = std::string("no BTF id for ") + btf_target + ": " + strerror(-id);
      return a;
    }
    opts.expected_attach_type = attach;
    opts.attach_btf_id = static_cast<__u32>(id);
  }
  auto insns = counting_program(map_fd, getpid());
  a.prog.reset(bpf_prog_load(type, "oct_kfunc_test", "GPL", insns.data(), insns.size(), &opts));
  if (!a.prog.valid()) a.error = std::string("load: ") + strerror(errno);
  return a;
}

int kprobe_pmu_type() {
  std::ifstream f("/sys/bus/event_source/devices/kprobe/type");
  int type = -1;
  f >> type;
  return f ? type : -1;
}

Attached attach_kprobe(const char* func, int map_fd) {
  Attached a = load(BPF_PROG_TYPE_KPROBE, map_fd);
  if (!a.prog.valid()) return a;
  int type = kprobe_pmu_type();
  if (type < 0) {
    a.error = "no kprobe PMU";
    return a;
  }
  perf_event_attr attr{};
  attr.size = sizeof(attr);
  attr.type = static_cast<__u32>(type);
  attr.config1 = reinterpret_cast<uint64_t>(func);  // kprobe_func
  a.link.reset(static_cast<int>(syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC)));
  if (!a.link.valid()) {
    a.error = std::string("perf_event_open(kprobe ") + func + "): " + strerror(errno);
  } else if (ioctl(a.link.get(), PERF_EVENT_IOC_SET_BPF, a.prog.get()) != 0 ||
             ioctl(a.link.get(), PERF_EVENT_IOC_ENABLE, 0) != 0) {
    a.error = std::string("attach to kprobe: ") + strerror(errno);
    a.link.reset();
  }
  return a;
}

Attached attach_btf(bpf_prog_type type, bpf_attach_type attach, const char* target, int map_fd) {
  Attached a = load(type, map_fd, target, attach);
  if (!a.prog.valid()) return a;
  a.link.reset(bpf_raw_tracepoint_open(nullptr, a.prog.get()));
  if (!a.link.valid()) a.error = std::string("attach: ") + strerror(errno);
  return a;
}

// Each trigger makes the hooked kernel function run once in this process.
void unlink_files() {
  for (int i = 0; i < kTriggers; i++) {
    std::string path = "/tmp/octagon-kfunc-" + std::to_string(getpid()) + "-" + std::to_string(i);
    close(open(path.c_str(), O_CREAT | O_WRONLY, 0600));
    ASSERT_EQ(unlinkat(AT_FDCWD, path.c_str(), 0), 0) << path << ": " << strerror(errno);
  }
}

void open_files() {
  for (int i = 0; i < kTriggers; i++) {
    int fd = open("/proc/self/stat", O_RDONLY);
    ASSERT_GE(fd, 0) << strerror(errno);
    close(fd);
  }
}

struct Mechanism {
  bpf::Feature feature;
  Attached (*attach)(int map_fd);
  void (*trigger)();
  const char* hook;
};

void check(const Mechanism& m) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (loads BPF programs)";
  const char* name = bpf::feature_name(m.feature);
  bpf::FeatureProbe probe;
  const bpf::Probe& verdict = probe.get(m.feature);
  EXPECT_FALSE(verdict.detail.empty()) << "the probe must say what it found or why not";

  Fd map(bpf_map_create(BPF_MAP_TYPE_ARRAY, "oct_kfunc_cnt", 4, 8, 1, nullptr));
  ASSERT_TRUE(map.valid()) << "array map: " << strerror(errno);
  Attached a = m.attach(map.get());
  bool attached = a.link.valid();
  if (!verdict.ok) {
    // An "absent" verdict must be true: the real program cannot be attached either.
    EXPECT_FALSE(attached) << "probe says " << name << " is absent (" << verdict.detail
                           << ") but " << m.hook << " attached";
  } else {
    EXPECT_TRUE(attached) << "probe says " << name << " works (" << verdict.detail << ") but "
                          << m.hook << " failed: " << a.error;
  }
  OCTAGON_REQUIRE_MECHANISM(name, verdict.ok, verdict.detail);
  ASSERT_TRUE(attached);

  uint32_t key = 0;
  uint64_t before = 1, after = 0;
  ASSERT_EQ(bpf_map_lookup_elem(map.get(), &key, &before), 0);
  ASSERT_NO_FATAL_FAILURE(m.trigger());
  ASSERT_EQ(bpf_map_lookup_elem(map.get(), &key, &after), 0);
  EXPECT_EQ(before, 0u) << m.hook << " ran before the trigger";
  EXPECT_EQ(after, uint64_t(kTriggers)) << m.hook << " on " << vm_kernel();
}

TEST(KfuncMechanism, KprobeVerdictMatchesARealAttach) {
  check({bpf::Feature::kKprobe, [](int m) { return attach_kprobe("do_unlinkat", m); },
         unlink_files, "kprobe/do_unlinkat"});
}

TEST(KfuncMechanism, FentryVerdictMatchesARealAttach) {
  check({bpf::Feature::kFentry,
         [](int m) { return attach_btf(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, "do_unlinkat", m); },
         unlink_files, "fentry/do_unlinkat"});
}

TEST(KfuncMechanism, LsmVerdictMatchesARealAttach) {
  check({bpf::Feature::kLsm,
         [](int m) { return attach_btf(BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "file_open", m); },
         open_files, "lsm/file_open"});
}

}  // namespace
}  // namespace octagon::testing
