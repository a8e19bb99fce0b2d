// T3: process filters of policy selectors, compiled from YAML by the real compiler and run by
// the generic hook on syscalls/sys_enter_openat (+ sys_exit_openat): real processes open one
// marker path per selector (matchArgs Equal), so each selector's count tells exactly which
// opens its process filter let through.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <octagon/daemon/policy_manager.h>

#include "sensor/selector_rig.h"
#include "sensor/sensor_fixture.h"
#include "test_helpers.h"

namespace octagon::testing {
namespace {

using Counts = std::vector<int>;

// Marker paths, one per selector; they need not exist (the open is what is hooked).
std::vector<std::string> markers(const std::string& test) {
  std::vector<std::string> out;
  for (int i = 0; i < OCT_GEN_MAX_SELECTORS; i++)
    out.push_back("/tmp/octagon-sel-" + test + "-" + std::to_string(getpid()) + "-" + std::to_string(i));
  return out;
}

std::vector<std::string> cmd(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

std::string probe() { return testprog("selector_probe"); }

void open_all(const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    int fd = open(p.c_str(), O_RDONLY);
    if (fd >= 0) close(fd);
  }
}

uint64_t ns_inode(const std::string& pid, const char* ns) {
  struct stat st{};
  return stat(("/proc/" + pid + "/ns/" + ns).c_str(), &st) == 0 ? st.st_ino : 0;
}

// Waits until process `pid` (not our child) has gone.
void wait_gone(pid_t pid) {
  for (int i = 0; i < 600 && kill(pid, 0) == 0; i++) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

TEST(GenericSelectors, MatchBinariesOperators) {
  OCTAGON_REQUIRE_SENSOR();
  auto m = markers("bin");
  std::string dir = probe().substr(0, probe().rfind('/') + 1);
  SelectorRig rig;
  ASSERT_OK(rig.load(openat_policy({
      {"matchBinaries: [{operator: In, values: [/usr/bin/cat]}]", m[0]},
      {"matchBinaries: [{operator: NotIn, values: [/usr/bin/cat, /usr/bin/true]}]", m[1]},
      {"matchBinaries: [{operator: Prefix, values: [\"" + dir + "\"]}]", m[2]},
      {"matchBinaries: [{operator: Postfix, values: [/cat, /dog]}]", m[3]},
      {"matchBinaries: [{operator: NotPrefix, values: [/usr/]}]", m[4]},
  })));
  ChildRun cat = run_child(cmd({"/usr/bin/cat"}, m));  // fails to read them: it opens each
  ChildRun self = run_child(cmd({probe(), "open"}, m));
  EXPECT_EQ(rig.per_selector(cat.pid), (Counts{1, 0, 0, 1, 0}));
  EXPECT_EQ(rig.per_selector(self.pid), (Counts{0, 1, 1, 0, 1}));
  auto recs = rig.of(cat.pid);
  ASSERT_FALSE(recs.empty());
  EXPECT_EQ(recs[0].args[0], m[0]);
}

TEST(GenericSelectors, FollowChildrenAndParentBinaries) {
  OCTAGON_REQUIRE_SENSOR();
  auto m = markers("follow");
  SelectorRig rig;
  ASSERT_OK(rig.load(openat_policy({
      {"matchBinaries: [{operator: In, followChildren: true, values: [\"" + probe() + "\"]}]", m[0]},
      {"matchBinaries: [{operator: In, values: [\"" + probe() + "\"]}]", m[1]},
      {"matchParentBinaries: [{operator: In, values: [\"" + probe() + "\"]}]", m[2]},
      {"matchBinaries: [{operator: NotPostfix, values: [/cat]}]", m[3]},
      {"matchParentBinaries: [{operator: NotIn, followChildren: true, values: [\"" + probe() + "\"]}]", m[4]},
  })));
  // cat as the grandchild of the probe, through a forked (not exec'd) child.
  ChildRun chain = run_child(cmd({probe(), "grandchild", "/usr/bin/cat"}, m));
  ChildRun cat = run_child(cmd({"/usr/bin/cat"}, m));
  ChildRun self = run_child(cmd({probe(), "open"}, m));
  ASSERT_TRUE(chain.pids.count("grandchild"));
  EXPECT_EQ(rig.per_selector(chain.pids["grandchild"]), (Counts{1, 0, 1, 0, 0}));
  EXPECT_EQ(rig.per_selector(cat.pid), (Counts{0, 0, 0, 0, 1}));
  EXPECT_EQ(rig.per_selector(self.pid), (Counts{1, 1, 0, 1, 1}));
}

// This test process exec'd before the rig's sensor started: its exec-info entry does not
// exist until a hook needs it, and is then filled from the task's exe_file.
TEST(GenericSelectors, ProcessesOlderThanTheSensorAreFilledLate) {
  OCTAGON_REQUIRE_SENSOR();
  auto m = markers("late");
  char self[4096] = {};
  ASSERT_GT(readlink("/proc/self/exe", self, sizeof self - 1), 0);
  SelectorRig rig;
  ASSERT_OK(rig.load(openat_policy({
      {"matchParentBinaries: [{operator: In, values: [\"" + std::string(self) + "\"]}]", m[0]},
      {"matchBinaries: [{operator: In, values: [\"" + std::string(self) + "\"]}]", m[1]},
      {"matchBinaries: [{operator: In, values: [/usr/bin/cat]}]", m[2]},
  })));
  ChildRun cat = run_child({"/usr/bin/cat", m[0], m[1], m[2]});
  open_all(m);
  EXPECT_EQ(rig.per_selector(cat.pid), (Counts{1, 0, 1, 0, 0}));
  EXPECT_EQ(rig.per_selector(getpid()), (Counts{0, 1, 0, 0, 0}));
}

TEST(GenericSelectors, MatchPidsFollowForksAndNamespacePids) {
  OCTAGON_REQUIRE_SENSOR();
  auto m = markers("pids");
  std::string me = std::to_string(getpid());
  SelectorRig rig;
  ASSERT_OK(rig.load(openat_policy({
      {"matchPIDs: [{operator: In, followForks: true, values: [" + me + "]}]", m[0]},
      {"matchPIDs: [{operator: In, values: [" + me + "]}]", m[1]},
      {"matchPIDs: [{operator: NotIn, followForks: true, values: [" + me + "]}]", m[2]},
      {"matchPIDs: [{operator: In, isNamespacePID: true, values: [1]}]", m[3]},
      {"matchPIDs: [{operator: NotIn, isNamespacePID: true, values: [1]}]", m[4]},
  })));
  open_all(m);
  ChildRun forked = run_child(cmd({probe(), "forkopen"}, m));
  ChildRun pidns = run_child(cmd({probe(), "unshare", "pid"}, m));
  ChildRun orphan = run_child(cmd({probe(), "orphan"}, m));
  ASSERT_TRUE(forked.pids.count("child") && pidns.pids.count("child") && orphan.pids.count("orphan"));
  wait_gone(orphan.pids["orphan"]);
  EXPECT_EQ(rig.per_selector(getpid()), (Counts{1, 1, 0, 0, 1}));
  EXPECT_EQ(rig.per_selector(forked.pid), (Counts{1, 0, 0, 0, 1}));
  EXPECT_EQ(rig.per_selector(forked.pids["child"]), (Counts{1, 0, 0, 0, 1}));
  EXPECT_EQ(rig.per_selector(pidns.pids["child"]), (Counts{1, 0, 0, 1, 0}));  // pid 1 in its namespace
  EXPECT_EQ(rig.per_selector(orphan.pids["orphan"]), (Counts{0, 0, 1, 0, 1}));  // reparented away
}

// Plain matchPIDs In on every selector and string Equal on every selector: the hook's reject
// prefilter (abi/generic.h oct_gen_prefilter) holds the union of their pids and the heads of
// their paths; only the selector with this process's pid and the opened path may match.
TEST(GenericSelectors, PlainMatchPidsOnEverySelectorUseTheirUnion) {
  OCTAGON_REQUIRE_SENSOR();
  auto m = markers("pidunion");
  std::string me = std::to_string(getpid());
  SelectorRig rig;
  ASSERT_OK(rig.load(openat_policy({
      {"matchPIDs: [{operator: In, values: [1]}]", m[0]},
      {"matchPIDs: [{operator: In, values: [4194000, " + me + "]}]", m[1]},
      {"matchPIDs: [{operator: In, values: [4194001]}]", m[2]},
  })));
  open_all(m);
  ChildRun forked = run_child(cmd({probe(), "forkopen"}, m));
  ASSERT_TRUE(forked.pids.count("child"));
  EXPECT_EQ(rig.per_selector(getpid()), (Counts{0, 1, 0, 0, 0}));
  EXPECT_EQ(rig.per_selector(forked.pid), (Counts{0, 0, 0, 0, 0}));
  EXPECT_EQ(rig.per_selector(forked.pids["child"]), (Counts{0, 0, 0, 0, 0}));
}

TEST(GenericSelectors, NamespacesAndNamespaceChanges) {
  OCTAGON_REQUIRE_SENSOR();
  auto kernel = daemon::TracefsKernelFacts::create();
  ASSERT_OK(kernel);
  auto host_uts = (*kernel)->host_namespace(policy::NamespaceType::kUts);
  if (!host_uts || ns_inode("self", "uts") != *host_uts)
    GTEST_SKIP() << "the test does not run in the host's uts namespace";
  auto m = markers("ns");
  SelectorRig rig;
  ASSERT_OK(rig.load(openat_policy({
      {"matchNamespaces: [{namespace: Uts, operator: In, values: [host_ns]}]", m[0]},
      {"matchNamespaces: [{namespace: Uts, operator: NotIn, values: [host_ns]}]", m[1]},
      {"matchNamespaceChanges: [{operator: In, values: [Uts]}]", m[2]},
      {"matchNamespaceChanges: [{operator: In, values: [Mnt]}]", m[3]},
      {"matchNamespaces: [{namespace: Mnt, operator: In, values: [\"" +
           std::to_string(ns_inode("self", "mnt")) + "\"]}]",
       m[4]},
  })));
  // Each opens all markers once in the host namespaces, then twice after unshare().
  ChildRun uts = run_child(cmd({probe(), "unshare", "uts"}, m));
  ChildRun mnt = run_child(cmd({probe(), "unshare", "mnt"}, m));
  EXPECT_EQ(WEXITSTATUS(uts.status), 0);
  // A change is reported once: the selector that saw it makes the new namespace the baseline.
  EXPECT_EQ(rig.per_selector(uts.pid), (Counts{1, 2, 1, 0, 3}));
  EXPECT_EQ(rig.per_selector(mnt.pid), (Counts{3, 0, 0, 1, 1}));
}

TEST(GenericSelectors, CapabilitiesAndCapabilityChanges) {
  OCTAGON_REQUIRE_SENSOR();
  auto m = markers("caps");
  SelectorRig rig;
  ASSERT_OK(rig.load(openat_policy({
      {"matchCapabilities: [{type: Effective, operator: In, values: [CAP_CHOWN]}]", m[0]},
      {"matchCapabilities: [{type: Effective, operator: NotIn, values: [CAP_CHOWN]}]", m[1]},
      {"matchCapabilityChanges: [{type: Effective, operator: In, values: [CAP_CHOWN]}]", m[2]},
      {"matchCapabilities: [{type: Permitted, operator: In, isNamespaceCapability: true, values: [CAP_SYS_ADMIN]}]",
       m[3]},
      {"matchCapabilityChanges: [{type: Effective, operator: NotIn, values: [CAP_CHOWN]}]", m[4]},
  })));
  // Open all once, change the capabilities, open all twice more.
  ChildRun chown = run_child(cmd({probe(), "dropcap", "0"}, m));         // drops CAP_CHOWN
  ChildRun dac = run_child(cmd({probe(), "dropcap", "1"}, m));           // drops CAP_DAC_OVERRIDE
  ChildRun nobody = run_child(cmd({probe(), "setuid", "65534"}, m));     // drops them all
  ChildRun userns = run_child(cmd({probe(), "unshare", "user"}, m));     // all, in a user namespace
  EXPECT_EQ(WEXITSTATUS(chown.status), 0);
  EXPECT_EQ(rig.per_selector(chown.pid), (Counts{1, 2, 1, 0, 0}));
  EXPECT_EQ(rig.per_selector(dac.pid), (Counts{3, 0, 0, 0, 1}));
  EXPECT_EQ(rig.per_selector(nobody.pid), (Counts{1, 2, 1, 0, 0}));
  // In its own user namespace it has every capability (selector 4 depends on whether it had all
  // before, i.e. on the bounding set it runs with).
  Counts u = rig.per_selector(userns.pid);
  u[4] = 0;
  EXPECT_EQ(u, (Counts{3, 0, 0, 2, 0}));
}

TEST(GenericSelectors, SubStringAndFileType) {
  OCTAGON_REQUIRE_SENSOR();
  std::string file = "/tmp/octagon-sel-ftype-" + std::to_string(getpid());
  std::ofstream(file) << "x";
  SelectorRig rig;
  ASSERT_OK(rig.load(R"(apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata: {name: ops}
spec:
  kprobes:
  - call: sys_fsync
    args: [{index: 0, type: fd}]
    selectors:
    - matchArgs: [{index: 0, operator: FileType, values: [reg]}]
    - matchArgs: [{index: 0, operator: NotFileType, values: [reg, dir]}]
  - call: sys_openat
    args: [{index: 1, type: string}]
    selectors:
    - matchArgs: [{index: 1, operator: SubString, values: [needle-in, "-sel-sub-"]}]
)"));
  ChildRun fsync = run_child({probe(), "fsync", file});
  std::string hit = "/tmp/octagon-sel-sub-" + std::to_string(getpid()) + "-haystack";
  ChildRun opens = run_child({probe(), "open", hit, "/tmp/octagon-sel-other", "/tmp/a-needle-in/x", "/tmp/needle-i"});
  auto fs = rig.of(fsync.pid);
  ASSERT_EQ(fs.size(), 2u);  // the regular file, the pipe; not the directory
  EXPECT_EQ(fs[0].ev.selector, 0);
  EXPECT_NE(fs[0].args[0].find("octagon-sel-ftype-"), std::string::npos);  // fd path, leaf first
  EXPECT_EQ(fs[1].ev.selector, 1);
  std::vector<std::string> matched;
  for (const auto& r : rig.of(opens.pid)) matched.push_back(r.args[0]);
  EXPECT_EQ(matched, (std::vector<std::string>{hit, "/tmp/a-needle-in/x"}));
  unlink(file.c_str());
}

}  // namespace
}  // namespace octagon::testing
