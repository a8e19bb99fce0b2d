// Names Tetragon prints for numeric process data: capabilities, signals, exec flags.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace octagon::exporters {

// Tetragon's CapabilitiesType enum (api/v1/tetragon/capabilities.proto), indexed by capability
// bit: the Linux capability.h names, except bit 1, which Tetragon spells "DAC_OVERRIDE".
inline constexpr std::string_view kCapabilityNames[] = {
    "CAP_CHOWN",
    "DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

inline constexpr unsigned kCapSysAdmin = 21;

// Name of a capability bit; empty for bits Tetragon has no name for (protojson then prints the
// number).
constexpr std::string_view capability_name(unsigned bit) {
  return bit < std::size(kCapabilityNames) ? kCapabilityNames[bit] : std::string_view();
}

// Signal name as Tetragon prints it (Go's unix.SignalName: "SIGKILL"). Real-time signals, which
// Go leaves unnamed (Tetragon then drops the field), are "SIG32".."SIG64" here. Empty for 0 and
// numbers outside 1..64.
std::string_view signal_name(int signal);

// Appends the space-separated names of events::ProcessFlag bits: Tetragon's spellings in
// Tetragon's order (pkg/reader/exec: "execve rootcwd clone"), then the Octagon-only flags
// errorPathResolution, errorCreds, unknown, truncFilename.
void append_process_flags(uint32_t flags, std::string& out);

// Tetragon's KprobeAction enum names ("KPROBE_ACTION_POST"), by value 0..15 (events::KprobeAction
// plus the retired FOLLOWFD=2, UNFOLLOWFD=4, COPYFD=6, which the proto still names). Empty for
// other values (protojson then prints the number).
std::string_view kprobe_action_name(uint32_t action);

// Tetragon's names for setns(2) CLONE_NEW* flags (encoder.PrintNS: 0 is "any"); empty otherwise.
std::string_view clone_ns_name(int64_t flag);

} // namespace octagon::exporters
