// Loading and checking the gRPC API's TLS files (api/tls_material.h) on a throwaway PKI made
// with the openssl command: what is accepted, and that every refusal names flag, file and cause.
#include <octagon/api/tls_material.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "e2e/tls_pki.h"

namespace octagon::api {
namespace {

class TlsMaterial : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("octagon-tls-unit-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    pki_error_ = testing::make_test_pki(dir_.string());
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
  void SetUp() override { ASSERT_EQ(pki_error_, "") << "openssl is in scripts/install-deps.sh"; }

  static std::string path(const std::string& n) { return (dir_ / n).string(); }
  static std::string write(const std::string& n, const std::string& text, mode_t mode = 0600) {
    std::ofstream(path(n)) << text;
    chmod(path(n).c_str(), mode);
    return path(n);
  }
  ServerTlsFiles server() const { return {path("server.pem"), path("server.key"), {}, false}; }
  static std::string error_of(const ServerTlsFiles& f) {
    auto r = load_server_tls(f);
    return r ? "" : r.error().message();
  }

  static inline std::filesystem::path dir_;
  static inline std::string pki_error_;
};

TEST_F(TlsMaterial, ServerPairWithAndWithoutClientCas) {
  auto tls = load_server_tls(server());
  ASSERT_TRUE(tls.has_value()) << tls.error().message();
  EXPECT_NE(tls->cert_chain.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(tls->private_key.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(tls->client_ca, "") << "no client CAs: no client certificates asked";

  ServerTlsFiles m = server();
  m.client_ca_files = {path("ca.pem"), path("other-ca.pem")};
  auto mtls = load_server_tls(m);
  ASSERT_TRUE(mtls.has_value()) << mtls.error().message();
  EXPECT_NE(mtls->client_ca.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(mtls->client_ca.find("BEGIN CERTIFICATE"), mtls->client_ca.rfind("BEGIN CERTIFICATE"))
      << "both bundles";
  m.require_client_cert = true;  // Tetragon's switch: same thing, accepted
  EXPECT_TRUE(load_server_tls(m).has_value());
}

TEST_F(TlsMaterial, EveryRefusalNamesFlagFileAndCause) {
  ServerTlsFiles f = server();
  f.cert_file = path("missing.pem");
  EXPECT_EQ(error_of(f), "--server-tls-cert-file " + path("missing.pem") +
                             ": cannot open: No such file or directory");
  f.cert_file = dir_.string();
  EXPECT_EQ(error_of(f), "--server-tls-cert-file " + dir_.string() + ": not a regular file");
  f.cert_file = write("empty.pem", "");
  EXPECT_EQ(error_of(f), "--server-tls-cert-file " + path("empty.pem") + ": empty file");
  f.cert_file = write("text.pem", "hello\n");
  EXPECT_EQ(error_of(f), "--server-tls-cert-file " + path("text.pem") +
                             ": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
  f.cert_file = write("bad.pem", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
  EXPECT_EQ(error_of(f).rfind("--server-tls-cert-file " + path("bad.pem") + ": malformed PEM certificate: ", 0), 0u)
      << error_of(f);
  f.cert_file = path("server.key");  // a key where the certificate belongs
  EXPECT_NE(error_of(f).find("no PEM certificate in it"), std::string::npos) << error_of(f);

  f = server();
  f.key_file = path("client.key");
  EXPECT_EQ(error_of(f), "--server-tls-key-file " + path("client.key") +
                             ": does not match the certificate in --server-tls-cert-file " +
                             path("server.pem"));
  f.key_file = path("server.pem");
  EXPECT_NE(error_of(f).find("no PEM private key in it"), std::string::npos) << error_of(f);
  std::filesystem::copy_file(path("server.key"), path("group.key"),
                             std::filesystem::copy_options::overwrite_existing);
  chmod(path("group.key").c_str(), 0640);
  f.key_file = path("group.key");
  EXPECT_EQ(error_of(f), "--server-tls-key-file " + path("group.key") +
                             ": mode 0640 lets group or others access the private key; chmod 600 "
                             "it (Kubernetes secret volume: defaultMode 0400)");
  chmod(path("group.key").c_str(), 0400);
  EXPECT_EQ(error_of(f), "") << "0400 is fine";

  const std::string enc = path("enc.key");
  ASSERT_EQ(std::system(("openssl pkey -in " + path("server.key") + " -aes256 -passout pass:x -out " +
                         enc + " 2>/dev/null && chmod 600 " + enc).c_str()), 0);
  f.key_file = enc;
  EXPECT_EQ(error_of(f), "--server-tls-key-file " + enc +
                             ": encrypted private keys are not supported (decrypt it first)");

  f = server();
  f.client_ca_files = {path("ca.pem"), path("text.pem")};
  EXPECT_NE(error_of(f).find("--server-tls-client-ca-files " + path("text.pem") + ": no PEM certificate"),
            std::string::npos) << error_of(f);
}

TEST_F(TlsMaterial, FlagCombinations) {
  ServerTlsFiles f = server();
  f.key_file.clear();
  EXPECT_EQ(error_of(f), "--server-tls-key-file is required with --server-tls-cert-file");
  f = server();
  f.cert_file.clear();
  EXPECT_EQ(error_of(f), "--server-tls-cert-file is required with the other --server-tls-* flags");
  f = server();
  f.require_client_cert = true;
  EXPECT_EQ(error_of(f), "--server-tls-require-client-cert needs --server-tls-client-ca-files "
                         "(the CAs that sign the client certificates)");
  EXPECT_FALSE(ServerTlsFiles{}.enabled());
  EXPECT_TRUE((ServerTlsFiles{"", "", {}, true}.enabled()));
}

TEST_F(TlsMaterial, ClientKeyReadableByOthersIsOnlyAWarning) {
  std::filesystem::copy_file(path("client.key"), path("client-open.key"),
                             std::filesystem::copy_options::overwrite_existing);
  chmod(path("client-open.key").c_str(), 0644);
  std::string warning;
  auto tls = load_client_tls({{path("ca.pem")}, path("client.pem"), path("client-open.key"), "n"}, &warning);
  ASSERT_TRUE(tls.has_value()) << tls.error().message();
  EXPECT_EQ(tls->server_name, "n");
  EXPECT_NE(tls->roots.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(warning.find("--tls-key-file " + path("client-open.key") + ": mode 0644"), std::string::npos)
      << warning;

  auto only_ca = load_client_tls({{path("ca.pem")}, "", "", ""}, &warning);
  ASSERT_TRUE(only_ca.has_value());
  EXPECT_EQ(only_ca->cert_chain, "");
  auto half = load_client_tls({{}, path("client.pem"), "", ""}, &warning);
  ASSERT_FALSE(half.has_value());
  EXPECT_EQ(half.error().message(), "--tls-cert-file and --tls-key-file must be given together");
  auto stranger = load_client_tls({{}, path("client.pem"), path("stranger.key"), ""}, &warning);
  ASSERT_FALSE(stranger.has_value());
  EXPECT_NE(stranger.error().message().find("does not match the certificate in --tls-cert-file"),
            std::string::npos);
}

}  // namespace
}  // namespace octagon::api
