// Names Tetragon prints for numeric process data: capabilities, signals, exec flags.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <octagon/events/capabilities.h>

namespace octagon::exporters {

using events::kCapSysAdmin;

// Tetragon's CapabilitiesType enum (api/v1/tetragon/capabilities.proto) by capability bit: the
// Linux names of events/capabilities.h, except bit 1, which Tetragon spells "DAC_OVERRIDE".
// Empty for bits Tetragon has no name for (protojson then prints the number).
constexpr std::string_view capability_name(unsigned bit) {
  if (bit == 1) return "DAC_OVERRIDE";
  return bit < std::size(events::kCapabilityNames) ? events::kCapabilityNames[bit]
                                                   : std::string_view();
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
