// fd arguments matched as paths in the kernel: kprobe sys_write with args [{type: fd}] and a
// Prefix (or Postfix/Equal) filter on it. This process writes to files inside and outside the
// prefix; only the writes to the matching files may reach user space.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "sensor/selector_rig.h"
#include "sensor/sensor_fixture.h"
#include "test_helpers.h"

namespace octagon::testing {
namespace {

void write_to(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(write(fd, "x", 1), 1);
  close(fd);
  unlink(path.c_str());
}

TEST(GenericFdPath, PrefixPostfixAndEqualOnFdPathsInTheKernel) {
  OCTAGON_REQUIRE_SENSOR();
  std::string dir = "/tmp/octagon-fdpath-" + std::to_string(getpid());
  std::string other = "/tmp/octagon-fdother-" + std::to_string(getpid());
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  SelectorRig rig;
  ASSERT_OK(rig.load("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: fdpath}\n"
                     "spec:\n  kprobes:\n  - call: sys_write\n    args: [{index: 0, type: fd}]\n"
                     "    selectors:\n"
                     "    - matchArgs: [{index: 0, operator: Prefix, values: [\"" + dir + "/\"]}]\n"
                     "    - matchArgs: [{index: 0, operator: Postfix, values: [\"" + other + ".log\"]}]\n"
                     "    - matchArgs: [{index: 0, operator: Equal, values: [\"" + other + ".eq\"]}]\n"));
  write_to(dir + "/inside");
  write_to(other + ".txt");  // matches no selector
  write_to(other + ".log");
  write_to(other + ".eq");
  write_to(dir + "-sibling");  // shares the prefix without its trailing slash
  auto recs = rig.of(getpid());
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].ev.selector, 0);
  EXPECT_EQ(recs[1].ev.selector, 1);
  EXPECT_EQ(recs[2].ev.selector, 2);
  EXPECT_EQ(rig.per_selector(getpid()), (std::vector<int>{1, 1, 1, 0, 0}));
  rmdir(dir.c_str());
}

// File-like kernel objects (here the linux_binprm of a raw tracepoint: a header, then the
// components) are joined the same way: Postfix /cat keeps the exec of cat only.
TEST(GenericFdPath, PostfixOnALinuxBinprmOfARawTracepoint) {
  OCTAGON_REQUIRE_SENSOR();
  SelectorRig rig;
  ASSERT_OK(rig.load("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: binprm}\n"
                     "spec:\n  tracepoints:\n  - subsystem: sched\n    event: sched_process_exec\n"
                     "    raw: true\n    args: [{index: 2, type: linux_binprm}]\n"
                     "    selectors:\n"
                     "    - matchArgs: [{index: 0, operator: Postfix, values: [/bin/cat]}]\n"
                     "    - matchArgs: [{index: 0, operator: NotPrefix, values: [/usr/, /bin/, /tmp/, /work/]}]\n"));
  ChildRun cat = run_child({"/usr/bin/cat", "/dev/null"});
  ChildRun tru = run_child({"/usr/bin/true"});
  EXPECT_EQ(rig.per_selector(cat.pid), (std::vector<int>{1, 0, 0, 0, 0}));
  EXPECT_TRUE(rig.of(tru.pid).empty());
}

}  // namespace
}  // namespace octagon::testing
