// Shared pieces of the CLI commands that talk to a running agent over gRPC.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <tetragon/sensors.grpc.pb.h>

#include <octagon/api/tls_material.h>
#include <octagon/base/result.h>

namespace octagon::cli {

// Global flags of the commands that talk to the agent (tetra's TLS flags), accepted anywhere
// after the command: --tls-ca-cert-files LIST (comma-separated, repeatable), --tls-cert-file,
// --tls-key-file, --tls-server-name, as "--flag VALUE" or "--flag=VALUE". They are removed from
// `args` (the command parses the rest). Any of the first three turns TLS on; --tls-server-name
// alone is an error (it would silently do nothing), and so is tetra's --tls-skip-verify (not
// supported: an unverified agent could feed the CLI anything).
Result<api::ClientTlsFiles> take_tls_flags(std::vector<std::string>& args);

// Loads and checks the files (api::load_client_tls) and makes make_stub() use TLS with them.
// A client key readable by others is reported on stderr, not refused.
Result<void> use_client_tls(const api::ClientTlsFiles& files);

// tetra's global --timeout DURATION ("30s", "500ms", "2m", "1h", or plain seconds; > 0), taken
// out of `args` like the TLS flags: the deadline of one-shot RPCs (status, version --server,
// tracingpolicy), and for getevents how long to wait for the connection (TLS handshake
// included) before giving up; the stream itself is not limited.
Result<void> take_timeout_flag(std::vector<std::string>& args);
// now + --timeout, or + `fallback` without the flag.
std::chrono::system_clock::time_point rpc_deadline(std::chrono::milliseconds fallback);
// make_stub for a stream: with --timeout, first waits that long for the connection; if it is
// not up by then, `ctx` gets a short deadline so that the call ends with the reason.
std::unique_ptr<tetragon::FineGuidanceSensors::Stub> make_stream_stub(const std::string& address,
                                                                      grpc::ClientContext& ctx);

// Help text of the flags above, for the commands' --help.
const char* tls_flags_help();

std::unique_ptr<tetragon::FineGuidanceSensors::Stub> make_stub(const std::string& address);

// One line, terminal-safe: "cannot reach the agent at ADDR: REASON" for UNAVAILABLE, else
// "CODE_NAME: message".
std::string describe_status(const grpc::Status& status, const std::string& address);

// Copy of an untrusted string with control bytes escaped as \xNN (server messages, flags).
std::string terminal_safe(const std::string& s);

} // namespace octagon::cli
