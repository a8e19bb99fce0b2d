// T4 (host kernel): the gRPC API over TLS and mutual TLS, end to end: the real agent on a free
// 127.0.0.1 port with certificates from a throwaway PKI (openssl), the real CLI with tetra's
// TLS flags. Proves status and a streamed exec event over TLS, clear one-line failures for a
// wrong CA, a plaintext client, a TLS client against a plaintext agent, a client without (or
// with a stranger's) certificate under mTLS, the server name override, and the agent's refusal
// to start with bad TLS material.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <thread>

#include "e2e/api_fixture.h"
#include "e2e/cli_process.h"
#include "e2e/tls_pki.h"

namespace octagon::testing {
namespace {

constexpr const char* kListening = "gRPC API listening on ";

class TlsE2E : public ApiE2EBase {
protected:
  void SetUp() override {
    ApiE2EBase::SetUp();
    if (IsSkipped())
      return;
    const std::string err = make_test_pki(dir_.string());
    ASSERT_EQ(err, "") << "openssl is in scripts/install-deps.sh";
  }

  // The agent on 127.0.0.1:0 with `tls` flags; address_ becomes 127.0.0.1:PORT.
  // Each agent gets its own `subdir` for its stdout/stderr files (a second agent must not
  // read the first one's log).
  std::unique_ptr<AgentProcess> start_tcp_agent(const std::vector<std::string>& tls,
                                                const std::string& subdir = "agent") {
    std::filesystem::create_directories(dir_ / subdir);
    std::vector<std::string> args = {"--node-name", "e2e-node", "--export-stdout=false",
                                     "--server-address", "127.0.0.1:0"};
    args.insert(args.end(), tls.begin(), tls.end());
    auto a = std::make_unique<AgentProcess>(path(subdir), args);
    EXPECT_TRUE(a->wait_stderr(kAgentReady)) << a->err();
    const std::string err = a->err();
    const size_t at = err.find(kListening);
    EXPECT_NE(at, std::string::npos) << err;
    if (at != std::string::npos) {
      const size_t start = at + std::string(kListening).size();
      address_ = err.substr(start, err.find_first_of(" \n", start) - start);
    }
    EXPECT_EQ(address_.rfind("127.0.0.1:", 0), 0u) << address_;
    EXPECT_NE(address_, "127.0.0.1:0");
    return a;
  }
  std::vector<std::string> server_tls() const {
    return {"--server-tls-cert-file", path("server.pem"), "--server-tls-key-file", path("server.key")};
  }
  std::vector<std::string> mtls() const {
    auto f = server_tls();
    f.insert(f.end(), {"--server-tls-client-ca-files", path("ca.pem")});
    return f;
  }
  // `octagon status` with `flags`; fails the test when it takes longer than the CLI's 10 s.
  CliResult status(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"status", "--server-address", address_};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto t0 = std::chrono::steady_clock::now();
    CliResult r = run_cli(dir_.string(), args);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(11)) << "no hang";
    return r;
  }
  // A failure: non-zero exit and exactly one line on stderr, containing `needle`.
  static void expect_one_line_failure(const CliResult& r, const std::string& needle) {
    EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) != 0) << r.status << r.err;
    EXPECT_EQ(r.out, "");
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }
  // Runs exit_with with `marker` until the getevents stream shows it (it connects
  // asynchronously), at most ~10 s.
  bool trigger_until_seen(CliProcess& cli, const std::string& marker) {
    for (int i = 0; i < 50; i++) {
      run_prog({testprog("exit_with"), "0", marker});
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (cli.out().find(marker) != std::string::npos)
        return true;
    }
    return false;
  }
};

