// Internal to the CLI: the channel make_stub() uses (plaintext, or TLS after use_client_tls).
#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

namespace octagon::cli {

std::shared_ptr<grpc::Channel> make_channel(const std::string& address);
bool tls_active();
// " (TLS: ...)" explaining a connection failure message when it looks like a TLS mismatch;
// empty otherwise.
std::string tls_hint(const std::string& message);

} // namespace octagon::cli
