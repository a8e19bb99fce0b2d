// T4 (host kernel): the agent's gRPC API (Tetragon's FineGuidanceSensors) with a raw gRPC
// client generated from Octagon's .proto (Tetragon's names and numbers): real processes, real
// events, filters, a stalled client, the socket's permissions, malformed requests.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include <octagon/events/exec_id.h>

#include "e2e/api_fixture.h"

namespace octagon::testing {
namespace {

using tetragon::GetEventsRequest;
using tetragon::GetEventsResponse;

class ApiE2E : public ApiE2EBase {};

bool exec_of(const GetEventsResponse& e, pid_t pid) {
  return e.has_process_exec() && e.process_exec().process().pid().value() == uint32_t(pid);
}

TEST_F(ApiE2E, RawClientReceivesExecWithTetragonFields) {
  auto agent = start_agent();
  EventStream s;
  s.open(*stub(), {});
  const pid_t pid = run_prog({testprog("exit_with"), "0", "raw client"});
  auto e = s.read_until([&](const GetEventsResponse& ev) { return exec_of(ev, pid); });
  ASSERT_TRUE(e) << agent->err();
  const tetragon::Process& p = e->process_exec().process();
  EXPECT_EQ(p.binary(), canonical_testprog("exit_with"));
  EXPECT_EQ(p.arguments(), "0 \"raw client\"");
  EXPECT_EQ(p.uid().value(), 0u);
  EXPECT_EQ(p.tid().value(), uint32_t(pid));
  EXPECT_EQ(p.flags().rfind("execve", 0), 0u);
  EXPECT_GT(p.start_time().seconds(), 1600000000);
  EXPECT_EQ(e->node_name(), "e2e-node");
  EXPECT_EQ(p.exec_id().substr(0, 8), events::base64_encode("e2e-node:").substr(0, 8));
  EXPECT_EQ(e->process_exec().parent().pid().value(), uint32_t(getpid()));
  EXPECT_EQ(p.parent_exec_id(), e->process_exec().parent().exec_id());
  // The exit follows, with the same exec_id.
  auto x = s.read_until([&](const GetEventsResponse& ev) {
    return ev.has_process_exit() && ev.process_exit().process().pid().value() == uint32_t(pid);
  });
  ASSERT_TRUE(x);
  EXPECT_EQ(x->process_exit().process().exec_id(), p.exec_id());
}

TEST_F(ApiE2E, FilteredStreamCarriesOnlyMatchingEvents) {
  auto agent = start_agent();
  GetEventsRequest req;
  auto* f = req.add_allow_list();
  f->add_event_set(tetragon::PROCESS_EXIT);
  f->add_binary_regex("/exit_with$");
  req.add_deny_list()->add_arguments_regex("^7 ");
  EventStream s;
  s.open(*stub(), req);
  run_prog({testprog("static_true")});            // other binary: filtered
  run_prog({testprog("exit_with"), "7", "deny"}); // denied by arguments
  const pid_t want = run_prog({testprog("exit_with"), "3", "allow"});
  GetEventsResponse e;
  std::vector<GetEventsResponse> got;
  while (s.reader->Read(&e)) {
    got.push_back(e);
    if (e.has_process_exit() && e.process_exit().process().pid().value() == uint32_t(want))
      break;
  }
  ASSERT_FALSE(got.empty());
  for (const auto& ev : got) {
    ASSERT_TRUE(ev.has_process_exit()) << ev.DebugString();
    EXPECT_EQ(ev.process_exit().process().binary(), canonical_testprog("exit_with"));
    EXPECT_NE(ev.process_exit().process().arguments(), "7 deny");
  }
  EXPECT_EQ(got.back().process_exit().status(), 3u);
}

TEST_F(ApiE2E, FieldFiltersTrimTheEventsOfOneClient) {
  auto agent = start_agent();
  GetEventsRequest req;
  req.add_allow_list()->add_binary_regex("/exit_with$");
  auto* inc = req.add_field_filters();
  inc->set_action(tetragon::INCLUDE);
  inc->mutable_fields()->add_paths("process.binary");
  inc->mutable_fields()->add_paths("process.pid");
  inc->add_event_set(tetragon::PROCESS_EXEC);
  EventStream trimmed, full;
  trimmed.open(*stub(), req);
  full.open(*stub(), {});
  const pid_t pid = run_prog({testprog("exit_with"), "0", "fields"});
  auto t = trimmed.read_until([&](const GetEventsResponse& ev) { return exec_of(ev, pid); });
  ASSERT_TRUE(t);
  EXPECT_EQ(t->process_exec().process().binary(), canonical_testprog("exit_with"));
  EXPECT_TRUE(t->process_exec().process().exec_id().empty());
  EXPECT_FALSE(t->process_exec().has_parent());
  EXPECT_EQ(t->node_name(), "e2e-node");
  // Exits are not in the filter's event_set: untouched.
  auto x = trimmed.read_until([&](const GetEventsResponse& ev) { return ev.has_process_exit(); });
  ASSERT_TRUE(x);
  EXPECT_FALSE(x->process_exit().process().exec_id().empty());
  // The other client's copy of the same event is complete.
  auto f = full.read_until([&](const GetEventsResponse& ev) { return exec_of(ev, pid); });
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->process_exec().process().exec_id().empty());
  EXPECT_TRUE(f->process_exec().has_parent());
}

// The newest {"status":…} line on the agent's stderr after a SIGUSR1.
nlohmann::json request_status(AgentProcess& agent) {
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

TEST_F(ApiE2E, StalledClientDoesNotBlockOthersAndItsDropsAreCounted) {
  auto agent = start_agent({"--server-client-queue-size", "16"});
  // The stalled client opens a stream with a tiny flow-control window and never reads.
  grpc::ChannelArguments tiny;
  tiny.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  tiny.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1024);
  auto stalled_stub = stub(tiny);
  EventStream stalled;
  stalled.open(*stalled_stub, {});
  // The live client wants the execs of one marker and reads them all.
  GetEventsRequest req;
  req.add_allow_list()->add_arguments_regex("^0 stall-");
  req.mutable_allow_list(0)->add_event_set(tetragon::PROCESS_EXEC);
  EventStream live;
  live.open(*stub(), req);
  constexpr int kProcs = 400;
  std::atomic<int> received{0};
  std::thread reader([&] {
    GetEventsResponse e;
    while (received < kProcs && live.reader->Read(&e))
      received++;
  });
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kProcs; i++)
    run_prog({testprog("exit_with"), "0", "stall-" + std::to_string(i)});
  reader.join();
  EXPECT_EQ(received.load(), kProcs);
  // The agent kept pace: 400 processes did not wait on the stalled client.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));

