// Unload/reload of kernel-function hooks must leak nothing: for each hook type (kprobe,
// kretprobe, fentry, fexit, BPF-LSM) a policy is loaded through the real PolicyManager, its hook
// hit by a child (the record proves it was attached), and removed, several times; afterwards
// every BPF program, map and link created since the baseline must be gone, and no kprobe must
// stay registered.
//
// Named Kfunc*: the VM tier runs these on Debian 6.1 and 6.12. Where a mechanism is missing they
// skip with the reason, unless the environment promises it (OCTAGON_EXPECT_FEATURES): then they
// fail.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <octagon/bpf/feature_probe.h>

#include "common/kernel_expect.h"
#include "sensor/bpf_object_ids.h"
#include "sensor/policy_rig.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

// Each load costs about 10 s under the VM tier's emulation (the verifier of the generic object):
// three rounds see a leak per load and one that only a reload shows, in the tier's time budget.
constexpr int kRounds = 3;

// Lines of the kernel's list of registered kprobes (debugfs); -1 when it cannot be read.
int registered_kprobes() {
  std::ifstream in("/sys/kernel/debug/kprobes/list");
  if (!in) return -1;
  int n = 0;
  for (std::string line; std::getline(in, line);) n++;
  return n;
}

const char* kUnlinkat = R"(  kprobes:
  - call: do_unlinkat
    syscall: false
    args:
    - {index: 0, type: int}
)";

// Only the failed unlink of a missing path (-ENOENT) is posted.
const char* kUnlinkatReturn = R"(  kprobes:
  - call: do_unlinkat
    syscall: false
    return: true
    returnArg: {index: 0, type: int}
    args:
    - {index: 0, type: int}
    selectors:
    - matchReturnArgs:
      - {index: 0, operator: Equal, values: ["-2"]}
)";

struct HookCase {
  const char* mechanism;  // kernel_expect name
  bpf::Feature feature;
  std::string spec;  // the policy's spec body
  bool prefer_kprobes;
  std::string shows;  // PolicyStatus mechanism of the hook
};

// A child that hits the hook: unlinks a missing path, or (lsm) opens `path`.
pid_t hit(const HookCase& c, const std::string& path) {
  pid_t pid = fork();
  if (pid == 0) {
    if (c.feature == bpf::Feature::kLsm) {
      int fd = open(path.c_str(), O_RDONLY);
      _exit(fd < 0 ? 1 : 0);
    }
    (void)unlinkat(AT_FDCWD, path.c_str(), 0);
    _exit(0);
  }
  return pid;
}

void check_no_leak(const HookCase& c) {
  OCTAGON_REQUIRE_SENSOR();
  bpf::FeatureProbe probe;
  const bpf::Probe& p = probe.get(c.feature);
  OCTAGON_REQUIRE_MECHANISM(c.mechanism, p.ok, p.detail);
  std::string path = "/tmp/octagon-kfunc-leak-" + std::to_string(getpid());
  if (c.feature == bpf::Feature::kLsm) close(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
  std::string name = std::string("kfunc-leak-") + c.mechanism;
  std::string spec = c.spec;
  for (size_t at; (at = spec.find("@PATH@")) != std::string::npos;) spec.replace(at, 6, path);
  policy::CompileOptions opts;
  opts.prefer_kprobes = c.prefer_kprobes;

  DecodingPolicyRig rig;
  // After the rig's process sensor: only what the policies create counts.
  BpfObjectIds before;
  int kprobes_before = registered_kprobes();
  for (int round = 0; round < kRounds; round++) {
    auto loaded = rig.load(policy_with(name, spec), opts);
    ASSERT_TRUE(loaded) << "round " << round << ": " << loaded.error().describe();
    auto st = rig.manager().status();
    ASSERT_EQ(st.size(), 1u);
    ASSERT_EQ(st[0].mechanisms.size(), 1u);
    EXPECT_EQ(st[0].mechanisms[0], c.shows);
    EXPECT_GT(count_bpf_ids(bpf_prog_get_next_id), before.progs.size());
    pid_t pid = hit(c, path);
    EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
    EXPECT_EQ(rig.of(uint32_t(pid)).size(), 1u) << "round " << round << ": the hook did not post";
    ASSERT_TRUE(rig.manager().remove(name)) << "round " << round;
  }
  unlink(path.c_str());
  EXPECT_TRUE(rig.manager().status().empty());
  before.wait_all_gone();
  EXPECT_EQ(before.progs_since(), "") << "programs leaked after " << kRounds << " " << c.mechanism << " rounds";
  EXPECT_EQ(before.maps_since(), "") << "maps leaked after " << kRounds << " " << c.mechanism << " rounds";
  EXPECT_EQ(before.links_since(), "") << "links leaked after " << kRounds << " " << c.mechanism << " rounds";
  EXPECT_EQ(registered_kprobes(), kprobes_before) << "kprobes left registered (debugfs kprobes/list)";
}

TEST(KfuncLeak, KprobeUnloadReloadLeaksNothing) {
  check_no_leak({"kprobe", bpf::Feature::kKprobe, kUnlinkat, true, "kprobe do_unlinkat"});
}

TEST(KfuncLeak, KretprobeUnloadReloadLeaksNothing) {
  check_no_leak({"kretprobe", bpf::Feature::kKprobe, kUnlinkatReturn, true, "kprobe+kretprobe do_unlinkat"});
}

TEST(KfuncLeak, FentryUnloadReloadLeaksNothing) {
  check_no_leak({"fentry", bpf::Feature::kFentry, kUnlinkat, false, "fentry do_unlinkat"});
}

TEST(KfuncLeak, FexitUnloadReloadLeaksNothing) {
  check_no_leak({"fexit", bpf::Feature::kFentry, kUnlinkatReturn, false, "fexit do_unlinkat"});
}

TEST(KfuncLeak, LsmUnloadReloadLeaksNothing) {
  check_no_leak({"lsm", bpf::Feature::kLsm, R"(  lsmhooks:
  - hook: file_open
    args:
    - {index: 0, type: file}
    selectors:
    - matchArgs:
      - {index: 0, operator: Equal, values: ["@PATH@"]}
)",
                 false, "lsm file_open"});
}

}  // namespace
}  // namespace octagon::testing
