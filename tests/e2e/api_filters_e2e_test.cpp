// T4 (host kernel): GetEvents aggregation_options and the Filter fields labels, capabilities
// and in_init_tree against the real agent and real processes.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "e2e/api_fixture.h"

namespace octagon::testing {
namespace {

using tetragon::GetEventsRequest;
using tetragon::GetEventsResponse;

class ApiFiltersE2E : public ApiE2EBase {
protected:
  nlohmann::json status(AgentProcess& agent) {
    const size_t before = agent.err().size();
    kill(agent.pid(), SIGUSR1);
    for (int i = 0; i < 250; i++) {
      std::string err = agent.err();
      size_t at = err.find("{\"status\":", before);
      if (at != std::string::npos && err.find('\n', at) != std::string::npos)
        return nlohmann::json::parse(err.substr(at, err.find('\n', at) - at));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return {};
  }
};

uint32_t exec_pid(const GetEventsResponse& e) {
  return e.has_process_exec() ? e.process_exec().process().pid().value() : 0;
}

// Tetragon aggregates no event type: with aggregation_options every event still arrives on its
// own, in order, without aggregation_info (a count of 1 each, summing to the processes run).
TEST_F(ApiFiltersE2E, AggregationOptionsForwardEveryEventWithoutAggregationInfo) {
  auto agent = start_agent();
  GetEventsRequest req;
  req.mutable_aggregation_options()->mutable_window_size()->set_seconds(1);
  req.mutable_aggregation_options()->set_channel_buffer_size(1000);
  auto* f = req.add_allow_list();
  f->add_event_set(tetragon::PROCESS_EXEC);
  f->add_arguments_regex("^0 agg-");
  EventStream s;
  s.open(*stub(), req);
  constexpr int kProcs = 20;
  std::vector<uint32_t> pids;
  for (int i = 0; i < kProcs; i++)
    pids.push_back(uint32_t(run_prog({testprog("exit_with"), "0", "agg-" + std::to_string(i)})));
  std::vector<uint32_t> got;
  uint64_t counted = 0;
  GetEventsResponse e;
  while (got.size() < pids.size() && s.reader->Read(&e)) {
    EXPECT_FALSE(e.has_aggregation_info()) << e.DebugString();
    counted += e.has_aggregation_info() ? e.aggregation_info().count() : 1;
    got.push_back(exec_pid(e));
  }
  EXPECT_EQ(got, pids) << "every exec, in order";
  EXPECT_EQ(counted, uint64_t(kProcs));
  nlohmann::json st = status(*agent);
  ASSERT_TRUE(st.contains("status")) << agent->err();
  EXPECT_EQ(st["status"]["api"]["aggregation_dropped"], 0);
  EXPECT_EQ(agent->stop(), 0);
}

// A client that does not read: the aggregation sender blocks on flow control, its buffer of 4
// fills, and later events are dropped and counted; the agent still stops promptly.
TEST_F(ApiFiltersE2E, FullAggregationBufferDropsAreCountedInStatusAndMetrics) {
  auto agent = start_agent();
  grpc::ChannelArguments tiny;
  tiny.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  tiny.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1024);
  auto stalled_stub = stub(tiny);
  GetEventsRequest req;
  req.mutable_aggregation_options()->set_channel_buffer_size(4);
  EventStream stalled;
  stalled.open(*stalled_stub, req);
  for (int i = 0; i < 300; i++)
    run_prog({testprog("exit_with"), "0", "flood-" + std::to_string(i)});
  uint64_t dropped = 0;
  nlohmann::json api;
  for (int i = 0; i < 50 && dropped == 0; i++) {
    nlohmann::json st = status(*agent);
    ASSERT_TRUE(st.contains("status")) << agent->err();
    api = st["status"]["api"];
    dropped = api["aggregation_dropped"].get<uint64_t>();
    if (dropped == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GT(dropped, 0u) << api.dump();
  ASSERT_EQ(api["clients"].size(), 1u);
  EXPECT_EQ(api["clients"][0]["aggregation_dropped"].get<uint64_t>(), dropped);
  EXPECT_EQ(api["clients"][0]["dropped"].get<uint64_t>(), 0u) << "the hub queue kept up";
  const auto stop_start = std::chrono::steady_clock::now();
  EXPECT_EQ(agent->stop(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - stop_start, std::chrono::seconds(5));
}

// Effective capabilities: a root process keeps CAP_SYS_ADMIN; one started through setpriv with
// an empty bounding set and no inheritable capabilities execs with none.
TEST_F(ApiFiltersE2E, CapabilityFilterSeparatesRootFromDroppedCaps) {
  auto agent = start_agent({"--enable-process-cred"});
  auto request = [&](bool any) {
    GetEventsRequest req;
    auto* f = req.add_allow_list();
    f->add_event_set(tetragon::PROCESS_EXEC);
    f->add_binary_regex("/exit_with$");
    f->add_arguments_regex("^0 (root|capdrop)$"); // not other tests' processes
    auto* set = f->mutable_capabilities()->mutable_effective();
    if (any)
      set->add_any(tetragon::CAP_SYS_ADMIN);
    else
      set->add_none(tetragon::CAP_SYS_ADMIN);
    return req;
  };
  EventStream with_admin, without_admin;
  with_admin.open(*stub(), request(true));
  without_admin.open(*stub(), request(false));
  const pid_t dropped = run_prog({"/usr/bin/setpriv", "--inh-caps=-all", "--bounding-set=-all",
                                  testprog("exit_with"), "0", "capdrop"});
  const pid_t root = run_prog({testprog("exit_with"), "0", "root"});
  GetEventsResponse e;
  ASSERT_TRUE(with_admin.reader->Read(&e)) << agent->err();
  EXPECT_EQ(exec_pid(e), uint32_t(root)) << "the cap-dropped exec came first and must not pass";
  EXPECT_EQ(e.process_exec().process().arguments(), "0 root");
  ASSERT_TRUE(without_admin.reader->Read(&e));
  EXPECT_EQ(exec_pid(e), uint32_t(dropped));
  EXPECT_EQ(e.process_exec().process().cap().effective_size(), 0) << e.DebugString();
  EXPECT_EQ(agent->stop(), 0);
}

// in_init_tree: the first process of a new pid namespace (unshare --pid --fork) and its child
// are in the tree; a host process is not, nor is a process that nsenter puts into that pid
// namespace from outside.
TEST_F(ApiFiltersE2E, InInitTreeIsComputedExportedAndFiltered) {
  auto agent = start_agent({"--export-filename", path("events.json")});
  GetEventsRequest in_tree;
  auto* f = in_tree.add_allow_list();
  f->add_event_set(tetragon::PROCESS_EXEC);
  f->add_arguments_regex("^0 tree-");
  f->mutable_in_init_tree()->set_value(true);
  GetEventsRequest all_req;
  all_req.add_allow_list()->add_arguments_regex("^0 tree-");
  all_req.mutable_allow_list(0)->add_event_set(tetragon::PROCESS_EXEC);
  EventStream tree, all;
  tree.open(*stub(), in_tree);
  all.open(*stub(), all_req);

  run_prog({testprog("exit_with"), "0", "tree-host"});
  // sh is pid 1 of the new namespace; exit_with is its child.
  run_prog({"/usr/bin/unshare", "--pid", "--fork", "/bin/sh", "-c",
            testprog("exit_with") + " 0 tree-child; true"});
  // A long-lived namespace init, entered from outside by nsenter.
  pid_t unshare_pid = -1;
  {
    std::vector<std::string> argv = {"/usr/bin/unshare", "--pid", "--fork", testprog("idle")};
    std::vector<char*> a;
    for (auto& s : argv)
      a.push_back(s.data());
    a.push_back(nullptr);
    ASSERT_EQ(posix_spawn(&unshare_pid, a[0], nullptr, nullptr, a.data(), environ), 0);
  }
  std::string init_pid;
  for (int i = 0; i < 200 && init_pid.empty(); i++) {
    std::ifstream in("/proc/" + std::to_string(unshare_pid) + "/task/" +
                     std::to_string(unshare_pid) + "/children");
    in >> init_pid;
    if (init_pid.empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(init_pid.empty());
  run_prog({"/usr/bin/nsenter", "-t", init_pid, "-p", testprog("exit_with"), "0", "tree-entered"});
  kill(std::stoi(init_pid), SIGKILL);
  waitpid(unshare_pid, nullptr, 0);

  std::map<std::string, bool> seen; // arguments -> in_init_tree
  GetEventsResponse e;
  while (seen.size() < 3 && all.reader->Read(&e)) {
    const auto& p = e.process_exec().process();
    ASSERT_TRUE(p.has_in_init_tree()) << "set on every process, like Tetragon";
    seen[p.arguments()] = p.in_init_tree().value();
  }
  EXPECT_EQ(seen, (std::map<std::string, bool>{
                      {"0 tree-host", false}, {"0 tree-child", true}, {"0 tree-entered", false}}));
  ASSERT_TRUE(tree.reader->Read(&e));
  EXPECT_EQ(e.process_exec().process().arguments(), "0 tree-child");
  EXPECT_TRUE(e.process_exec().parent().in_init_tree().value()) << "sh, the namespace's pid 1";
  EXPECT_EQ(agent->stop(), 0);
  // The JSON export carries the same field.
  std::ifstream json(path("events.json"));
  std::string line;
  int lines = 0;
  while (std::getline(json, line)) {
    if (line.find("\"arguments\":\"0 tree-child\"") == std::string::npos ||
        line.find("\"process_exec\"") == std::string::npos)
      continue;
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["process_exec"]["process"]["in_init_tree"], true) << line;
    lines++;
  }
  EXPECT_EQ(lines, 1);
}

} // namespace
} // namespace octagon::testing
