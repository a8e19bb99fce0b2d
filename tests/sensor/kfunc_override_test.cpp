// Real prevention: TracingPolicies whose Override makes the operation fail, on the running
// kernel. Each test proves the operation did NOT happen (the file was not opened, the directory
// not created, the binary's first instruction never ran, the link does not exist) and that the
// event says what was done. Suites KfuncOverride* run in the VM tier (Debian kernels have
// BPF-LSM and fmod_ret on security_*, not fmod_ret on syscalls nor bpf_override_return); where
// a mechanism is missing they skip with the reason, or fail where the VM tier promises it.
// OverrideRefusal runs everywhere: an enforce-mode Override that this kernel cannot carry out is
// refused, naming what is missing.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <fstream>
#include <sstream>

#include <octagon/bpf/feature_probe.h>
#include <octagon/daemon/tracefs_kernel_facts.h>

#include "common/kernel_expect.h"
#include "sensor/policy_rig.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

namespace fs = std::filesystem;

#define REQUIRE_FEATURE(mechanism, feature)                                            \
  do {                                                                                 \
    bpf::FeatureProbe require_probe_;                                                  \
    const bpf::Probe& require_p_ = require_probe_.get(feature);                        \
    OCTAGON_REQUIRE_MECHANISM(mechanism, require_p_.ok, require_p_.detail);            \
  } while (0)

// The shared Tetragon example `name` (tests/fixtures/policies/tetragon-examples).
std::string example(const std::string& name) {
  std::ifstream in(std::string(OCTAGON_SOURCE_DIR) + "/tests/fixtures/policies/tetragon-examples/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << "no example " << name;
  return ss.str();
}

// A fresh directory under /tmp (a tmpfs in the VM guest), removed with the fixture.
class OverrideDir {
 public:
  OverrideDir() : path_("/tmp/octagon-override-" + std::to_string(getpid())) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~OverrideDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Runs fn in a child; its exit status (or signal) as wait_status gives it.
template <typename F>
pid_t child(F fn) {
  pid_t pid = fork();
  if (pid == 0) _exit(fn());
  return pid;
}

std::string lsm_file_open(const std::string& path, const std::string& actions) {
  return policy_with("override-file-open", R"(  lsmhooks:
  - hook: file_open
    args: [{index: 0, type: file}]
    selectors:
    - matchArgs:
      - {index: 0, operator: Equal, values: [")" + path + R"("]}
      matchActions: )" + actions + "\n");
}

TEST(KfuncOverride, LsmFileOpenReturnsTheErrorAndTheFileIsNotOpened) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_FEATURE("lsm", bpf::Feature::kLsm);
  OverrideDir dir;
  std::string denied = dir / "denied", other = dir / "other";
  std::ofstream(denied) << "secret";
  std::ofstream(other) << "open";
  DecodingPolicyRig rig;
  auto loaded = rig.load(lsm_file_open(denied, "[{action: Override, argError: -1}]"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  // Exit 0: open failed with EPERM (argError -1); 2: it opened; 1: another error.
  pid_t pid = child([&] {
    int fd = open(denied.c_str(), O_RDONLY);
    return fd >= 0 ? 2 : errno == EPERM ? 0 : 1;
  });
  pid_t ok_pid = child([&] { return open(other.c_str(), O_RDONLY) >= 0 ? 0 : 1; });
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0) << "open was not denied with EPERM";
  EXPECT_EQ(WEXITSTATUS(wait_status(ok_pid)), 0) << "another file was denied too";
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].function, "file_open");
  EXPECT_TRUE(recs[0].lsm);
  ASSERT_EQ(recs[0].args.size(), 1u);
  EXPECT_EQ(recs[0].args[0].s, denied);
  EXPECT_EQ(recs[0].action, OCT_ACT_OVERRIDE);
  EXPECT_TRUE(recs[0].action_done);
  EXPECT_TRUE(recs[0].override_asked);
  EXPECT_TRUE(recs[0].override_done);
  EXPECT_EQ(recs[0].override_ret, -1);
  EXPECT_TRUE(rig.of(uint32_t(ok_pid), 0).empty());
}

