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

enum class EventKind { kKprobe, kTracepoint, kUprobe, kUsdt };

// How one captured argument is decoded and shown.
struct ArgRender {
  events::Argument::Kind kind = events::Argument::Kind::kInt;
  uint8_t bytes = 8;       // integers: width of the value
  bool is_signed = true;   // integers
  bool fd_path = false;    // captured bytes are path components of an fd (leaf first)
  std::string label;
  uint8_t capture = 0;     // enum oct_gen_arg_kind the bytes were captured as (0: per kind)
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
};

// Where one hook instance attaches, and its plan.
struct HookAttach {
  enum class Kind { kTracepoint, kRawTracepoint, kUprobe };
  Kind kind = Kind::kTracepoint;
  std::string subsystem;        // tracepoints
  std::string event;            // tracepoints, raw tracepoints
  std::string binary;           // uprobes: ELF path
  uint64_t offset = 0;          // uprobes: file offset
  uint64_t ref_ctr_offset = 0;  // uprobes: USDT semaphore
  bool retprobe = false;        // uprobes
  oct_gen_config config{};
  std::vector<oct_gen_inmap_key> inmap;  // members of the InMap / NotInMap sets
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
};

}  // namespace octagon::policy
