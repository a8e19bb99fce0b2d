// ApiServer: Tetragon's FineGuidanceSensors gRPC service (proto/tetragon/sensors.proto) on
// --server-address. Serves GetEvents (from an EventHub), GetHealth, GetVersion, GetInfo
// (version and name only) and the policy methods (Add/Delete/List/ConfigureTracingPolicy)
// over a PolicyControl; other methods answer UNIMPLEMENTED.
//
// A unix:// address is made root-only: a missing parent directory is created with mode 0700
// and the socket is chmod'ed to 0600 right after bind (an existing directory is left as is:
// we never change the mode of e.g. /tmp). A stale socket file at the path (nobody accepts on
// it) is removed first; a live one (another agent) or any other kind of file is an error.
//
// TLS (Tetragon's --server-tls-*): only on a TCP address; with client CAs, mutual TLS (client
// certificate required and verified). A unix socket with TLS is refused: its protection is the
// root-only socket file, and TLS there would only add a certificate to manage. A TCP address
// ending in :0 gets a free port; the log line and address() then carry the real one.
#pragma once

#include <memory>
#include <string>

#include <octagon/api/event_hub.h>
#include <octagon/api/policy_control.h>
#include <octagon/api/tls_material.h>
#include <octagon/base/result.h>

namespace grpc {
class Server;
}

namespace octagon::api {

inline constexpr const char* kDefaultServerAddress = "unix:///var/run/octagon/octagon.sock";

class FineGuidanceService;

class ApiServer {
public:
  // `policies` may be null (no policy engine: the policy methods answer UNAVAILABLE); it must
  // outlive the server.
  static Result<std::unique_ptr<ApiServer>> create(const std::string& address, EventHub& hub,
                                                   std::string version,
                                                   PolicyControl* policies = nullptr,
                                                   const ServerTls* tls = nullptr,
                                                   FilterOptions filter_options = {});
  ~ApiServer();
  // Ends all streams (the hub must be closed first so GetEvents loops return) and waits.
  void stop();
  const std::string& address() const { return address_; }

private:
  ApiServer() = default;
  std::string address_;
  std::string socket_path_; // unix sockets: removed at stop
  std::unique_ptr<FineGuidanceService> service_;
  std::unique_ptr<grpc::Server> server_;
};

// "unix:///x/y.sock" -> "/x/y.sock"; "unix:rel.sock" -> "rel.sock"; empty for other schemes.
std::string unix_socket_path(const std::string& address);

} // namespace octagon::api