TEST(KfuncOverride, MonitorModeDoesNotEnforce) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_FEATURE("lsm", bpf::Feature::kLsm);
  OverrideDir dir;
  std::string path = dir / "watched";
  std::ofstream(path) << "x";
  DecodingPolicyRig rig;
  policy::CompileOptions opts;
  opts.mode_override = policy::PolicyMode::kMonitor;
  auto loaded = rig.load(lsm_file_open(path, "[{action: Override, argError: -1}, {action: Sigkill}]"), opts);
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = child([&] { return open(path.c_str(), O_RDONLY) >= 0 ? 0 : 1; });
  int st = wait_status(pid);
  ASSERT_TRUE(WIFEXITED(st)) << "killed in monitor mode, status " << st;
  EXPECT_EQ(WEXITSTATUS(st), 0) << "open was denied in monitor mode";
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].action, OCT_ACT_SIGKILL);
  EXPECT_FALSE(recs[0].action_done);
  EXPECT_TRUE(recs[0].override_asked);
  EXPECT_FALSE(recs[0].override_done);
}

// override-security.yaml: selector 0 (matchBinaries /usr/bin/bash) posts, selector 1 makes
// security_inode_mkdir return -1 for every other process, through fmod_ret.
TEST(KfuncOverride, FmodRetSecurityInodeMkdirCreatesNoDirectory) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_FEATURE("fmod_ret", bpf::Feature::kFmodRet);
  OverrideDir dir;
  std::string target = dir / "made";
  DecodingPolicyRig rig;
  auto loaded = rig.load(example("override-security.yaml"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = child([&] { return mkdir(target.c_str(), 0700) == 0 ? 2 : errno == EPERM ? 0 : 1; });
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0) << "mkdir was not refused with EPERM";
  EXPECT_FALSE(fs::exists(target));
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].function, "security_inode_mkdir");
  EXPECT_EQ(recs[0].action, OCT_ACT_OVERRIDE);
  EXPECT_TRUE(recs[0].action_done);
  EXPECT_EQ(recs[0].override_ret, -1);
}

// The file's SHA-256 as sha256sum prints it ("" when it cannot run).
std::string sha256_of(const std::string& path) {
  std::string cmd = "sha256sum '" + path + "'";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return "";
  char buf[65] = {};
  size_t n = fread(buf, 1, 64, f);
  pclose(f);
  return n == 64 ? std::string(buf, 64) : "";
}

bool ima_hash_available() {
  bpf::FeatureProbe probe;
  return probe.has(bpf::Feature::kImaHash);
}

// lsm_bprm_check.yaml, unchanged: bash executing ".../contrib/tester-progs/nop" is denied
// (Override) and posted with the binary's IMA hash (Post imaHash, as Tetragon does). The program
// would create a marker file first thing; the marker never appears. The second run drops the
// Post action and adds Sigkill, which kills bash too.
TEST(KfuncOverride, LsmBprmCheckTheBinaryNeverRuns) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_FEATURE("lsm", bpf::Feature::kLsm);
  if (access("/usr/bin/bash", X_OK) != 0) GTEST_SKIP() << "the example's matchBinaries needs /usr/bin/bash";
  OverrideDir dir;
  fs::create_directories(dir / "contrib/tester-progs");
  std::string nop = dir / "contrib/tester-progs/nop";
  fs::copy_file(testprog("marker_first"), nop);
  std::string full = example("lsm_bprm_check.yaml");
  std::string yaml = full;
  size_t post = yaml.find("        - action: Post");
  ASSERT_NE(post, std::string::npos);
  yaml.resize(post);
  auto run = [&](const std::string& marker) {
    pid_t pid = child([&] {
      execl("/usr/bin/bash", "bash", "-c", (nop + " " + marker).c_str(), nullptr);
      return 127;
    });
    return std::make_pair(pid, wait_status(pid));
  };
  {
    // Without the policy the program runs and leaves its marker: the test can fail.
    auto [pid, st] = run(dir / "marker-unhooked");
    EXPECT_EQ(WEXITSTATUS(st), 0);
    EXPECT_TRUE(fs::exists(dir / "marker-unhooked"));
  }
  {
    const bool ima = ima_hash_available();
    DecodingPolicyRig rig;
    auto loaded = rig.load(ima ? full : yaml);
    ASSERT_TRUE(loaded) << loaded.error().describe();
    auto [pid, st] = run(dir / "marker-override");
    EXPECT_EQ(WEXITSTATUS(st), 126) << "bash should report the exec as not permitted, status " << st;
    EXPECT_FALSE(fs::exists(dir / "marker-override"));
    auto recs = rig.of(uint32_t(pid));
    ASSERT_GE(recs.size(), 1u);
    EXPECT_EQ(recs[0].function, "bprm_check_security");  // process_lsm: the hook without security_
    EXPECT_TRUE(recs[0].lsm);
    ASSERT_EQ(recs[0].args.size(), 1u);
    EXPECT_EQ(recs[0].args[0].s, nop);
    EXPECT_EQ(recs[0].action, OCT_ACT_OVERRIDE);
    EXPECT_TRUE(recs[0].action_done);
    if (ima)
      EXPECT_EQ(recs[0].ima_hash, "sha256:" + sha256_of(nop));
    else
      std::cerr << "imaHash not checked: this kernel has no bpf_ima_file_hash\n";
  }
  // Override and Sigkill in one selector: both happen.
  size_t name = yaml.find("name: \"lsm\"");
  ASSERT_NE(name, std::string::npos);
  yaml.replace(name, 11, "name: \"lsm-kill\"");
  DecodingPolicyRig rig;
  auto loaded = rig.load(yaml + "        - action: Sigkill\n");
  ASSERT_TRUE(loaded) << loaded.error().describe();
  auto [pid, st] = run(dir / "marker-kill");
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << "status " << st;
  EXPECT_FALSE(fs::exists(dir / "marker-kill"));
  auto recs = rig.of(uint32_t(pid));
  ASSERT_GE(recs.size(), 1u);
  EXPECT_EQ(recs[0].action, OCT_ACT_SIGKILL);  // action_done: the kill
  EXPECT_TRUE(recs[0].action_done);
  EXPECT_TRUE(recs[0].override_asked);
  EXPECT_TRUE(recs[0].override_done);
  EXPECT_EQ(recs[0].override_ret, -1);
}

