// Events produced by TracingPolicy hooks: process_kprobe, process_tracepoint, process_uprobe,
// process_usdt, process_lsm; and process_loader. Value types shared by the sensors' decoders
// and the exporters.
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
    // Kernel objects (their fields in `obj`, names in `s`):
    kSock,            // sock_arg{family, type, protocol, mark, priority, saddr, daddr, sport, dport, cookie, state}
    kSkb,             // skb_arg{hash, len, priority, mark, saddr, daddr, sport, dport, proto, sec_path_len,
                      //         sec_path_olen, protocol, family}
    kUserNs,          // user_ns_arg{level, uid, gid, ns{inum, is_host}} (userns_* fields)
    kKernelCapT,      // kernel_cap_t_arg: the set in hexadecimal (u)
    kCapInheritable,  // cap_inheritable_arg (u)
    kCapPermitted,    // cap_permitted_arg (u)
    kCapEffective,    // cap_effective_arg (u)
    kBpfAttr,         // bpf_attr_arg{ProgType, InsnCnt, ProgName}
    kBpfProg,         // bpf_prog_arg{ProgType, InsnCnt, ProgName}
    kBpfMap,          // bpf_map_arg{MapType, KeySize, ValueSize, MaxEntries, MapName}
    kPerfEvent,       // perf_event_arg{KprobeFunc, Type, Config, ProbeOffset}
    kModule,          // module_arg{name, signature_ok, tainted}
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
  // Kernel-object kinds (kSock..kModule); s holds the object's name (prog, map, module,
  // kprobe function) and family the address family.
  struct ObjectFields {
    std::string type;      // sock type (SOCK_STREAM), BPF prog/map type, perf event type
    std::string protocol;  // IPPROTO_TCP
    std::string state;     // TCP_ESTABLISHED
    std::string saddr, daddr;
    uint32_t sport = 0, dport = 0, mark = 0, priority = 0;
    uint32_t hash = 0, len = 0, proto = 0, sec_path_len = 0, sec_path_olen = 0;
    uint64_t cookie = 0;
    uint32_t insn_cnt = 0, key_size = 0, value_size = 0, max_entries = 0;
    uint64_t config = 0, probe_offset = 0;
    bool has_signature = false, signature_ok = false;
    uint64_t tainted = 0;  // kernel taint bits, as Tetragon's TaintedBitsType values
  } obj;
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

// process_lsm: a BPF-LSM hook (lsmhooks:).
struct LsmEvent : PolicyEventCommon {
  std::string function_name;  // the hook without the security_ prefix, e.g. "bprm_check_security"
  std::string ima_hash;       // Post imaHash: "<algo>:<hex digest>", e.g. "sha256:73ab..."; "" none
};

// process_loader (spec.loader: true): a process mapped an executable file (binary, ld.so,
// library). Not a hook event: no policy name, action or arguments (Tetragon's ProcessLoader).
struct LoaderEvent {
  const Process* process = nullptr;
  const Process* parent = nullptr;
  std::vector<const Process*> ancestors;
  std::string path;     // the mapped file, as the kernel names it
  std::string buildid;  // raw bytes of the file's GNU build id; empty when the kernel sent none
  uint64_t time_ns = 0;  // wall clock
};

}  // namespace octagon::events
