// T4 (host kernel): the `octagon` CLI against a running agent: getevents (live and from a saved
// log on stdin), status, version --server, unreachable agents and rejected requests.
#include <thread>

#include "e2e/api_fixture.h"
#include "e2e/cli_process.h"

namespace octagon::testing {
namespace {

class CliE2E : public ApiE2EBase {
protected:
  // Runs marker processes until `line` shows in `cli`'s output (the stream connects
  // asynchronously), at most ~10 s.
  bool trigger_until_seen(CliProcess& cli, const std::string& marker, const std::string& line) {
    for (int i = 0; i < 50; i++) {
      run_prog({testprog("exit_with"), "0", marker});
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (cli.out().find(line) != std::string::npos)
        return true;
    }
    return false;
  }
};

TEST_F(CliE2E, GeteventsCompactNeedsNoFlagsWithTheDefaultSocket) {
  address_ = "unix:///var/run/octagon/octagon.sock"; // the default: what the CLI uses unflagged
  auto agent = start_agent();
  CliProcess cli(dir_.string(), "getevents", {"getevents", "-o", "compact"});
  const std::string line =
      "🚀 process e2e-node " + canonical_testprog("exit_with") + " \"0 cli-marker\"\n";
  EXPECT_TRUE(trigger_until_seen(cli, "cli-marker", line)) << cli.out() << cli.err();
  const std::string exit_line =
      "💥 exit    e2e-node " + canonical_testprog("exit_with") + " \"0 cli-marker\" 0\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_NE(cli.out().find(exit_line), std::string::npos) << cli.out();
  EXPECT_EQ(cli.out().find("\x1b["), std::string::npos) << "no colours when not a terminal";
  cli.stop();
  EXPECT_EQ(agent->stop(), 0);
}

TEST_F(CliE2E, GeteventsFiltersJsonOutputAndColours) {
  auto agent = start_agent();
  CliProcess cli(dir_.string(), "getevents",
                 {"getevents", "--server-address", address_, "--process", "exit_with$", "-e",
                  "PROCESS_EXEC", "--color", "always", "-o", "compact", "--timestamps"});
  const std::string bin = canonical_testprog("exit_with");
  EXPECT_TRUE(trigger_until_seen(cli, "filtered", "filtered")) << cli.err();
  run_prog({testprog("static_true")});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string out = cli.out();
  EXPECT_EQ(out.find("static_true"), std::string::npos) << out;
  EXPECT_EQ(out.find("exit "), std::string::npos) << "only PROCESS_EXEC was asked for";
  EXPECT_NE(out.find("\x1b["), std::string::npos) << "--color always";
  EXPECT_EQ(out.substr(0, 2), "20") << "--timestamps prefixes the year";
  cli.stop();

  CliProcess json(dir_.string(), "json",
                  {"getevents", "--server-address", address_, "--process", "exit_with$"});
  EXPECT_TRUE(trigger_until_seen(json, "json-marker", "\"arguments\":\"0 json-marker\""))
      << json.out() << json.err();
  EXPECT_NE(json.out().find("{\"process_exec\":{\"process\":{\"exec_id\":"), std::string::npos);
  EXPECT_NE(json.out().find("\"node_name\":\"e2e-node\""), std::string::npos);
  json.stop();
  EXPECT_EQ(agent->stop(), 0);
}

TEST_F(CliE2E, GeteventsReadsASavedJsonLogFromStdin) {
  const std::string log = path("events.log");
  auto agent = start_agent({"--export-filename", log});
  const pid_t pid = run_prog({testprog("exit_with"), "5", "from log"});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(agent->stop(), 0); // also flushes the log
  const std::string bin = canonical_testprog("exit_with");
  CliResult r =
      run_cli(dir_.string(), {"getevents", "-o", "compact", "--process", "exit_with$"}, log);
  EXPECT_EQ(r.status, 0) << r.err;
  // Arguments with spaces are Go-quoted, as the agent's own compact output does.
  EXPECT_EQ(r.out, "🚀 process e2e-node " + bin +
                       " \"5 \\\"from log\\\"\"\n"
                       "💥 exit    e2e-node " +
                       bin + " \"5 \\\"from log\\\"\" 5\n")
      << r.out << "pid " << pid;
  // -o json passes the matching lines through unchanged.
  CliResult j =
      run_cli(dir_.string(), {"getevents", "--process", "exit_with$", "-e", "process_exit"}, log);
  EXPECT_EQ(j.status, 0);
  EXPECT_EQ(j.out.rfind("{\"process_exit\":", 0), 0u) << j.out;
  EXPECT_EQ(std::count(j.out.begin(), j.out.end(), '\n'), 1);
  // -f keeps only the named fields (then the event is re-encoded).
  CliResult f = run_cli(
      dir_.string(),
      {"getevents", "--process", "exit_with$", "-e", "PROCESS_EXEC", "-f", "process.binary"}, log);
  EXPECT_EQ(f.status, 0) << f.err;
  EXPECT_EQ(f.out.rfind("{\"process_exec\":{\"process\":{\"binary\":\"" + bin +
                            "\"}},\"node_name\":\"e2e-node\",\"time\":\"",
                        0),
            0u)
      << f.out;
}

TEST_F(CliE2E, StatusAndServerVersion) {
  auto agent = start_agent();
  CliResult s = run_cli(dir_.string(), {"status", "--server-address", address_});
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.out, "Health Status: running\n");
  CliResult v = run_cli(dir_.string(), {"version", "--server", "--server-address", address_});
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_EQ(v.out, "CLI version: 0.1.0\nServer version: 0.1.0\n");
  for (const char* cmd : {"getevents", "status", "version"}) {
    CliResult h = run_cli(dir_.string(), {cmd, "--help"});
    EXPECT_EQ(h.status, 0) << cmd;
    EXPECT_EQ(h.out.rfind(std::string("Usage: octagon ") + cmd, 0), 0u) << h.out;
  }
  EXPECT_EQ(agent->stop(), 0);
}

TEST_F(CliE2E, UnreachableAgentAndBadRequestsFailWithOneLine) {
  const std::string nowhere = "unix://" + path("nobody.sock");
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"status", "--server-address", nowhere},
                                             {"version", "--server", "--server-address", nowhere},
                                             {"getevents", "--server-address", nowhere}}) {
    CliResult r = run_cli(dir_.string(), args);
    EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1) << args[0] << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("cannot reach the agent at " + nowhere), std::string::npos) << r.err;
  }
  auto agent = start_agent();
  CliResult bad =
      run_cli(dir_.string(), {"getevents", "--server-address", address_, "--process", "(x"});
  EXPECT_TRUE(WIFEXITED(bad.status) && WEXITSTATUS(bad.status) == 1) << bad.err;
  EXPECT_EQ(bad.err, "octagon getevents: INVALID_ARGUMENT: allow_list[0] -- invalid binary_regex "
                     "'(x': missing ): (x\n");
  CliResult type = run_cli(dir_.string(), {"getevents", "-e", "PROCESS_NOPE"});
  EXPECT_TRUE(WIFEXITED(type.status) && WEXITSTATUS(type.status) == 2) << type.err;
  EXPECT_NE(type.err.find("unknown event type 'PROCESS_NOPE'"), std::string::npos);
  EXPECT_EQ(agent->stop(), 0);
}

} // namespace
} // namespace octagon::testing