  nlohmann::json st = request_status(*agent);
  ASSERT_TRUE(st.contains("status")) << agent->err();
  const auto& api = st["status"]["api"];
  ASSERT_EQ(api["clients"].size(), 2u) << api.dump();
  bool saw_stalled = false, saw_live = false;
  for (const auto& c : api["clients"]) {
    if (c["filtered"].get<uint64_t>() == 0) { // the unfiltered, stalled one
      saw_stalled = true;
      EXPECT_GT(c["dropped"].get<uint64_t>(), 0u) << c.dump();
      EXPECT_LT(c["sent"].get<uint64_t>(), uint64_t(2 * kProcs)) << c.dump();
    } else {
      saw_live = true;
      EXPECT_EQ(c["dropped"].get<uint64_t>(), 0u) << c.dump();
      EXPECT_GE(c["sent"].get<uint64_t>(), uint64_t(kProcs)) << c.dump();
    }
  }
  EXPECT_TRUE(saw_stalled && saw_live) << api.dump();
  EXPECT_GE(api["dropped"].get<uint64_t>(), 1u);
  // Still connected and still not reading: the agent stops anyway, and promptly.
  const auto stop_start = std::chrono::steady_clock::now();
  EXPECT_EQ(agent->stop(), 0) << "a stalled client must not block the agent's shutdown";
  EXPECT_LT(std::chrono::steady_clock::now() - stop_start, std::chrono::seconds(5));
}

