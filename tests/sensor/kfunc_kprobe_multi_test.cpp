// T3 (VM tier): a kprobes: list of kernel functions on one kprobe.multi link where the kernel has
// it (Debian 6.12), one hook per function where it does not (Debian 6.1: no CONFIG_FPROBE). Either
// way each event names the function that was called, with its arguments: a child makes and
// removes a directory and the test reads both calls back.
#include <sys/stat.h>

#include <filesystem>

#include <octagon/bpf/feature_probe.h>

#include "common/kernel_expect.h"
#include "sensor/policy_rig.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

namespace fs = std::filesystem;

TEST(KfuncKprobeMulti, ListOfFunctionsOnOneLinkNamesEachCall) {
  OCTAGON_REQUIRE_SENSOR();
  bpf::FeatureProbe probe;
  const bpf::Probe& kprobe = probe.get(bpf::Feature::kKprobe);
  OCTAGON_REQUIRE_MECHANISM("kprobe", kprobe.ok, "no kprobes here: " + kprobe.detail);
  const bpf::Probe& multi = probe.get(bpf::Feature::kKprobeMulti);
  // Where the tier promises the link (or its absence), the probe must agree.
  if (kernel_expect("kprobe_multi") == KernelExpect::kPresent) {
    EXPECT_TRUE(multi.ok) << multi.detail;
  } else if (kernel_expect("kprobe_multi") == KernelExpect::kMissing) {
    EXPECT_FALSE(multi.ok) << multi.detail;
  }

  DecodingPolicyRig rig;
  auto loaded = rig.load(policy_with("kfunc-multi", R"(  lists:
  - name: dirops
    values: [security_inode_mkdir, security_inode_rmdir]
  kprobes:
  - call: "list:dirops"
    syscall: false
    args: [{index: 1, type: dentry}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  auto status = rig.manager().status();
  ASSERT_EQ(status.size(), 1u);
  if (multi.ok) {
    ASSERT_EQ(status[0].mechanisms.size(), 1u);
    EXPECT_EQ(status[0].mechanisms[0], "kprobe.multi security_inode_mkdir,security_inode_rmdir");
  } else {
    EXPECT_EQ(status[0].mechanisms.size(), 2u);  // fentry (or kprobe) per function
    bool said = false;
    for (const auto& n : status[0].notes) said |= n.find("not one kprobe.multi link") != std::string::npos;
    EXPECT_TRUE(said) << "no note on why there is no kprobe.multi link";
  }

  std::string dir = "/run/octagon-kmulti-" + std::to_string(getpid());
  pid_t pid = fork();
  if (pid == 0) _exit(mkdir(dir.c_str(), 0700) == 0 && rmdir(dir.c_str()) == 0 ? 0 : 1);
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  auto recs = rig.of(uint32_t(pid), 2);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].function, "security_inode_mkdir");
  EXPECT_EQ(recs[1].function, "security_inode_rmdir");
  // A dentry's path runs up to the root of its file system (/run may be a mount of its own).
  std::string name = fs::path(dir).filename();
  for (const auto& r : recs) {
    ASSERT_EQ(r.args.size(), 1u) << r.function;
    EXPECT_TRUE(r.args[0].s == dir || r.args[0].s == "/" + name) << r.function << ": " << r.args[0].s;
  }
}

}  // namespace
}  // namespace octagon::testing
