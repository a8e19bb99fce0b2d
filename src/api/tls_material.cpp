#include <octagon/api/tls_material.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <octagon/base/fd.h>

namespace octagon::api {
namespace {

constexpr size_t kMaxPemBytes = 1u << 20;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

// A named input: "--flag PATH" prefixes every error about it.
struct Named {
  const char* flag;
  const std::string& path;
  Unexpected fail(int err, const std::string& why) const {
    return make_error(err, std::string("--") + flag + " " + path + ": " + why);
  }
};

struct PemFile {
  std::string text;
  mode_t mode = 0;
};

Result<PemFile> read_pem(const Named& n) {
  if (n.path.empty()) return make_error(EINVAL, std::string("--") + n.flag + ": empty path");
  Fd fd(::open(n.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return n.fail(errno, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return n.fail(errno, std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return n.fail(EINVAL, "not a regular file");
  if (static_cast<size_t>(st.st_size) > kMaxPemBytes) return n.fail(EFBIG, "larger than 1 MiB");
  PemFile out;
  out.mode = st.st_mode;
  char buf[16384];
  for (;;) {
    ssize_t r = ::read(fd.get(), buf, sizeof(buf));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return n.fail(errno, std::string("cannot read: ") + std::strerror(errno));
    if (r == 0) break;
    out.text.append(buf, static_cast<size_t>(r));
    if (out.text.size() > kMaxPemBytes) return n.fail(EFBIG, "larger than 1 MiB");
  }
  if (out.text.empty()) return n.fail(EINVAL, "empty file");
  return out;
}

std::string openssl_reason() {
  unsigned long e = ERR_peek_last_error();
  const char* r = e != 0 ? ERR_reason_error_string(e) : nullptr;
  ERR_clear_error();
  return r != nullptr ? r : "unknown error";
}

// Every certificate in the file (at least one).
Result<std::vector<X509Ptr>> parse_certs(const Named& n, const std::string& text) {
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  std::vector<X509Ptr> certs;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(x);
  unsigned long e = ERR_peek_last_error();
  const bool clean_end = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
  if (certs.empty()) {
    if (clean_end) {
      ERR_clear_error();
      return n.fail(EINVAL, "no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
    }
    return n.fail(EINVAL, "malformed PEM certificate: " + openssl_reason());
  }
  if (e != 0 && !clean_end) return n.fail(EINVAL, "malformed PEM certificate: " + openssl_reason());
  ERR_clear_error();
  return certs;
}

// Never prompts for a passphrase: encrypted keys are refused.
int no_passphrase(char*, int, int, void*) { return -1; }

Result<KeyPtr> parse_key(const Named& n, const std::string& text) {
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    if (text.find("ENCRYPTED") != std::string::npos)
      return n.fail(EINVAL, "encrypted private keys are not supported (decrypt it first)");
    if (text.find("PRIVATE KEY-----") == std::string::npos) {
      ERR_clear_error();
      return n.fail(EINVAL, "no PEM private key in it (expected -----BEGIN PRIVATE KEY-----)");
    }
    return n.fail(EINVAL, "malformed PEM private key: " + openssl_reason());
  }
  ERR_clear_error();
  return key;
}

Result<void> check_pair(const Named& cert, const Named& key, X509* leaf, EVP_PKEY* pkey) {
  ERR_clear_error();
  if (X509_check_private_key(leaf, pkey) != 1) {
    ERR_clear_error();
    return key.fail(EINVAL, std::string("does not match the certificate in --") + cert.flag + " " +
                                cert.path);
  }
  return ok();
}

std::string mode_text(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

// A cert/key pair; `strict_key_mode` refuses a key that group or others may access.
Result<void> load_pair(const Named& cert, const Named& key, bool strict_key_mode,
                       std::string& cert_out, std::string& key_out, std::string* warning) {
  OCTAGON_ASSIGN_OR_RETURN(PemFile c, read_pem(cert));
  OCTAGON_ASSIGN_OR_RETURN(auto certs, parse_certs(cert, c.text));
  OCTAGON_ASSIGN_OR_RETURN(PemFile k, read_pem(key));
  if ((k.mode & 077) != 0) {
    const std::string why = "mode " + mode_text(k.mode) +
                            " lets group or others access the private key; chmod 600 it "
                            "(Kubernetes secret volume: defaultMode 0400)";
    if (strict_key_mode) return key.fail(EPERM, why);
    if (warning != nullptr) *warning = std::string("--") + key.flag + " " + key.path + ": " + why;
  }
  OCTAGON_ASSIGN_OR_RETURN(KeyPtr pkey, parse_key(key, k.text));
  OCTAGON_TRY(check_pair(cert, key, certs.front().get(), pkey.get()));
  cert_out = std::move(c.text);
  key_out = std::move(k.text);
  return ok();
}

Result<std::string> load_bundle(const char* flag, const std::vector<std::string>& paths) {
  std::string out;
  for (const std::string& p : paths) {
    Named n{flag, p};
    OCTAGON_ASSIGN_OR_RETURN(PemFile f, read_pem(n));
    OCTAGON_TRY(parse_certs(n, f.text));
    out += f.text;
    if (out.back() != '\n') out += '\n';
  }
  return out;
}

}  // namespace

Result<ServerTls> load_server_tls(const ServerTlsFiles& files) {
  if (files.cert_file.empty() || files.key_file.empty()) {
    return make_error(EINVAL, files.cert_file.empty()
                                  ? "--server-tls-cert-file is required with the other --server-tls-* flags"
                                  : "--server-tls-key-file is required with --server-tls-cert-file");
  }
  if (files.require_client_cert && files.client_ca_files.empty()) {
    return make_error(EINVAL, "--server-tls-require-client-cert needs --server-tls-client-ca-files "
                              "(the CAs that sign the client certificates)");
  }
  ServerTls out;
  OCTAGON_TRY(load_pair(Named{"server-tls-cert-file", files.cert_file},
                        Named{"server-tls-key-file", files.key_file}, true, out.cert_chain,
                        out.private_key, nullptr));
  OCTAGON_ASSIGN_OR_RETURN(out.client_ca, load_bundle("server-tls-client-ca-files", files.client_ca_files));
  return out;
}

Result<ClientTls> load_client_tls(const ClientTlsFiles& files, std::string* warning) {
  if (files.cert_file.empty() != files.key_file.empty()) {
    return make_error(EINVAL, "--tls-cert-file and --tls-key-file must be given together");
  }
  ClientTls out;
  out.server_name = files.server_name;
  if (!files.cert_file.empty()) {
    OCTAGON_TRY(load_pair(Named{"tls-cert-file", files.cert_file}, Named{"tls-key-file", files.key_file},
                          false, out.cert_chain, out.private_key, warning));
  }
  OCTAGON_ASSIGN_OR_RETURN(out.roots, load_bundle("tls-ca-cert-files", files.ca_files));
  return out;
}

}  // namespace octagon::api
