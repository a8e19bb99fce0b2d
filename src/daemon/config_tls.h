// The agent's --server-tls-* flags (Tetragon's names) as api::ServerTlsFiles, and their
// start-up check. TLS needs a TCP --server-address: with a unix:// address (root-only socket
// file, mode 0600) or with the API disabled (empty address) the flags are refused, never
// silently ignored.
#pragma once

#include <octagon/api/tls_material.h>
#include <octagon/base/result.h>
#include <octagon/daemon/config.h>

namespace octagon::daemon {

api::ServerTlsFiles server_tls_files(const AgentConfig& config);

// Called by parse_agent_config: flag combinations, then every file read and checked
// (api::load_server_tls), so that a bad certificate stops the agent before it loads anything.
Result<void> check_server_tls(const AgentConfig& config);

}  // namespace octagon::daemon
