// Events produced by TracingPolicy hooks: process_kprobe, process_tracepoint, process_uprobe,
// process_usdt. Value types shared by the generic sensor's decoder and the exporters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <octagon/events/process.h>

namespace octagon::events {

// Tetragon's KprobeAction enum (event field `action` / `return_action`).
enum class KprobeAction : uint32_t {
  kUnknown = 0,
  kPost = 1,
  kSigkill = 3,
  kOverride = 5,
  kGetUrl = 7,
  kDnsLookup = 8,
  kNoPost = 9,
  kSignal = 10,
  kTrackSock = 11,
  kUntrackSock = 12,
  kNotifyEnforcer = 13,
  kCleanupEnforcerNotification = 14,
  kSet = 15,
};

// One KprobeArgument: which member of Tetragon's `arg` oneof is set, and its value.
struct Argument {
  enum class Kind : uint8_t {
    kInt,             // int_arg (int32)
    kUint,            // uint_arg (uint32)
    kLong,            // long_arg (int64, JSON string)
    kSize,            // size_arg (uint64, JSON string)
    kString,          // string_arg
    kBytes,           // bytes_arg (base64 in JSON)
    kTruncatedBytes,  // truncated_bytes_arg{bytes_arg, orig_size}
    kFile,            // file_arg{mount, path, flags, permission}
    kPath,            // path_arg{...}
    kLinuxBinprm,     // linux_binprm_arg{path, flags, permission}
    kSyscallId,       // syscall_id{id, abi}
    kSockaddr,        // sockaddr_arg{family, addr, port}
    kCapability,      // capability_arg{value, name}
    kError,           // error_arg{Message}: the argument could not be read
    kProcessCredentials,  // process_credentials_arg{uid..fsgid, securebits, caps, user_ns}
    kSockaddrUn,      // sockaddrun_arg{family, path}
  };
  Kind kind = Kind::kInt;
  int64_t i = 0;        // kInt, kLong, kCapability value
  uint64_t u = 0;       // kUint, kSize, kSyscallId id, kSockaddr port, kTruncatedBytes orig_size
  std::string s;        // kString, kBytes, path of kFile/kPath/kLinuxBinprm, kError message,
                        // kSockaddr addr, kSyscallId abi
  std::string mount;    // kFile/kPath
  std::string flags;    // kFile/kPath/kLinuxBinprm
  std::string permission;  // kFile/kPath/kLinuxBinprm, "-rw-r--r--"
  std::string family;   // kSockaddr: "AF_INET"
  std::string label;    // spec args[].label, printed when non-empty
  // kProcessCredentials
  Credentials creds;
  Capabilities caps;
  uint32_t securebits = 0;
  int32_t userns_level = 0;
  uint32_t userns_uid = 0, userns_gid = 0, userns_inum = 0;
};

// Tetragon's StackTraceEntry{address=1, offset=2, symbol=3, module=4}. Kernel frames: offset
// into the symbol, module set for module code only; user frames: offset into the mapped file,
// module its path. address is 0 (omitted) unless addresses are exposed.
struct StackTraceEntry {
  uint64_t address = 0;
  uint64_t offset = 0;
  std::string symbol;
  std::string module;
};

struct PolicyEventCommon {
  const Process* process = nullptr;
  const Process* parent = nullptr;
  std::vector<const Process*> ancestors;
  std::string policy_name;
  KprobeAction action = KprobeAction::kPost;
  std::string message;
  std::vector<std::string> tags;
  std::vector<Argument> args;
  uint64_t time_ns = 0;  // wall clock
};

struct KprobeEvent : PolicyEventCommon {
  std::string function_name;         // e.g. "__x64_sys_openat" (arch prefix kept, as Tetragon)
  std::optional<Argument> return_arg;
  KprobeAction return_action = KprobeAction::kUnknown;
  std::vector<StackTraceEntry> kernel_stack_trace;  // Post kernelStackTrace
  std::vector<StackTraceEntry> user_stack_trace;    // Post userStackTrace
  std::vector<Argument> data;                       // the hook's data[] entries (proto data=14)
};

struct TracepointEvent : PolicyEventCommon {
  std::string subsys;
  std::string event;
};

struct UprobeEvent : PolicyEventCommon {
  std::string path;
  std::string symbol;
  uint64_t offset = 0;
  uint64_t ref_ctr_offset = 0;
  std::optional<Argument> return_arg;  // uretprobes (return: true)
};

struct UsdtEvent : PolicyEventCommon {
  std::string path;
  std::string provider;
  std::string name;
};

}  // namespace octagon::events
