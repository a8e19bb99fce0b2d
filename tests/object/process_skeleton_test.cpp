// T1 object tests: open the process sensor's BPF object without loading it (no root needed)
// and check its programs, maps and load-time configuration.
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include <abi/process.h>

#include "process_bpf.skel.h"

namespace {

struct SkelDeleter {
  void operator()(process_bpf* s) const { process_bpf__destroy(s); }
};

TEST(ProcessObject, ProgramsAndSections) {
  std::unique_ptr<process_bpf, SkelDeleter> skel(process_bpf__open());
  ASSERT_TRUE(skel);
  std::set<std::string> names;
  bpf_program* prog;
  bpf_object__for_each_program(prog, skel->obj) {
    std::string name = bpf_program__name(prog);
    EXPECT_LE(name.size(), 15u) << name << ": bpf_prog_info truncates longer names";
    names.insert(name + "=" + bpf_program__section_name(prog));
  }
  EXPECT_EQ(names, (std::set<std::string>{
                       "oct_exec_btf=tp_btf/sched_process_exec", "oct_exec_raw=raw_tp/sched_process_exec",
                       "oct_fork_btf=tp_btf/sched_process_fork", "oct_fork_raw=raw_tp/sched_process_fork",
                       "oct_exit_btf=tp_btf/sched_process_exit", "oct_exit_raw=raw_tp/sched_process_exit"}));
}

TEST(ProcessObject, MapsAndDefaults) {
  std::unique_ptr<process_bpf, SkelDeleter> skel(process_bpf__open());
  ASSERT_TRUE(skel);
  EXPECT_EQ(bpf_map__type(skel->maps.process_events), BPF_MAP_TYPE_RINGBUF);
  EXPECT_EQ(bpf_map__type(skel->maps.process_map), BPF_MAP_TYPE_HASH);
  EXPECT_EQ(bpf_map__key_size(skel->maps.process_map), sizeof(__u32));
  EXPECT_EQ(bpf_map__value_size(skel->maps.process_map), sizeof(oct_proc_entry));
  EXPECT_EQ(bpf_map__max_entries(skel->maps.process_missed), uint32_t(OCT_MSG_OP_MAX) * uint32_t(OCT_MISS_MAX));
  // The scratch heap holds a whole record plus walk state, within the per-CPU value limit.
  EXPECT_GE(bpf_map__value_size(skel->maps.process_heap), sizeof(oct_exec_event) + OCT_EXEC_DATA_MAX);
  EXPECT_LE(bpf_map__value_size(skel->maps.process_heap), 32768u);
  EXPECT_EQ(skel->rodata->oct_args_cap, uint32_t(OCT_ARGS_DEFAULT));
}

}  // namespace
