// InMap / NotInMap on string arguments in the kernel: syscalls/sys_enter_openat with the
// filename field (type auto: a string). Only whole strings are members: a value's prefix or
// extension is not.
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "sensor/selector_rig.h"
#include "sensor/sensor_fixture.h"
#include "test_helpers.h"

namespace octagon::testing {
namespace {

TEST(GenericStringSet, InMapAndNotInMapOnStringsInTheKernel) {
  OCTAGON_REQUIRE_SENSOR();
  std::string base = "/tmp/octagon-strset-" + std::to_string(getpid()) + "-";
  std::string a = base + "a", bb = base + "bb";
  SelectorRig rig;
  // Field 6 of the format: 4 common fields, __syscall_nr, dfd, then filename.
  ASSERT_OK(rig.load("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: strset}\n"
                     "spec:\n  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_openat\n"
                     "    args: [{index: 6}]\n    selectors:\n"
                     "    - matchArgs: [{index: 0, operator: InMap, values: [\"" + a + "\", \"" + bb + "\"]}]\n"
                     "    - matchArgs:\n"
                     "      - {index: 0, operator: Prefix, values: [\"" + base + "\"]}\n"
                     "      - {index: 0, operator: NotInMap, values: [\"" + a + "\", \"" + bb + "\"]}\n"));
  for (const std::string& p : {a, bb, base + "c", a + "x", base, base + "b"}) {
    int fd = open(p.c_str(), O_RDONLY);
    if (fd >= 0) close(fd);
  }
  auto recs = rig.of(getpid());
  EXPECT_EQ(rig.per_selector(getpid()), (std::vector<int>{2, 4, 0, 0, 0}));
  ASSERT_EQ(recs.size(), 6u);
  EXPECT_EQ(recs[0].args[0], a);
  EXPECT_EQ(recs[1].args[0], bb);
  EXPECT_EQ(recs[2].ev.selector, 1);
}

}  // namespace
}  // namespace octagon::testing
