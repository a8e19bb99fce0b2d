// The agent's --server-tls-* flags: parsed like every option (flags and YAML keys), and checked
// by parse_agent_config so that a bad combination or file never gets as far as loading BPF.
#include <octagon/daemon/config.h>
#include <octagon/daemon/config_tls.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "e2e/tls_pki.h"

namespace octagon::daemon {
namespace {

class ConfigTls : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("octagon-cfgtls-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    pki_error_ = testing::make_test_pki(dir_.string());
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
  void SetUp() override { ASSERT_EQ(pki_error_, ""); }
  static std::string path(const std::string& n) { return (dir_ / n).string(); }
  static inline std::filesystem::path dir_;
  static inline std::string pki_error_;
};

TEST_F(ConfigTls, FlagsAndYamlKeys) {
  auto c = parse_agent_config({"--server-address", "127.0.0.1:54321", "--server-tls-cert-file",
                               path("server.pem"), "--server-tls-key-file=" + path("server.key"),
                               "--server-tls-client-ca-files", path("ca.pem") + ", " + path("other-ca.pem"),
                               "--server-tls-require-client-cert"});
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_EQ(c->server_tls_cert_file, path("server.pem"));
  EXPECT_EQ(c->server_tls_key_file, path("server.key"));
  EXPECT_EQ(c->server_tls_client_ca_files, (std::vector<std::string>{path("ca.pem"), path("other-ca.pem")}));
  EXPECT_TRUE(c->server_tls_require_client_cert);
  EXPECT_TRUE(server_tls_files(*c).enabled());

  const std::string yaml = path("agent.yaml");
  std::ofstream(yaml) << "server-address: localhost:0\nserver-tls-cert-file: " << path("server.pem")
                      << "\nserver-tls-key-file: " << path("server.key")
                      << "\nserver-tls-client-ca-files:\n  - " << path("ca.pem") << "\n";
  auto y = parse_agent_config({"--config-file", yaml});
  ASSERT_TRUE(y.has_value()) << y.error().message();
  EXPECT_EQ(y->server_tls_client_ca_files, std::vector<std::string>{path("ca.pem")});
  EXPECT_FALSE(y->server_tls_require_client_cert);

  auto none = parse_agent_config({});
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(server_tls_files(*none).enabled());
  EXPECT_NE(usage().find("--server-tls-client-ca-files LIST"), std::string::npos);
}

TEST_F(ConfigTls, TlsNeedsATcpAddress) {
  const std::vector<std::string> tls = {"--server-tls-cert-file", path("server.pem"),
                                        "--server-tls-key-file", path("server.key")};
  auto on_default = parse_agent_config(tls);  // the default address is the unix socket
  ASSERT_FALSE(on_default.has_value());
  EXPECT_EQ(on_default.error().message(),
            "--server-tls-* needs a TCP --server-address (host:port), not "
            "unix:///var/run/octagon/octagon.sock: the unix socket is root-only (mode 0600) and "
            "stays plaintext");
  std::vector<std::string> off = tls;
  off.insert(off.end(), {"--server-address", ""});
  auto disabled = parse_agent_config(off);
  ASSERT_FALSE(disabled.has_value());
  EXPECT_NE(disabled.error().message().find("the gRPC API is disabled (empty --server-address)"),
            std::string::npos);
  auto help = parse_agent_config({"--server-tls-cert-file", "/nope", "--help"});
  EXPECT_TRUE(help.has_value()) << "--help is not blocked by the checks";
}

TEST_F(ConfigTls, FilesAreCheckedAtParseTime) {
  auto c = parse_agent_config({"--server-address", "127.0.0.1:0", "--server-tls-cert-file",
                               path("server.pem"), "--server-tls-key-file", path("stranger.key")});
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().message(), "--server-tls-key-file " + path("stranger.key") +
                                     ": does not match the certificate in --server-tls-cert-file " +
                                     path("server.pem"));
}

}  // namespace
}  // namespace octagon::daemon
