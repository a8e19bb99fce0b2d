// Events per second one gRPC GetEvents client receives from a running agent, with no loss.
//
//   grpc_rate ADDRESS [N=20000] [WORKERS=2] [PROGRAM=<dir of grpc_rate>/tiny_exit] [POLICY]
//
// With POLICY (a loaded TracingPolicy's name; see bench/policies/getppid.yaml), each worker
// instead runs PROGRAM once with argument N/WORKERS (e.g. getppid_loop: one syscall, one policy
// event each) and the client counts the N events of that policy.
//
// Subscribes (binary_regex on PROGRAM's name, exec and exit events), then WORKERS processes
// fork+exec PROGRAM N times in total as fast as they can. Counts the events received until all
// 2N arrived or nothing came for 3 s, and prints
//   spawned N, received R of 2N (loss L), E events/s received, spawn rate S processes/s
// where E = R over the time from the first to the last event received.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <tetragon/sensors.grpc.pb.h>

using Clock = std::chrono::steady_clock;

static void spawn_loop(const char* prog, long n) {
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      execl(prog, prog, static_cast<char*>(nullptr));
      _exit(127);
    }
    if (pid > 0)
      waitpid(pid, nullptr, 0);
  }
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: grpc_rate ADDRESS [N] [WORKERS] [PROGRAM]\n");
    return 2;
  }
  const std::string address = argv[1];
  const long n = argc > 2 ? atol(argv[2]) : 20000;
  const int workers = argc > 3 ? atoi(argv[3]) : 2;
  std::string prog;
  if (argc > 4) {
    prog = argv[4];
  } else {
    std::string self = argv[0];
    prog = self.substr(0, self.rfind('/') + 1) + "tiny_exit";
  }
  const std::string name = prog.substr(prog.rfind('/') + 1);
  const std::string policy = argc > 5 ? argv[5] : "";
  const long expected = policy.empty() ? 2 * n : n;

  // Workers are forked before any gRPC state exists (gRPC's fork handlers would slow every
  // fork); they start spawning when the subscription is live (one byte on `go`).
  int go[2];
  if (pipe(go) != 0)
    return 1;
  std::vector<pid_t> kids;
  for (int w = 0; w < workers; w++) {
    pid_t pid = fork();
    if (pid == 0) {
      close(go[1]);
      char c;
      if (read(go[0], &c, 1) != 1)
        _exit(1);
      const long share = n / workers + (w < n % workers ? 1 : 0);
      if (policy.empty()) {
        spawn_loop(prog.c_str(), share);
      } else {
        const std::string count = std::to_string(share);
        execl(prog.c_str(), prog.c_str(), count.c_str(), static_cast<char*>(nullptr));
        _exit(127);
      }
      _exit(0);
    }
    kids.push_back(pid);
  }
  close(go[0]);

  auto stub = tetragon::FineGuidanceSensors::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  tetragon::GetEventsRequest req;
  auto* f = req.add_allow_list();
  f->add_binary_regex("/" + name + "$");
  if (policy.empty()) {
    f->add_event_set(tetragon::PROCESS_EXEC);
    f->add_event_set(tetragon::PROCESS_EXIT);
  } else {
    f->add_policy_names(policy);
  }
  auto reader = stub->GetEvents(&ctx, req);
  reader->WaitForInitialMetadata();

  std::atomic<long> received{0};
  std::atomic<int64_t> first_ns{0}, last_ns{0};
  std::thread rd([&] {
    tetragon::GetEventsResponse e;
    while (reader->Read(&e)) {
      const int64_t t = Clock::now().time_since_epoch().count();
      if (received.fetch_add(1) == 0)
        first_ns = t;
      last_ns = t;
    }
  });

  const auto spawn_start = Clock::now();
  const std::string bytes(static_cast<size_t>(workers), 'g');
  if (write(go[1], bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()))
    return 1;
  for (pid_t k : kids)
    waitpid(k, nullptr, 0);
  const double spawn_s = std::chrono::duration<double>(Clock::now() - spawn_start).count();

  long seen = -1;
  auto idle_since = Clock::now();
  while (received < expected && Clock::now() - idle_since < std::chrono::seconds(3)) {
    if (received != seen) {
      seen = received;
      idle_since = Clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ctx.TryCancel();
  rd.join();
  const double span = (last_ns - first_ns) / 1e9;
  printf("%s %ld, received %ld of %ld (loss %ld), %.0f events/s received, %s rate %.0f/s\n",
         policy.empty() ? "spawned" : "syscalls", n, received.load(), expected,
         expected - received.load(), span > 0 ? received / span : 0.0,
         policy.empty() ? "spawn" : "syscall", n / spawn_s);
  return received == expected ? 0 : 1;
}