TEST_F(TlsE2E, StatusAndEventsOverTlsWithTheRightCa) {
  auto agent = start_tcp_agent(server_tls());
  EXPECT_NE(agent->err().find("(TLS)"), std::string::npos) << agent->err();
  CliResult ok = status({"--tls-ca-cert-files", path("ca.pem")});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(ok.out, "Health Status: running\n");
  // The flag=value form and a CA list with the stranger's CA first.
  ok = status({"--tls-ca-cert-files=" + path("other-ca.pem") + "," + path("ca.pem")});
  EXPECT_EQ(ok.status, 0) << ok.err;

  CliProcess cli(dir_.string(), "getevents",
                 {"getevents", "--server-address", address_, "--tls-ca-cert-files", path("ca.pem"),
                  "--process", "exit_with$", "-e", "PROCESS_EXEC"});
  EXPECT_TRUE(trigger_until_seen(cli, "over-tls")) << cli.out() << cli.err();
  const std::string out = cli.out();
  EXPECT_NE(out.find("{\"process_exec\":{\"process\":{\"exec_id\":"), std::string::npos) << out;
  EXPECT_NE(out.find("\"binary\":\"" + canonical_testprog("exit_with") + "\""), std::string::npos);
  EXPECT_NE(out.find("\"arguments\":\"0 over-tls\""), std::string::npos) << out;
  cli.stop();
  EXPECT_EQ(agent->stop(), 0);
}

TEST_F(TlsE2E, WrongCaPlaintextClientAndTlsClientAgainstPlaintextFailClearly) {
  auto agent = start_tcp_agent(server_tls());
  expect_one_line_failure(status({"--tls-ca-cert-files", path("other-ca.pem")}),
                          "certificate");
  expect_one_line_failure(status({}), "TLS");  // plaintext client, TLS agent
  CliResult ge = run_cli(dir_.string(), {"getevents", "--server-address", address_,
                                         "--tls-ca-cert-files", path("other-ca.pem")});
  expect_one_line_failure(ge, "certificate");
  EXPECT_EQ(agent->stop(), 0);

  auto plain = start_tcp_agent({}, "plain");
  EXPECT_EQ(plain->err().find("(TLS)"), std::string::npos);
  expect_one_line_failure(status({"--tls-ca-cert-files", path("ca.pem")}), "TLS");
  EXPECT_EQ(status({}).status, 0);
  EXPECT_EQ(plain->stop(), 0);
}

TEST_F(TlsE2E, MutualTlsRejectsClientsWithoutACertificateFromTheClientCa) {
  auto agent = start_tcp_agent(mtls());
  EXPECT_NE(agent->err().find("(mTLS: client certificates required)"), std::string::npos);
  const std::string ca = path("ca.pem");
  expect_one_line_failure(status({"--tls-ca-cert-files", ca}), "certificate");
  expect_one_line_failure(status({"--tls-ca-cert-files", ca, "--tls-cert-file",
                                  path("stranger.pem"), "--tls-key-file", path("stranger.key")}),
                          "certificate");
  const std::vector<std::string> good = {"--tls-ca-cert-files", ca, "--tls-cert-file",
                                         path("client.pem"), "--tls-key-file", path("client.key")};
  CliResult ok = status(good);
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(ok.out, "Health Status: running\n");

  std::vector<std::string> args = {"getevents", "--server-address", address_, "--process",
                                   "exit_with$", "-e", "PROCESS_EXEC", "-o", "compact"};
  args.insert(args.end(), good.begin(), good.end());
  CliProcess cli(dir_.string(), "getevents", args);
  EXPECT_TRUE(trigger_until_seen(cli, "over-mtls")) << cli.out() << cli.err();
  EXPECT_NE(cli.out().find("🚀 process e2e-node " + canonical_testprog("exit_with") +
                           " \"0 over-mtls\""),
            std::string::npos)
      << cli.out();
  cli.stop();
  EXPECT_EQ(agent->stop(), 0);
}

TEST_F(TlsE2E, ServerNameOverrideVerifiesAnotherName) {
  auto agent = start_tcp_agent({"--server-tls-cert-file", path("named-server.pem"),
                                "--server-tls-key-file", path("named-server.key")});
  const std::string ca = path("ca.pem");
  expect_one_line_failure(status({"--tls-ca-cert-files", ca}), "certificate");
  CliResult ok = status({"--tls-ca-cert-files", ca, "--tls-server-name", "agent.octagon.test"});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(agent->stop(), 0);
}

