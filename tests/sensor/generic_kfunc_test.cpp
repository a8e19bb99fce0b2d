// T3: kernel-function hooks of TracingPolicies (kprobes: on functions that are not syscalls,
// fentries:, lsmhooks:) on the running kernel: kprobe, kretprobe, fentry, fexit and BPF-LSM
// programs loaded from real policies, triggered by a real child, their records decoded.
//
// Tests are named Kfunc*: the VM tier runs them on Debian kernels, which have every mechanism
// used here. Where a mechanism is missing they skip with the reason, unless the environment
// promises it (OCTAGON_EXPECT_FEATURES, set by the VM tier): then they fail.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include <octagon/bpf/feature_probe.h>

#include "sensor/policy_rig.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

using events::Argument;

bool promised(std::string_view mechanism) {
  const char* v = std::getenv("OCTAGON_EXPECT_FEATURES");
  std::string_view list = v ? v : "";
  while (!list.empty()) {
    size_t comma = list.find(',');
    if (list.substr(0, comma) == mechanism) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// Skips (or fails, when the environment promises it) unless the kernel has `feature`.
#define KFUNC_REQUIRE(feature, mechanism)                                                         \
  do {                                                                                           \
    bpf::FeatureProbe kfunc_probe_;                                                              \
    const bpf::Probe& kfunc_p_ = kfunc_probe_.get(feature);                                      \
    if (kfunc_p_.ok) break;                                                                      \
    if (promised(mechanism))                                                                     \
      FAIL() << mechanism << " must work here (OCTAGON_EXPECT_FEATURES) but: " << kfunc_p_.detail; \
    GTEST_SKIP() << mechanism << " unavailable on this kernel: " << kfunc_p_.detail;            \
  } while (0)

// A child that calls unlinkat(AT_FDCWD, path, 0) on a path that does not exist, then exits 0.
pid_t unlink_missing(const std::string& path) {
  pid_t pid = fork();
  if (pid == 0) {
    (void)unlinkat(AT_FDCWD, path.c_str(), 0);
    _exit(0);
  }
  return pid;
}

std::string missing_path() { return "/tmp/octagon-kfunc-missing-" + std::to_string(getpid()); }

const char* kUnlinkat = R"(  kprobes:
  - call: do_unlinkat
    syscall: false
    args:
    - {index: 0, type: int}
    - {index: 1, type: string, resolve: "name"}
)";

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

TEST(KfuncHooks, KprobeReadsArgumentRegisters) {
  OCTAGON_REQUIRE_SENSOR();
  KFUNC_REQUIRE(bpf::Feature::kKprobe, "kprobe");
  DecodingPolicyRig rig;
  policy::CompileOptions opts;
  opts.prefer_kprobes = true;
  auto loaded = rig.load(policy_with("kfunc-kprobe", kUnlinkat), opts);
  ASSERT_TRUE(loaded) << loaded.error().describe();
  std::string path = missing_path();
  pid_t pid = unlink_missing(path);
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].function, "do_unlinkat");
  ASSERT_EQ(recs[0].args.size(), 2u);
  EXPECT_EQ(recs[0].args[0].kind, Argument::Kind::kInt);
  EXPECT_EQ(recs[0].args[0].i, AT_FDCWD);
  EXPECT_EQ(recs[0].args[1].kind, Argument::Kind::kString);
  EXPECT_EQ(recs[0].args[1].s, path);  // struct filename's name, a kernel copy
  EXPECT_FALSE(recs[0].ret);
}

TEST(KfuncHooks, KretprobeReturnValueFiltersInKernel) {
  OCTAGON_REQUIRE_SENSOR();
  KFUNC_REQUIRE(bpf::Feature::kKprobe, "kretprobe");
  DecodingPolicyRig rig;
  policy::CompileOptions opts;
  opts.prefer_kprobes = true;
  auto loaded = rig.load(policy_with("kfunc-kretprobe", kUnlinkatReturn), opts);
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = unlink_missing(missing_path());
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  // An unlink that succeeds returns 0: filtered out by matchReturnArgs.
  std::string real = missing_path() + "-real";
  close(open(real.c_str(), O_CREAT | O_WRONLY, 0600));
  pid_t ok_pid = unlink_missing(real);
  EXPECT_EQ(WEXITSTATUS(wait_status(ok_pid)), 0);
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].args[0].i, AT_FDCWD);
  ASSERT_TRUE(recs[0].ret);
  EXPECT_EQ(recs[0].ret->i, -ENOENT);
  EXPECT_TRUE(rig.of(uint32_t(ok_pid), 0).empty());
}