// Whether Override can run on the arch syscall function here: fmod_ret on __x64_sys_linkat
// (error injection: no Debian kernel) or a kprobe with bpf_override_return.
policy::OverrideSupport syscall_override(const std::string& fn) {
  auto k = daemon::TracefsKernelFacts::create();
  if (!k) return {};
  return (*k)->override_support(fn);
}

// hardlink-override.yaml / symlink-override.yaml: linkat/symlinkat naming /etc/passwd return
// -1 (EPERM), and the link does not exist.
TEST(KfuncOverride, SyscallLinkatAndSymlinkatReturnTheError) {
  OCTAGON_REQUIRE_SENSOR();
  policy::OverrideSupport os = syscall_override("__x64_sys_linkat");
  bpf::FeatureProbe probe;
  bool can = (os.fmod_ret && probe.has(bpf::Feature::kFentry)) || (os.override_return && probe.has(bpf::Feature::kKprobe));
  OCTAGON_REQUIRE_MECHANISM("fmod_ret_syscall", can, os.fmod_ret_why + "; " + os.override_return_why);
  OverrideDir dir;
  DecodingPolicyRig rig;
  auto loaded = rig.load(example("hardlink-override.yaml"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  auto sym = rig.load(example("symlink-override.yaml"));
  ASSERT_TRUE(sym) << sym.error().describe();
  std::string hard = dir / "hard", soft = dir / "soft";
  pid_t pid = child([&] {
    int a = linkat(AT_FDCWD, "/etc/passwd", AT_FDCWD, hard.c_str(), 0) == 0 ? 2 : errno == EPERM ? 0 : 1;
    int b = symlinkat("/etc/passwd", AT_FDCWD, soft.c_str()) == 0 ? 20 : errno == EPERM ? 0 : 10;
    return a + b;
  });
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  EXPECT_FALSE(fs::exists(fs::symlink_status(hard)));
  EXPECT_FALSE(fs::exists(fs::symlink_status(soft)));
  auto recs = rig.of(uint32_t(pid), 2);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].function, "__x64_sys_linkat");
  EXPECT_EQ(recs[0].args[1].s, "/etc/passwd");
  EXPECT_EQ(recs[1].function, "__x64_sys_symlinkat");
  for (const auto& r : recs) {
    EXPECT_EQ(r.action, OCT_ACT_OVERRIDE);
    EXPECT_TRUE(r.action_done);
    EXPECT_EQ(r.override_ret, -1);
  }
}