TEST_F(ApiE2E, MalformedRequestsGetInvalidArgumentOrUnimplemented) {
  auto agent = start_agent();
  auto st = stub();
  auto status_of = [&](const GetEventsRequest& req) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auto r = st->GetEvents(&ctx, req);
    GetEventsResponse e;
    while (r->Read(&e)) {
    }
    return r->Finish();
  };
  GetEventsRequest bad_regex;
  bad_regex.add_allow_list()->add_binary_regex("([a-z");
  grpc::Status s = status_of(bad_regex);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("binary_regex"), std::string::npos) << s.error_message();

  GetEventsRequest bad_type;
  bad_type.add_allow_list()->add_event_set(static_cast<tetragon::EventType>(4242));
  s = status_of(bad_type);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("unknown event type 4242"), std::string::npos);

  GetEventsRequest labels;
  labels.add_allow_list()->add_labels("app=web");
  labels.add_allow_list()->add_labels("app in (web,");
  s = status_of(labels);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("allow_list[1] -- invalid pod label filter: invalid label "
                                   "selector 'app in (web,'"),
            std::string::npos)
      << s.error_message();

  GetEventsRequest cel;
  cel.add_allow_list()->add_cel_expression("process.pid > 1");
  s = status_of(cel);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_NE(s.error_message().find("'cel_expression' is not supported"), std::string::npos);

  GetEventsRequest caps; // the agent runs without --enable-process-cred
  caps.add_allow_list()->mutable_capabilities()->mutable_effective()->add_any(
      tetragon::CAP_SYS_ADMIN);
  s = status_of(caps);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("capabilities are not enabled"), std::string::npos);

  grpc::ClientContext info_ctx;
  tetragon::GetInfoResponse info;
  ASSERT_TRUE(st->GetInfo(&info_ctx, {}, &info).ok());
  EXPECT_EQ(info.name(), "octagon");
  EXPECT_EQ(info.version(), "0.1.0");

  // A policy request that asks for nothing.
  grpc::ClientContext ctx;
  tetragon::ConfigureTracingPolicyRequest creq;
  creq.set_name("x");
  tetragon::ConfigureTracingPolicyResponse cresp;
  grpc::Status cs = st->ConfigureTracingPolicy(&ctx, creq, &cresp);
  EXPECT_EQ(cs.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << cs.error_message();
  EXPECT_NE(cs.error_message().find("set enable or mode"), std::string::npos) << cs.error_message();
  EXPECT_EQ(agent->stop(), 0);
}

TEST_F(ApiE2E, SocketIsRootOnlyAndNotTakenOver) {
  const std::string sock = path("run/octagon/api.sock"); // the agent creates run/octagon
  address_ = "unix://" + sock;
  auto agent = start_agent();
  struct stat st {
  }, dst{};
  ASSERT_EQ(lstat(sock.c_str(), &st), 0) << agent->err();
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, 0u);
  ASSERT_EQ(stat(path("run/octagon").c_str(), &dst), 0);
  EXPECT_EQ(dst.st_mode & 07777, 0700u);
  // A second agent on the same address refuses to start instead of stealing the socket.
  AgentProcess second(path("run"), {"--export-stdout=false", "--server-address", address_});
  EXPECT_TRUE(second.wait_stderr("another process (agent?) is listening on " + sock,
                                 std::chrono::seconds(20)))
      << second.err();
  EXPECT_NE(second.wait(), 0);
  grpc::ClientContext ctx;
  tetragon::GetHealthStatusResponse h;
  EXPECT_TRUE(stub()->GetHealth(&ctx, {}, &h).ok()); // the first one still serves
  EXPECT_EQ(agent->stop(), 0);
  EXPECT_NE(lstat(sock.c_str(), &st), 0) << "socket removed at exit";
}

TEST_F(ApiE2E, EmptyServerAddressDisablesTheApi) {
  AgentProcess agent(dir_.string(), {"--export-stdout=false", "--server-address", ""});
  ASSERT_TRUE(agent.wait_stderr(kAgentReady)) << agent.err();
  EXPECT_EQ(agent.err().find("gRPC API listening"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path("api.sock")));
  EXPECT_EQ(agent.stop(), 0);
}

} // namespace
} // namespace octagon::testing
