// T4: --redaction-filters and --field-filters on the real agent. A secret passed as a real
// process's argument (--password=S and --password S) shows as ***** and never as S in the JSON
// file, in a gRPC GetEvents stream, in the `parent` of its child and for a process seeded from
// /proc; binary_regex limits redaction to matching binaries; a field filter trims the JSON
// file's exec events; bad values stop the agent at start-up naming the flag and the line.
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "e2e/api_fixture.h"

namespace octagon::testing {
namespace {

using nlohmann::json;
using tetragon::GetEventsResponse;

constexpr const char* kRedactPassword = R"J({"redact":["--password(?:\\s+|=)(\\S*)"]})J";

std::string slurp(const std::string& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<json> events_in(const std::string& file) {
  std::vector<json> out;
  std::istringstream in(slurp(file));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

// The first event of `kind` (process_exec, process_exit) whose process has `pid`.
std::optional<json> find_event(const std::string& file, const char* kind, pid_t pid) {
  for (const json& ev : events_in(file))
    if (ev.contains(kind) && ev[kind]["process"]["pid"] == pid) return ev[kind];
  return std::nullopt;
}

std::optional<json> wait_event(const std::string& file, const char* kind, pid_t pid) {
  for (int i = 0; i < 250; i++) {
    if (auto e = find_event(file, kind, pid)) return e;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

class ExportFieldsE2E : public ApiE2EBase {};

TEST_F(ExportFieldsE2E, SecretsAreRedactedInFileStreamParentAndSeededProcesses) {
  const std::string log = path("events.log");
  const std::string exit_with = canonical_testprog("exit_with");
  // A process that exists before the agent: seeded from /proc, its exit is exported.
  pid_t idle = -1;
  {
    std::string prog = testprog("idle");
    char* argv[] = {prog.data(), const_cast<char*>("30"), const_cast<char*>("--password=seedsecret"),
                    nullptr};
    ASSERT_EQ(posix_spawn(&idle, argv[0], nullptr, nullptr, argv, environ), 0);
  }
  auto agent = start_agent({"--export-filename", log, "--enable-ancestors", "base",
                            "--redaction-filters", kRedactPassword});
  EventStream s;
  s.open(*stub(), {});
  const pid_t direct = run_prog({exit_with, "0", "--password=hunter2"});
  // sh forks exit_with: the child's parent is the shell, whose arguments hold the secret.
  const pid_t shell = run_prog({"/bin/sh", "-c", exit_with + " 7; exit 0", "sh", "--password",
                                "hunter2"});
  kill(idle, SIGTERM);
  waitpid(idle, nullptr, 0);

  std::vector<GetEventsResponse> seen;
  auto child = s.read_until([&](const GetEventsResponse& e) {
    seen.push_back(e);
    return e.has_process_exec() && e.process_exec().parent().pid().value() == uint32_t(shell);
  });
  ASSERT_TRUE(child) << agent->err();
  EXPECT_EQ(child->process_exec().process().arguments(), "7");
  EXPECT_EQ(child->process_exec().parent().arguments(),
            "-c \"" + exit_with + " 7; exit 0\" sh --password *****");
  bool direct_seen = false;
  for (const GetEventsResponse& e : seen) {
    const std::string text = e.DebugString();
    EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
    if (e.has_process_exec() && e.process_exec().process().pid().value() == uint32_t(direct)) {
      EXPECT_EQ(e.process_exec().process().arguments(), "0 --password=*****");
      direct_seen = true;
    }
  }
  EXPECT_TRUE(direct_seen);
  auto idle_exit = s.read_until([&](const GetEventsResponse& e) {
    return e.has_process_exit() && e.process_exit().process().pid().value() == uint32_t(idle);
  });
  ASSERT_TRUE(idle_exit);
  EXPECT_EQ(idle_exit->process_exit().process().arguments(), "30 --password=*****");

  ASSERT_TRUE(wait_event(log, "process_exit", idle)) << agent->err();
  ASSERT_EQ(agent->stop(), 0) << agent->err();
  const std::string file = slurp(log);
  EXPECT_EQ(file.find("hunter2"), std::string::npos);
  EXPECT_EQ(file.find("seedsecret"), std::string::npos);
  auto d = find_event(log, "process_exec", direct);
  ASSERT_TRUE(d) << file.substr(0, 2000);
  EXPECT_EQ((*d)["process"]["arguments"], "0 --password=*****");
  auto sh = find_event(log, "process_exec", shell);
  ASSERT_TRUE(sh);
  EXPECT_EQ((*sh)["process"]["arguments"], "-c \"" + exit_with + " 7; exit 0\" sh --password *****");
  bool child_seen = false;
  for (const json& ev : events_in(log)) {
    if (!ev.contains("process_exec") || ev["process_exec"]["parent"]["pid"] != shell) continue;
    child_seen = true;
    EXPECT_EQ(ev["process_exec"]["parent"]["arguments"],
              "-c \"" + exit_with + " 7; exit 0\" sh --password *****");
  }
  EXPECT_TRUE(child_seen);
  auto ie = find_event(log, "process_exit", idle);
  ASSERT_TRUE(ie);
  EXPECT_EQ((*ie)["process"]["arguments"], "30 --password=*****");
}

TEST_F(ExportFieldsE2E, BinaryRegexLimitsRedactionToMatchingBinaries) {
  const std::string log = path("events.log");
  const std::string exit_with = canonical_testprog("exit_with");
  auto agent = start_agent({"--export-filename", log, "--redaction-filters",
                            R"J({"binary_regex":["/exit_with$"],"redact":["--password(?:\\s+|=)(\\S*)"]})J"});
  const pid_t redacted = run_prog({exit_with, "0", "--password", "hunter2"});
  const pid_t other = run_prog({"/bin/true", "--password=visible"});
  auto r = wait_event(log, "process_exec", redacted);
  auto o = wait_event(log, "process_exec", other);
  ASSERT_TRUE(r && o) << agent->err();
  EXPECT_EQ((*r)["process"]["arguments"], "0 --password *****");
  EXPECT_EQ((*o)["process"]["arguments"], "--password=visible");
  ASSERT_EQ(agent->stop(), 0);
}

TEST_F(ExportFieldsE2E, FieldFilterIncludesOnlyProcessBinaryOfExecs) {
  const std::string log = path("events.log");
  const std::string exit_with = canonical_testprog("exit_with");
  auto agent = start_agent(
      {"--export-filename", log, "--field-filters",
       R"J({"fields":"process.binary","event_set":["PROCESS_EXEC"],"action":"INCLUDE"})J"});
  const pid_t pid = run_prog({exit_with, "3", "fields"});
  // The exec has no pid left to find it by: wait for the exit (not filtered), then look.
  auto exit = wait_event(log, "process_exit", pid);
  ASSERT_TRUE(exit) << agent->err();
  EXPECT_EQ((*exit)["status"], 3);
  EXPECT_EQ((*exit)["process"]["arguments"], "3 fields");
  ASSERT_EQ(agent->stop(), 0);
  int execs = 0, mine = 0;
  for (const json& ev : events_in(log)) {
    if (!ev.contains("process_exec")) continue;
    execs++;
    EXPECT_EQ(ev.size(), 3u) << ev.dump(); // process_exec, node_name, time
    EXPECT_EQ(ev["node_name"], "e2e-node");
    EXPECT_TRUE(ev["time"].is_string());
    const json& body = ev["process_exec"];
    ASSERT_EQ(body.size(), 1u) << ev.dump();
    ASSERT_EQ(body["process"].size(), 1u) << ev.dump();
    mine += body["process"]["binary"] == exit_with;
  }
  EXPECT_GE(execs, 1);
  EXPECT_EQ(mine, 1);
}

TEST_F(ExportFieldsE2E, BadValuesFailAtStartupNamingFlagAndLine) {
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  } cases[] = {
      {{"--redaction-filters", std::string(kRedactPassword) + "\n{\"redact\":[\"(x\"]}"},
       "--redaction-filters: line 2: redact: invalid regular expression"},
      {{"--redaction-filters", R"J({"redact":["--password=\\S+"]})J"},
       "--redaction-filters: line 1: redact: '--password=\\S+' has no capture group"},
      {{"--redaction-filters", "{not json"}, "--redaction-filters: line 1: not a RedactionFilter object"},
      {{"--redaction-filters", R"J({"match":[{"binary_regex":["x"]}],"redact":["(a)"]})J"},
       "--redaction-filters: line 1: 'match' is deprecated"},
      {{"--field-filters", "\n" R"J({"fields":"process.nope"})J"},
       "--field-filters: line 2: field 'process.nope' is not in the events"},
      {{"--field-filters", R"J({"fields":"process.binary","event_set":["PROCESS_NOPE"]})J"},
       "--field-filters: line 1: not a FieldFilter object"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"--export-stdout=false"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    AgentProcess bad(dir_.string(), args);
    const int st = bad.wait();
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) != 0) << c.expect;
    EXPECT_NE(bad.err().find(c.expect), std::string::npos) << bad.err();
    EXPECT_EQ(bad.err().find("exporting events"), std::string::npos) << bad.err();
  }
}

} // namespace
} // namespace octagon::testing
