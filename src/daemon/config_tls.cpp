#include <octagon/daemon/config_tls.h>

#include <cerrno>

#include <octagon/api/server.h>

namespace octagon::daemon {

api::ServerTlsFiles server_tls_files(const AgentConfig& config) {
  api::ServerTlsFiles f;
  f.cert_file = config.server_tls_cert_file;
  f.key_file = config.server_tls_key_file;
  f.client_ca_files = config.server_tls_client_ca_files;
  f.require_client_cert = config.server_tls_require_client_cert;
  return f;
}

Result<void> check_server_tls(const AgentConfig& config) {
  const api::ServerTlsFiles files = server_tls_files(config);
  if (!files.enabled()) return ok();
  if (config.server_address.empty()) {
    return make_error(EINVAL, "--server-tls-* flags given but the gRPC API is disabled "
                              "(empty --server-address); give a TCP address such as 127.0.0.1:54321");
  }
  if (!api::unix_socket_path(config.server_address).empty()) {
    return make_error(EINVAL, "--server-tls-* needs a TCP --server-address (host:port), not " +
                                  config.server_address +
                                  ": the unix socket is root-only (mode 0600) and stays plaintext");
  }
  OCTAGON_TRY(api::load_server_tls(files));
  return ok();
}

}  // namespace octagon::daemon