// Bad TLS material: the agent exits at once (before loading anything) naming flag and cause.
TEST_F(TlsE2E, AgentRefusesToStartWithBadTlsMaterial) {
  std::ofstream(path("garbage.pem")) << "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n"
                                        "-----END CERTIFICATE-----\n";
  std::filesystem::copy_file(path("server.key"), path("open.key"));
  chmod(path("open.key").c_str(), 0644);
  const std::string cert = path("server.pem"), key = path("server.key");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--server-tls-cert-file", path("none.pem"), "--server-tls-key-file", key},
       "--server-tls-cert-file " + path("none.pem") + ": cannot open: No such file"},
      {{"--server-tls-cert-file", path("garbage.pem"), "--server-tls-key-file", key},
       "--server-tls-cert-file " + path("garbage.pem") + ": malformed PEM certificate"},
      {{"--server-tls-cert-file", cert, "--server-tls-key-file", path("client.key")},
       "--server-tls-key-file " + path("client.key") + ": does not match the certificate"},
      {{"--server-tls-cert-file", cert, "--server-tls-key-file", path("open.key")},
       "mode 0644 lets group or others access the private key"},
      {{"--server-tls-cert-file", cert},
       "--server-tls-key-file is required"},
      {{"--server-tls-cert-file", cert, "--server-tls-key-file", key,
        "--server-tls-require-client-cert"},
       "--server-tls-require-client-cert needs --server-tls-client-ca-files"},
      {{"--server-tls-cert-file", cert, "--server-tls-key-file", key,
        "--server-tls-client-ca-files", path("garbage.pem")},
       "--server-tls-client-ca-files " + path("garbage.pem") + ": malformed PEM"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"--export-stdout=false", "--server-address", "127.0.0.1:0"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    AgentProcess agent(dir_.string(), args);
    const int st = agent.wait();
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 2) << st << agent.err();
    EXPECT_NE(agent.err().find(c.message), std::string::npos) << agent.err();
    EXPECT_EQ(agent.err().find(kListening), std::string::npos);
  }
  // TLS on the (default) unix socket is refused, not ignored.
  AgentProcess unix_agent(dir_.string(), {"--export-stdout=false", "--server-address", address_,
                                          "--server-tls-cert-file", cert, "--server-tls-key-file", key});
  const int st = unix_agent.wait();
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 2) << st;
  EXPECT_NE(unix_agent.err().find("--server-tls-* needs a TCP --server-address"), std::string::npos)
      << unix_agent.err();
}

// A listener that never answers the TLS handshake (accepted by the kernel, never read): the
// CLI gives up after --timeout with one line instead of hanging.
TEST_F(TlsE2E, SilentListenerEndsAtTheTimeout) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  ASSERT_EQ(listen(fd, 16), 0);
  socklen_t len = sizeof(sa);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len), 0);
  address_ = "127.0.0.1:" + std::to_string(ntohs(sa.sin_port));
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"status"}, std::vector<std::string>{"getevents"}}) {
    std::vector<std::string> args = cmd;
    args.insert(args.end(), {"--server-address", address_, "--tls-ca-cert-files", path("ca.pem"),
                             "--timeout", "1s"});
    const auto t0 = std::chrono::steady_clock::now();
    CliResult r = run_cli(dir_.string(), args);
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_LT(took, std::chrono::seconds(5)) << cmd[0];
    expect_one_line_failure(r, "cannot reach the agent at " + address_);
  }
  close(fd);
}

// The CLI checks its own files before dialing: one line naming the flag.
TEST_F(TlsE2E, CliRefusesBadTlsFlagsWithOneLine) {
  address_ = "127.0.0.1:1";  // never dialed
  expect_one_line_failure(status({"--tls-ca-cert-files", path("none.pem")}),
                          "--tls-ca-cert-files " + path("none.pem") + ": cannot open");
  expect_one_line_failure(status({"--tls-cert-file", path("client.pem")}),
                          "--tls-cert-file and --tls-key-file must be given together");
  expect_one_line_failure(status({"--tls-ca-cert-files", path("ca.pem"), "--tls-cert-file",
                                  path("client.pem"), "--tls-key-file", path("server.key")}),
                          "does not match the certificate");
  expect_one_line_failure(status({"--tls-skip-verify"}), "--tls-skip-verify is not supported");
  expect_one_line_failure(status({"--tls-server-name", "x"}), "--tls-server-name needs TLS");
  expect_one_line_failure(status({"--timeout", "soon"}), "--timeout: 'soon' is not a positive duration");
}

}  // namespace
}  // namespace octagon::testing
