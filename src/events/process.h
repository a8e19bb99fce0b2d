// The C++ event model: value types shared by decoder, process cache and exporters.
// Exporters depend on this header only (never on abi/ or libbpf).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace octagon::events {

// Identity of a process: tgid plus the boot-time ns of its exec (or fork). exec_id is
// base64("<node>:<ktime>:<pid>") of it (see exec_id.h).
struct ProcessKey {
  uint32_t pid = 0;
  uint64_t ktime = 0;
  bool operator==(const ProcessKey& o) const { return pid == o.pid && ktime == o.ktime; }
  bool operator!=(const ProcessKey& o) const { return !(*this == o); }
};

struct ProcessKeyHash {
  size_t operator()(const ProcessKey& k) const {
    return std::hash<uint64_t>{}(k.ktime * 0x9E3779B97F4A7C15ull ^ k.pid);
  }
};

// Tetragon's process flags, rendered space-separated in this order.
enum ProcessFlag : uint32_t {
  kFlagExecve = 1u << 0,
  kFlagProcFS = 1u << 1,
  kFlagClone = 1u << 2,
  kFlagRootCwd = 1u << 3,
  kFlagNoCwd = 1u << 4,
  kFlagTruncArgs = 1u << 5,
  kFlagErrorFilename = 1u << 6,
  kFlagErrorArgs = 1u << 7,
  kFlagErrorCwd = 1u << 8,
  kFlagMiss = 1u << 9,
  kFlagErrorCgroupName = 1u << 10,
  kFlagErrorPathResolutionCwd = 1u << 11,
  kFlagErrorPathResolution = 1u << 12,  // binary path walk incomplete
  kFlagErrorCreds = 1u << 13,
  kFlagUnknown = 1u << 14,  // process referenced before it was seen
  kFlagTruncFilename = 1u << 15,
};

struct Capabilities {
  uint64_t permitted = 0;
  uint64_t effective = 0;
  uint64_t inheritable = 0;
};

struct Namespaces {
  uint32_t uts = 0, ipc = 0, mnt = 0, pid = 0, pid_for_children = 0, net = 0, time = 0,
           time_for_children = 0, cgroup = 0, user = 0;
};

struct Credentials {
  uint32_t uid = 0, gid = 0, euid = 0, egid = 0, suid = 0, sgid = 0, fsuid = 0, fsgid = 0;
};

// Tetragon's ProcessPrivilegesChanged, as bits.
enum PrivilegeChange : uint32_t {
  kPrivRaisedExecFileCap = 1u << 0,
  kPrivRaisedExecFileSetuid = 1u << 1,
  kPrivRaisedExecFileSetgid = 1u << 2,
};

struct BinaryProperties {
  bool has_setuid = false;  // setuid bit applied: `setuid` holds the file owner
  uint32_t setuid = 0;
  bool has_setgid = false;
  uint32_t setgid = 0;
  uint32_t privileges_changed = 0;  // PrivilegeChange bits
  bool fileless = false;            // exec of a file with no links (memfd, deleted binary)
  uint64_t inode = 0;
  uint32_t links = 0;
  std::string path;  // set for fileless execs
  bool empty() const { return !has_setuid && !has_setgid && privileges_changed == 0 && !fileless; }
};

constexpr uint32_t kInvalidUid = 4294967295u;

struct Process {
  ProcessKey key;
  ProcessKey parent_key;  // pid 0, ktime 0: no parent known
  std::string exec_id;
  std::string parent_exec_id;
  uint32_t pid = 0;
  uint32_t tid = 0;
  uint32_t nspid = 0;
  uint32_t auid = kInvalidUid;
  Credentials creds;  // `uid` in JSON is creds.euid, as in Tetragon
  std::string cwd;
  std::string binary;
  std::string arguments;  // argv[1..] joined Tetragon-style; raw bytes, escaped on output
  uint32_t flags = 0;     // ProcessFlag bits
  uint64_t start_ktime = 0;  // boot ns; start_time is derived with the boot->wall offset
  Capabilities cap;
  Namespaces ns;
  uint64_t cgroup_id = 0;
  std::string docker;  // container id (Tetragon's `docker`: first 31 characters)
  BinaryProperties binary_properties;
  uint32_t refcnt = 0;
  // Tetragon's in_init_tree: the process is its pid namespace's pid 1 (a container's init),
  // or descends from such a process without leaving the tree (a `docker exec`/`nsenter`
  // entry is not in it). Exported on every process, true or false, like Tetragon's BoolValue.
  bool in_init_tree = false;
};

// Options that shape how a process is rendered (set once from config).
struct RenderOptions {
  bool include_cap = false;
  bool include_ns = false;
  bool include_creds = false;
  bool include_refcnt = false;
};

struct ExecEvent {
  const Process* process = nullptr;
  const Process* parent = nullptr;             // null: unknown, omitted
  std::vector<const Process*> ancestors;       // parent's parent first; empty unless enabled
  uint64_t time_ns = 0;                        // wall clock ns since epoch
};

struct ExitEvent {
  const Process* process = nullptr;
  const Process* parent = nullptr;
  std::vector<const Process*> ancestors;
  uint32_t status = 0;  // exit code, when not signalled
  int signal = 0;       // terminating signal, 0 when none
  uint64_t time_ns = 0;
};

// Decodes a wait status (exit_code of a task) into status or signal.
inline void decode_exit_code(uint32_t code, uint32_t& status, int& signal) {
  signal = static_cast<int>(code & 0x7f);
  status = signal ? 0 : (code >> 8) & 0xff;
}

}  // namespace octagon::events
