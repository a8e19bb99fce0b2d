// Captures libbpf's log (verifier output included) so that load errors can name their cause.
#pragma once

#include <string>

namespace octagon::bpf {

// Routes libbpf's messages into a per-thread buffer; warnings also go to the agent's log at
// debug level. Call once at start-up.
void install_libbpf_logger();

// Clears the current thread's captured libbpf log.
void clear_libbpf_log();

// The last `max_bytes` of the current thread's captured log (the verifier's verdict is at the end).
std::string libbpf_log_tail(size_t max_bytes = 1500);

}  // namespace octagon::bpf
