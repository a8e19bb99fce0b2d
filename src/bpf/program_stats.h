// Run statistics of the BPF programs this process holds, for the overhead metrics. The kernel
// counts run_cnt / run_time_ns only while the sysctl kernel.bpf_stats_enabled is 1 or some
// process holds a BPF_ENABLE_STATS descriptor (bpftool prog profile, tests).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace octagon::bpf {

struct ProgramStats {
  uint32_t id = 0;
  std::string name;  // at most 15 characters (bpf_prog_info)
  std::string type;  // "tracepoint", "raw_tracepoint", "tracing", "kprobe" (uprobes), ...
  uint64_t run_count = 0;
  uint64_t run_time_ns = 0;
};

// Whether /proc/sys/kernel/bpf_stats_enabled reads 1.
bool bpf_stats_enabled();

// Every BPF program this process has a program or link file descriptor for (found through
// /proc/self/fdinfo, so the process sensor's and every policy's programs are included without
// asking them), each once, ordered by id.
std::vector<ProgramStats> own_program_stats();

}  // namespace octagon::bpf