TEST(KfuncHooks, FentryFileArgumentOfSecurityFileOpen) {
  OCTAGON_REQUIRE_SENSOR();
  KFUNC_REQUIRE(bpf::Feature::kFentry, "fentry");
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("kfunc-fentry", R"(  kprobes:
  - call: security_file_open
    syscall: false
    args:
    - {index: 0, type: file}
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  std::string path = "/tmp/octagon-kfunc-open-" + std::to_string(getpid());
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0640);
    _exit(fd < 0 ? 1 : 0);
  }
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid));
  unlink(path.c_str());
  bool found = false;
  for (const auto& r : recs) {
    ASSERT_EQ(r.args.size(), 1u);
    EXPECT_EQ(r.function, "security_file_open");
    if (r.args[0].kind == Argument::Kind::kFile && r.args[0].s == path) {
      found = true;
      EXPECT_EQ(r.args[0].permission, "-rw-r-----");
    }
  }
  EXPECT_TRUE(found) << recs.size() << " records, none for " << path;
}

TEST(KfuncHooks, FexitSeesArgumentsAndReturnValue) {
  OCTAGON_REQUIRE_SENSOR();
  KFUNC_REQUIRE(bpf::Feature::kFentry, "fexit");
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("kfunc-fexit", kUnlinkatReturn));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = unlink_missing(missing_path());
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].function, "do_unlinkat");
  EXPECT_EQ(recs[0].args[0].i, AT_FDCWD);
  ASSERT_TRUE(recs[0].ret);
  EXPECT_EQ(recs[0].ret->i, -ENOENT);
}

TEST(KfuncHooks, LsmFileOpenSigkillsTheOpener) {
  OCTAGON_REQUIRE_SENSOR();
  KFUNC_REQUIRE(bpf::Feature::kLsm, "lsm");
  std::string path = "/tmp/octagon-kfunc-lsm-" + std::to_string(getpid());
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("kfunc-lsm", R"(  lsmhooks:
  - hook: file_open
    args:
    - {index: 0, type: file}
    selectors:
    - matchArgs:
      - {index: 0, operator: Equal, values: [")" + path + R"("]}
      matchActions:
      - {action: Sigkill}
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t other = fork();  // another file: not matched, not killed
  if (other == 0) {
    int fd = open("/proc/self/status", O_RDONLY);
    _exit(fd < 0 ? 1 : 0);
  }
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    _exit(fd < 0 ? 1 : 2);
  }
  int st = wait_status(pid);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << "status " << st;
  EXPECT_EQ(WEXITSTATUS(wait_status(other)), 0);
  auto recs = rig.of(uint32_t(pid));
  unlink(path.c_str());
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].function, "file_open");  // process_lsm: the hook without security_
  EXPECT_TRUE(recs[0].lsm);
  ASSERT_EQ(recs[0].args.size(), 1u);
  EXPECT_EQ(recs[0].args[0].kind, Argument::Kind::kFile);
  EXPECT_EQ(recs[0].args[0].s, path);
  EXPECT_TRUE(rig.of(uint32_t(other), 0).empty());
}

// Where the kernel has neither kprobes nor trampolines (this machine), the policy is refused
// with what is missing; where it has them, the same policy loads.
TEST(KfuncHooks, RefusedWhereTheKernelHasNoMechanism) {
  OCTAGON_REQUIRE_SENSOR();
  bpf::FeatureProbe probe;
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("kfunc-none", kUnlinkat));
  if (probe.has(bpf::Feature::kKprobe) || probe.has(bpf::Feature::kFentry)) {
    EXPECT_TRUE(loaded) << loaded.error().describe();
    return;
  }
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find("kprobe on kernel function do_unlinkat needs kprobes or BPF "
                                          "trampolines (fentry), and this kernel has neither"),
            std::string::npos)
      << loaded.error().message();
}

}  // namespace
}  // namespace octagon::testing
