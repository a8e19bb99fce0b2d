// A compiled policy: what the sensors load (per-hook BPF plans and attach targets) and what
// user space needs to turn the kernel's records back into Tetragon events. Pure data.
#pragma once

#include <abi/generic.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <octagon/events/policy_event.h>
#include <octagon/policy/enums.h>

namespace octagon::policy {

enum class EventKind { kKprobe, kTracepoint, kUprobe, kUsdt, kLsm };

// How one captured argument is decoded and shown.
struct ArgRender {
  events::Argument::Kind kind = events::Argument::Kind::kInt;
  uint8_t bytes = 8;       // integers: width of the value
  bool is_signed = true;   // integers
  bool fd_path = false;    // captured bytes are path components of an fd (leaf first)
  std::string label;
  uint8_t capture = 0;     // enum oct_gen_arg_kind the bytes were captured as (0: per kind)
  bool nop = false;        // type nop: keeps its slot, never shown in events
};

// An action the agent performs in user space when a selector matched (the kernel sends the
// record even when the selector does not post).
struct UserAction {
  enum class Kind { kGetUrl, kDnsLookup };
  Kind kind = Kind::kGetUrl;
  std::string target;  // GetUrl: the http:// URL; DnsLookup: the name to resolve
};

// Per selector: what user space must know beyond the record.
struct SelectorRender {
  bool post = true;  // false (NoPost): the record only carries work for the agent
  std::vector<UserAction> user_actions;
};

// Everything about a hook that the kernel record does not carry.
struct HookRender {
  std::string policy_name;
  EventKind kind = EventKind::kKprobe;
  std::string function_name;  // kprobe events ("__x64_sys_openat")
  std::string subsys, event;  // tracepoint events
  std::vector<ArgRender> args;
  std::optional<ArgRender> ret;
  std::string message;
  std::vector<std::string> tags;
  std::vector<events::KprobeAction> selector_actions;  // per selector
  events::KprobeAction return_action = events::KprobeAction::kUnknown;
  std::vector<SelectorRender> selectors;  // per selector (index = record's selector)
  std::vector<std::string> notes;         // what this kernel does differently (policy notes)
  // uprobe and usdt events
  std::string path;            // the binary, as the policy names it
  std::string symbol;          // uprobes ("" for offsets and addrs)
  uint64_t offset = 0;         // uprobes: file offset of the probe
  uint64_t ref_ctr_offset = 0; // uprobes: refCtrOffsets entry
  std::string provider;        // usdts
  std::string probe_name;      // usdts
  // data[] entries (kprobes): captured after the args, shown in the event's `data` list.
  std::vector<ArgRender> data;
};

// Where one hook instance attaches. The sensors attach exactly this.
struct AttachTarget {
  // kKprobe (retprobe: kretprobe), kFentry, kFexit: kernel function `function`; kLsm: BPF-LSM
  // hook `function` (without the security_ prefix). Override: kFmodRet (BPF_MODIFY_RETURN on
  // `function`) and kKprobeOverride (a kprobe calling bpf_override_return); an LSM program
  // denies through its return value (lsm_may_deny).
  // kKprobeMulti: one kprobe.multi link on every function of `functions`, which share one plan;
  // each call's attach cookie is that function's hook id (`cookies`, set by the loader), which
  // the program puts in its events instead of the plan's.
  enum class Kind { kTracepoint, kRawTracepoint, kUprobe, kKprobe, kFentry, kFexit, kLsm, kFmodRet,
                    kKprobeOverride, kKprobeMulti };
  Kind kind = Kind::kTracepoint;
  std::string subsystem;        // tracepoints
  std::string event;            // tracepoints, raw tracepoints
  std::string binary;           // uprobes: ELF path
  uint64_t offset = 0;          // uprobes: file offset
  uint64_t ref_ctr_offset = 0;  // uprobes: USDT semaphore
  bool retprobe = false;        // uprobes, kprobes
  std::string function;         // kprobes, fentry/fexit, lsm
  bool lsm_may_deny = false;    // lsm: the program returns the Override's error (int hooks)
  std::vector<std::string> functions;  // kprobe.multi
  std::vector<uint64_t> cookies;       // kprobe.multi: a hook id per function
  // lsm with Post imaHash: a sleepable lsm.s program on the same hook hashes the file of the
  // hook's first argument (ima_file: 1 a struct file *, 2 a struct linux_binprm * whose file)
  // and sends the event.
  uint8_t ima_file = 0;
};

// "tracepoint syscalls/sys_enter_openat", "uprobe /bin/bash:0x1234", for errors and status.
std::string describe(const AttachTarget& t);

// One hook instance: where it attaches, and its plan.
struct HookAttach {
  AttachTarget target;
  oct_gen_config config{};
  std::vector<oct_gen_inmap_key> inmap;  // members of the InMap / NotInMap sets
  std::vector<oct_gen_lpm_key> binaries;  // members of the matchBinaries / matchParentBinaries sets
};

struct HookPlan {
  HookRender render;
  HookAttach enter;
  std::optional<HookAttach> exit;  // sys_exit half (return values, deferred reads)
  std::string mechanism;                 // for the policy status: "tracepoint syscalls/sys_enter_openat"
};

struct CompiledPolicy {
  std::string name;
  std::string namespace_;
  PolicyMode mode = PolicyMode::kEnforce;
  std::vector<HookPlan> hooks;
  std::vector<std::string> notes;  // e.g. "kprobe sys_openat runs on syscalls/sys_enter_openat"
  // spec.loader: true: process_loader events from the agent's loader sensor (no BPF program).
  bool loader = false;
};

}  // namespace octagon::policy
