// A throwaway PKI for the TLS end-to-end tests, made with the `openssl` command: two CAs (the
// right one and a stranger), a server certificate for localhost/127.0.0.1, one for another
// name only, and client certificates from each CA. EC P-256 keys, valid for one day, mode 0600.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

namespace octagon::testing {

// Writes into `dir`: ca.pem, other-ca.pem, server.{pem,key}, named-server.{pem,key} (SAN
// DNS:agent.octagon.test only), client.{pem,key} (signed by ca), stranger.{pem,key} (signed by
// other-ca). Returns the openssl log on failure, empty on success.
inline std::string make_test_pki(const std::string& dir) {
  const std::string script = dir + "/make-pki.sh";
  std::ofstream(script) << R"(set -e
cd "$1"
umask 077
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() {
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 1 -subj "/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
# leaf NAME CA CN EXTENSIONS
leaf() {
  key "$1.key"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$3"
  printf '%s\n' "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 1 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
ca ca octagon-e2e-ca
ca other-ca octagon-e2e-stranger-ca
leaf server ca localhost "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
leaf named-server ca agent.octagon.test "subjectAltName=DNS:agent.octagon.test
extendedKeyUsage=serverAuth"
leaf client ca octagon-cli "extendedKeyUsage=clientAuth"
leaf stranger other-ca octagon-stranger "extendedKeyUsage=clientAuth"
)";
  const std::string log = dir + "/make-pki.log";
  const std::string cmd = "sh " + script + " " + dir + " >" + log + " 2>&1";
  if (std::system(cmd.c_str()) == 0) return "";
  std::ifstream in(log);
  return "openssl failed: " + std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace octagon::testing