// Where the kernel cannot make the syscall fail (this machine, Debian kernels), the enforce-mode
// example is refused with what is missing; in monitor mode it loads and observes.
TEST(KfuncOverride, SyscallOverrideRefusedWhereTheKernelCannot) {
  OCTAGON_REQUIRE_SENSOR();
  policy::OverrideSupport os = syscall_override("__x64_sys_linkat");
  bpf::FeatureProbe probe;
  if ((os.fmod_ret && probe.has(bpf::Feature::kFentry)) || (os.override_return && probe.has(bpf::Feature::kKprobe)))
    GTEST_SKIP() << "this kernel can override syscalls (SyscallLinkatAndSymlinkatReturnTheError tests it)";
  DecodingPolicyRig rig;
  auto loaded = rig.load(example("hardlink-override.yaml"));
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find("Override cannot work on this kernel for __x64_sys_linkat: fmod_ret: "),
            std::string::npos)
      << loaded.error().message();
  EXPECT_NE(loaded.error().message().find("kprobe with bpf_override_return: "), std::string::npos)
      << loaded.error().message();
  policy::CompileOptions monitor;
  monitor.mode_override = policy::PolicyMode::kMonitor;
  OverrideDir dir;
  auto watched = rig.load(example("symlink-override.yaml"), monitor);
  ASSERT_TRUE(watched) << watched.error().describe();
  std::string soft = dir / "soft";
  pid_t pid = child([&] { return symlinkat("/etc/passwd", AT_FDCWD, soft.c_str()) == 0 ? 0 : 1; });
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0) << "monitor mode must not prevent the symlink";
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].function, "__x64_sys_symlinkat");
  EXPECT_EQ(recs[0].action, OCT_ACT_OVERRIDE);
  EXPECT_FALSE(recs[0].action_done);
  EXPECT_FALSE(recs[0].override_done);
}

// Every shared Override example, in enforce mode, either loads (the kernel can prevent the
// operation) or is refused naming what is missing: never loaded as a pretend enforcement.
TEST(OverrideRefusal, EnforceModeOverrideLoadsOnlyWhereItCanPrevent) {
  OCTAGON_REQUIRE_SENSOR();
  bpf::FeatureProbe probe;
  struct Case {
    const char* file;
    bool can;
    const char* missing;
  } cases[] = {
      {"hardlink-override.yaml", false, "Override cannot work on this kernel for __x64_sys_linkat"},
      {"symlink-override.yaml", false, "Override cannot work on this kernel for __x64_sys_symlinkat"},
      {"override-security.yaml", probe.has(bpf::Feature::kFmodRet) && probe.has(bpf::Feature::kFentry),
       "security_inode_mkdir"},
  };
  policy::OverrideSupport os = syscall_override("__x64_sys_linkat");
  bool syscalls = (os.fmod_ret && probe.has(bpf::Feature::kFentry)) ||
                  (os.override_return && probe.has(bpf::Feature::kKprobe));
  cases[0].can = cases[1].can = syscalls;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    DecodingPolicyRig rig;
    auto loaded = rig.load(example(c.file));
    if (c.can) {
      EXPECT_TRUE(loaded) << loaded.error().describe();
      continue;
    }
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().message().find(c.missing), std::string::npos) << loaded.error().message();
    EXPECT_NE(loaded.error().message().find("test.yaml:"), std::string::npos) << "no file:line: " << loaded.error().message();
  }
}

// Post imaHash on bprm_check_security: the event of a real exec carries the SHA-256 of the
// executed binary (bpf_ima_file_hash in the sleepable lsm.s program), as sha256sum computes it;
// the exec itself goes on (no Override).
TEST(KfuncLsmIma, BprmCheckHashesTheExecutedBinary) {
  OCTAGON_REQUIRE_SENSOR();
  REQUIRE_FEATURE("lsm", bpf::Feature::kLsm);
  REQUIRE_FEATURE("ima_hash", bpf::Feature::kImaHash);
  OverrideDir dir;
  std::string bin = dir / "hashed-prog";
  fs::copy_file(testprog("marker_first"), bin);
  std::string want = sha256_of(bin);
  ASSERT_EQ(want.size(), 64u) << "sha256sum did not run";
  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("lsm-ima", R"(  lsmhooks:
  - hook: "bprm_check_security"
    args:
    - index: 0
      type: "linux_binprm"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Postfix"
        values: ["/hashed-prog"]
      matchActions:
      - action: Post
        imaHash: true
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  pid_t pid = child([&] {
    execl(bin.c_str(), bin.c_str(), (dir / "marker").c_str(), nullptr);
    return 127;
  });
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  EXPECT_TRUE(fs::exists(dir / "marker"));  // Post only: the binary ran
  auto recs = rig.of(uint32_t(pid));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_TRUE(recs[0].lsm);
  EXPECT_EQ(recs[0].function, "bprm_check_security");
  ASSERT_EQ(recs[0].args.size(), 1u);
  EXPECT_EQ(recs[0].args[0].s, bin);
  EXPECT_EQ(recs[0].ima_hash, "sha256:" + want);
}

}  // namespace
}  // namespace octagon::testing
