// The reject prefilter's argument read with a plain context load: a syscall hook whose every
// selector needs an integer Equal (or a string Equal/Prefix) runs the tracepoint program that
// loads that argument's record word itself (bpf/progs/generic/tracepoint.bpf.c oct_gen_tp_w<k>)
// instead of calling bpf_probe_read_kernel; the filter still passes exactly the matching calls.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <set>

#include "sensor/policy_rig.h"
#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

std::set<uint32_t> prog_ids() {
  std::set<uint32_t> ids;
  uint32_t id = 0;
  while (bpf_prog_get_next_id(id, &id) == 0) ids.insert(id);
  return ids;
}

// Names of the programs loaded since `before`.
std::multiset<std::string> new_programs(const std::set<uint32_t>& before) {
  std::multiset<std::string> names;
  for (uint32_t id : prog_ids()) {
    if (before.count(id)) continue;
    int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) continue;
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) names.insert(info.name);
    close(fd);
  }
  return names;
}

TEST(GenericDirectWord, IntEqualReadsItsRecordWord) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto before = prog_ids();
  // dup2's newfd is the second syscall argument: record offset 24, word 3.
  auto loaded = rig.load(policy_with("direct-int", R"(  kprobes:
  - call: sys_dup2
    syscall: true
    args: [{index: 1, type: int}]
    selectors:
    - matchArgs: [{index: 1, operator: Equal, values: ["907"]}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ(new_programs(before), (std::multiset<std::string>{"oct_gen_tp_w3"}));
  ASSERT_EQ(dup2(0, 906), 906);
  ASSERT_EQ(dup2(0, 907), 907);
  close(906);
  close(907);
  auto recs = rig.of(uint32_t(getpid()), 2);  // waits for a second one that must not come
  ASSERT_EQ(recs.size(), 1u);
  ASSERT_EQ(recs[0].args.size(), 1u);
  EXPECT_EQ(recs[0].args[0].i, 907);
}

TEST(GenericDirectWord, StringPrefixLoadsItsPointerWord) {
  OCTAGON_REQUIRE_SENSOR();
  DecodingPolicyRig rig;
  auto before = prog_ids();
  std::string dir = "/tmp/octagon-direct-word-" + std::to_string(getpid());
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  // openat's filename pointer is record offset 24: the entry program is oct_gen_tp_w3; the
  // exit half (deferred reads) keeps its own program.
  auto loaded = rig.load(policy_with("direct-str", R"(  kprobes:
  - call: sys_openat
    syscall: true
    args: [{index: 1, type: string}]
    selectors:
    - matchArgs: [{index: 1, operator: Prefix, values: [")" + dir + R"(/"]}]
)"));
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ(new_programs(before), (std::multiset<std::string>{"oct_gen_tp_w3", "oct_gen_tp_exit"}));
  std::string file = dir + "/f";
  int fd = open(file.c_str(), O_CREAT | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  close(fd);
  fd = open("/etc/hostname", O_RDONLY);
  if (fd >= 0) close(fd);
  auto recs = rig.of(uint32_t(getpid()), 2);
  unlink(file.c_str());
  rmdir(dir.c_str());
  ASSERT_EQ(recs.size(), 1u);
  ASSERT_EQ(recs[0].args.size(), 1u);
  EXPECT_EQ(recs[0].args[0].s, file);
}

}  // namespace
}  // namespace octagon::testing
