// The gRPC API path alone, without process spawning: exec events (the documented curl example,
// ~700 bytes of protobuf) are converted (EventToProto) and published to an EventHub as fast as
// possible; one GetEvents client on a unix socket reads them. The hub queue holds them all, so
// nothing is dropped; the client's rate is its sustained receive rate.
//
//   api_fanout [M=200000]
// prints: M events, received R, dropped D, E events/s received (client), P events/s published
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <tetragon/sensors.grpc.pb.h>

#include <octagon/api/event_to_proto.h>
#include <octagon/api/server.h>
#include <octagon/events/exec_id.h>

using namespace octagon;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const long m = argc > 1 ? atol(argv[1]) : 200000;
  const std::string address =
      "unix:///tmp/octagon-api-fanout-" + std::to_string(getpid()) + ".sock";
  api::EventHub hub(static_cast<size_t>(m));
  auto server = api::ApiServer::create(address, hub, "bench");
  if (!server) {
    fprintf(stderr, "%s\n", server.error().describe().c_str());
    return 1;
  }
  auto stub = tetragon::FineGuidanceSensors::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  auto reader = stub->GetEvents(&ctx, tetragon::GetEventsRequest{});
  reader->WaitForInitialMetadata();
  std::atomic<long> received{0};
  Clock::time_point done;
  std::thread rd([&] {
    tetragon::GetEventsResponse e;
    while (received < m && reader->Read(&e))
      received++;
    done = Clock::now();
  });

  events::Process p, parent;
  p.pid = p.tid = 52699;
  p.exec_id = events::make_exec_id("bench-node", 13548674321373, 52699);
  p.parent_exec_id = events::make_exec_id("bench-node", 13548670883299, 52698);
  p.cwd = "/";
  p.binary = "/usr/bin/curl";
  p.arguments = "https://ebpf.io/applications/#tetragon";
  p.flags = events::kFlagExecve | events::kFlagRootCwd;
  parent = p;
  parent.binary = "/bin/bash";
  api::EventToProto conv("bench-node", {});
  const auto start = Clock::now();
  for (long i = 0; i < m; i++) {
    auto msg = std::make_shared<tetragon::GetEventsResponse>();
    conv.convert(events::ExecEvent{&p, &parent, {}, uint64_t(i)}, *msg);
    hub.publish(msg);
  }
  const double pub_s = std::chrono::duration<double>(Clock::now() - start).count();
  rd.join();
  const double recv_s = std::chrono::duration<double>(done - start).count();
  printf("%ld events, received %ld, dropped %lu, %.0f events/s received (client), %.0f events/s "
         "published\n",
         m, received.load(), static_cast<unsigned long>(hub.total_dropped()), received / recv_s,
         m / pub_s);
  ctx.TryCancel();
  hub.close();
  (*server)->stop();
  return received == m ? 0 : 1;
}
