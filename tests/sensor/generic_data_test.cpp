// kprobe data[] entries read from the current task (source: current_task + resolve:) and
// matchData filtering them in the kernel: on sys_openat, the values are the opener's tgid, its
// parent's tgid and its comm; matchData keeps only processes whose parent is this test.
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "sensor/selector_rig.h"
#include "sensor/sensor_fixture.h"
#include "test_helpers.h"

namespace octagon::testing {
namespace {

int64_t as_int(const std::string& raw) {
  int64_t v = 0;
  memcpy(&v, raw.data(), std::min<size_t>(raw.size(), 8));
  return v;
}

TEST(GenericData, CurrentTaskValuesAreCapturedAndMatchDataFiltersInTheKernel) {
  OCTAGON_REQUIRE_SENSOR();
  std::string marker = "/tmp/octagon-data-" + std::to_string(getpid());
  SelectorRig rig;
  ASSERT_OK(rig.load(
      "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: data}\nspec:\n"
      "  kprobes:\n  - call: sys_openat\n    args: [{index: 1, type: string}]\n"
      "    data:\n"
      "    - {index: 0, type: int, source: current_task, resolve: tgid}\n"
      "    - {index: 1, type: int, source: current_task, resolve: real_parent.tgid}\n"
      "    - {index: 2, type: string, source: current_task, resolve: comm}\n"
      "    selectors:\n"
      "    - matchArgs: [{index: 1, operator: Equal, values: [\"" + marker + "\"]}]\n"
      "      matchData: [{index: 1, operator: Equal, values: [\"" + std::to_string(getpid()) + "\"]}]\n"));
  ChildRun cat = run_child({"/usr/bin/cat", marker});  // our child: reported
  ChildRun chain = run_child({testprog("selector_probe"), "grandchild", "/usr/bin/cat", marker});
  int fd = open(marker.c_str(), O_RDONLY);  // this process: its parent is not itself
  if (fd >= 0) close(fd);
  ASSERT_TRUE(chain.pids.count("grandchild"));

  auto recs = rig.of(cat.pid);
  ASSERT_EQ(recs.size(), 1u);
  const PolicyRecord& r = recs[0];
  ASSERT_EQ(r.ev.nargs, 4);
  ASSERT_EQ(r.args.size(), 4u);
  EXPECT_EQ(r.args[0], marker);
  EXPECT_EQ(as_int(r.args[1]), cat.pid);
  EXPECT_EQ(as_int(r.args[2]), getpid());
  EXPECT_EQ(r.args[3], "cat");
  EXPECT_TRUE(rig.of(chain.pids["grandchild"]).empty());  // parent: the probe's forked child
  EXPECT_TRUE(rig.of(getpid()).empty());
}

}  // namespace
}  // namespace octagon::testing
