// Seeds the process cache from /proc at start-up (Tetragon's --procfs scan).
//
// Every thread-group leader under <proc_root> becomes a Process flagged procFS:
//   key          {pid, start ticks (stat field 22) * 1e9 / USER_HZ}: the same value the kernel
//                side derives for a process it never saw start (abi/process.h, OCT_USER_HZ);
//   parent_key   {ppid, parent's start ticks converted alike}; ppid 0 -> {0, 1}, the <kernel>
//                pseudo-process of make_kernel_process();
//   binary       readlink(exe); kernel threads (PF_KTHREAD) have no exe: their comm is used;
//                an unreadable exe falls back to argv[0] (else comm) with errorFilename;
//   arguments    cmdline via join_arguments(skip argv[0]);
//   cwd          readlink(cwd); "/" adds rootcwd, unreadable gives errorCWD;
//   creds/caps   Uid:/Gid: (real, effective, saved, fs), CapInh/CapPrm/CapEff of status;
//   auid         loginuid;  nspid: last NSpid: field;  ns: inode numbers of ns/* links;
//   docker       container id of the cgroup path (the `0::` line, else any v1 line).
// exec_id, parent_exec_id and refcnt are left empty: the caller knows the node name and owns
// the cache. Processes that exit mid-scan are skipped (ScanStats::vanished), and so are zombies
// (their exit already happened: a cache entry for them would never be released). Unreadable
// fields set error flags; nothing throws.
#pragma once

#include <octagon/base/result.h>
#include <octagon/events/process.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace octagon::events {

// Must equal OCT_USER_HZ of abi/process.h (the events layer does not see abi/; the unit test
// checks the two agree).
constexpr uint64_t kUserHz = 100;
constexpr uint64_t kNsPerTick = 1000000000ull / kUserHz;

// Boot-time ns of a /proc start time in clock ticks.
constexpr uint64_t ticks_to_ktime(uint64_t ticks) { return ticks * kNsPerTick; }

// Identity of the <kernel> pseudo-process (Tetragon's exec_id ":1:0"), parent of ppid 0.
constexpr ProcessKey kKernelProcessKey{0, 1};

struct ScanOptions {
  size_t max_args_bytes = 0;  // cmdline bytes kept (0: all); a longer one sets truncArgs
  std::string cgroup2_root;   // e.g. "/sys/fs/cgroup": cgroup_id = inode of root + path
};

struct ScanStats {
  size_t entries = 0;         // numeric directories seen
  size_t processes = 0;       // processes returned
  size_t kernel_threads = 0;  // of those, kernel threads
  size_t vanished = 0;        // exited during the scan: skipped
  size_t zombies = 0;         // exited, not reaped yet: skipped
  size_t not_leaders = 0;     // thread ids that are not thread-group leaders: skipped
  size_t field_errors = 0;    // processes returned with at least one error flag
};

// Scans every process under proc_root ("/proc"). Fails only when proc_root cannot be listed.
[[nodiscard]] Result<std::vector<Process>> scan_procfs(const std::string& proc_root,
                                                       const ScanOptions& opts,
                                                       ScanStats* stats = nullptr);

// Reads one process (e.g. to resolve a cache miss). nullopt when it is gone, a zombie or not a
// thread-group leader.
[[nodiscard]] std::optional<Process> scan_pid(const std::string& proc_root, uint32_t pid,
                                              const ScanOptions& opts);

// Stable reorder so that every process comes after its parent (when the parent is in `procs`).
// Cycle-safe: members of a cycle keep their relative order.
void order_parents_first(std::vector<Process>& procs);

// The pid 0 "<kernel>" pseudo-process: key {0, 1}, flags procFS.
Process make_kernel_process();

}  // namespace octagon::events
