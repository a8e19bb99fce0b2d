// TLS material for the gRPC API: PEM files named by flags, read and checked with OpenSSL before
// they reach gRPC, so that a bad file stops the agent (or the CLI) at start-up with an error
// naming the flag, the file and the cause, instead of failing every handshake later.
//
// Server (agent): Tetragon's --server-tls-cert-file / --server-tls-key-file /
// --server-tls-client-ca-files / --server-tls-require-client-cert. Client CA files turn on
// mutual TLS: a client certificate is then REQUIRED and verified against them (we never accept
// CA files and then let certificate-less clients in). The private key must not be accessible to
// group or others (mode & 077 == 0, as ssh demands), else the agent refuses to start.
//
// Client (CLI): tetra's --tls-ca-cert-files / --tls-cert-file / --tls-key-file /
// --tls-server-name. Without CA files the system roots are used.
#pragma once

#include <string>
#include <vector>

#include <octagon/base/result.h>

namespace octagon::api {

struct ServerTlsFiles {
  std::string cert_file;                     // --server-tls-cert-file (leaf first, then chain)
  std::string key_file;                      // --server-tls-key-file
  std::vector<std::string> client_ca_files;  // --server-tls-client-ca-files (mTLS)
  bool require_client_cert = false;          // --server-tls-require-client-cert
  bool enabled() const {
    return !cert_file.empty() || !key_file.empty() || !client_ca_files.empty() || require_client_cert;
  }
};

struct ServerTls {
  std::string cert_chain;  // PEM
  std::string private_key; // PEM
  std::string client_ca;   // PEM bundle; non-empty: client certificates required and verified
};

// Reads and checks every file: present, readable, regular, PEM that parses, the key matches
// the certificate, the key is not group/other accessible. Errors start with "--flag PATH: ".
Result<ServerTls> load_server_tls(const ServerTlsFiles& files);

struct ClientTlsFiles {
  std::vector<std::string> ca_files;  // --tls-ca-cert-files
  std::string cert_file;              // --tls-cert-file
  std::string key_file;               // --tls-key-file
  std::string server_name;            // --tls-server-name
  bool enabled() const { return !ca_files.empty() || !cert_file.empty() || !key_file.empty(); }
};

struct ClientTls {
  std::string roots;       // PEM; empty: the system roots
  std::string cert_chain;  // PEM; empty: no client certificate
  std::string private_key;
  std::string server_name; // empty: the host of the address
};

// As load_server_tls; a client key readable by others is only reported in `warning`.
Result<ClientTls> load_client_tls(const ClientTlsFiles& files, std::string* warning);

}  // namespace octagon::api
