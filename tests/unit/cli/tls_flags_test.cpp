// The CLI's global TLS flags (tetra's names): taken out of any command's arguments.
#include <octagon/cli/client.h>

#include <gtest/gtest.h>

namespace octagon::cli {
namespace {

TEST(TlsFlags, TakenOutOfTheArgumentsInBothForms) {
  std::vector<std::string> args = {"--server-address", "127.0.0.1:1", "--tls-ca-cert-files",
                                   "a.pem,b.pem", "-o", "compact", "--tls-ca-cert-files=c.pem",
                                   "--tls-cert-file=c.crt", "--tls-key-file", "c.key",
                                   "--tls-server-name", "agent.example", "--process", "x"};
  auto f = take_tls_flags(args);
  ASSERT_TRUE(f.has_value()) << f.error().message();
  EXPECT_EQ(f->ca_files, (std::vector<std::string>{"a.pem", "b.pem", "c.pem"}));
  EXPECT_EQ(f->cert_file, "c.crt");
  EXPECT_EQ(f->key_file, "c.key");
  EXPECT_EQ(f->server_name, "agent.example");
  EXPECT_TRUE(f->enabled());
  EXPECT_EQ(args, (std::vector<std::string>{"--server-address", "127.0.0.1:1", "-o", "compact",
                                            "--process", "x"}));
}

TEST(TlsFlags, NoFlagsNoTls) {
  std::vector<std::string> args = {"list", "-o", "json"};
  auto f = take_tls_flags(args);
  ASSERT_TRUE(f.has_value());
  EXPECT_FALSE(f->enabled());
  EXPECT_EQ(args.size(), 3u);
  ASSERT_TRUE(use_client_tls(*f).has_value());
}

TEST(TlsFlags, MistakesAreErrorsNamingTheFlag) {
  auto err = [](std::vector<std::string> args) {
    auto f = take_tls_flags(args);
    return f ? std::string() : f.error().message();
  };
  EXPECT_EQ(err({"--tls-ca-cert-files"}), "--tls-ca-cert-files: missing value");
  EXPECT_EQ(err({"--tls-cert-file", "--server-address"}), "--tls-cert-file: missing value");
  EXPECT_EQ(err({"--tls-key-file="}), "--tls-key-file: empty value");
  EXPECT_EQ(err({"--tls-cert-file", "c.pem"}), "--tls-cert-file and --tls-key-file must be given together");
  EXPECT_EQ(err({"--tls-server-name", "x"}),
            "--tls-server-name needs TLS: give --tls-ca-cert-files (or --tls-cert-file/--tls-key-file)");
  EXPECT_EQ(err({"--tls-skip-verify"}),
            "--tls-skip-verify is not supported: give the agent's CA with --tls-ca-cert-files");
  EXPECT_NE(err({"--tls-ca-file", "x"}).find("unknown flag --tls-ca-file"), std::string::npos);
}

TEST(TlsFlags, MissingFilesAreReportedBeforeDialing) {
  api::ClientTlsFiles f;
  f.ca_files = {"/nonexistent/ca.pem"};
  auto r = use_client_tls(f);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(),
            "--tls-ca-cert-files /nonexistent/ca.pem: cannot open: No such file or directory");
}

}  // namespace
}  // namespace octagon::cli

namespace octagon::cli {
namespace {

TEST(TimeoutFlag, DurationsAndMistakes) {
  std::vector<std::string> args = {"-o", "json", "--timeout", "1500ms", "x"};
  ASSERT_TRUE(take_timeout_flag(args).has_value());
  EXPECT_EQ(args, (std::vector<std::string>{"-o", "json", "x"}));
  const auto before = std::chrono::system_clock::now();
  const auto deadline = rpc_deadline(std::chrono::seconds(30));
  const auto after = std::chrono::system_clock::now();
  EXPECT_GE(deadline - before, std::chrono::milliseconds(1500));
  EXPECT_LE(deadline - after, std::chrono::milliseconds(1500));
  for (const char* bad : {"--timeout=0", "--timeout=5x", "--timeout=", "--timeout=-1s"}) {
    std::vector<std::string> a = {bad};
    auto r = take_timeout_flag(a);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().message().find("is not a positive duration"), std::string::npos);
  }
  std::vector<std::string> missing = {"--timeout"};
  EXPECT_EQ(take_timeout_flag(missing).error().message(), "--timeout: missing value");
  std::vector<std::string> restore = {"--timeout=2m"};
  ASSERT_TRUE(take_timeout_flag(restore).has_value());
  EXPECT_GT(rpc_deadline(std::chrono::seconds(1)) - std::chrono::system_clock::now(),
            std::chrono::seconds(100));
}

}  // namespace
}  // namespace octagon::cli
