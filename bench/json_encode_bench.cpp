// ns/event for the Tetragon-compatible JSON and compact encoders (perf-baselines section 5), with
// an nlohmann::json build+dump of the same document as a side-by-side baseline when available.
//
//   ./bench/json_encode_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <octagon/events/exec_id.h>
#include <octagon/events/process.h>
#include <octagon/exporters/json/compact_encoder.h>
#include <octagon/exporters/json/json_encoder.h>
#include <octagon/exporters/json/tetragon_names.h>

#include <benchmark/benchmark.h>

#include <string>

#if __has_include(<nlohmann/json.hpp>)
#include <nlohmann/json.hpp>
#define OCTAGON_HAVE_NLOHMANN 1
#endif

namespace octagon::exporters {
namespace {

constexpr char kNode[] = "gke-john-632-default-pool-7041cac0-9s95";
constexpr int64_t kBootToWall = 1696616289026006207;
constexpr uint64_t kEventTime = 1696629837700326678;

events::Process make_process(uint32_t pid, uint64_t ktime, const char* binary, const char* args) {
  events::Process p;
  p.key = {pid, ktime};
  p.exec_id = events::make_exec_id(kNode, ktime, pid);
  p.parent_exec_id = events::make_exec_id(kNode, ktime - 3'438'074, pid - 10);
  p.pid = p.tid = pid;
  p.auid = 1000;
  p.creds = {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000};
  p.cwd = "/home/user/src/project";
  p.binary = binary;
  p.arguments = args;
  p.flags = events::kFlagExecve | events::kFlagClone;
  p.start_ktime = ktime;
  p.cap = {0x000001ffffffffffull, 0x000001ffffffffffull, 0};
  p.ns = {4026531838, 4026531839, 4026531841, 4026531836, 4026531836,
          4026531840, 4026531834, 4026531834, 4026531835, 4026531837};
  p.docker = "551e161c47d8ff0eb665438a7bcd5b4";
  return p;
}

struct Fixture {
  events::Process process =
      make_process(52699, 13548674321373, "/usr/bin/curl",
                   "-sS -H \"Authorization: Bearer abc\\\"def\" -o /tmp/out.json "
                   "https://ebpf.io/applications/#tetragon?q=\"x\"");
  events::Process parent = make_process(
      52689, 13548670883299, "/bin/bash",
      "-c \"curl -sS -H 'Authorization: Bearer abc' https://ebpf.io/applications/#tetragon\"");
  events::ExecEvent exec{&process, &parent, {}, kEventTime};
  events::ExitEvent exit{&process, &parent, {}, 0, 9, kEventTime + 1000};
  events::RenderOptions options{.include_cap = true, .include_ns = true};
  events::Namespaces host = process.ns;
};

void BM_JsonEncodeExec(benchmark::State& state) {
  Fixture f;
  JsonEncoder enc(kNode, f.options);
  enc.set_boot_to_wall_ns(kBootToWall);
  enc.set_host_namespaces(f.host);
  std::string out;
  for (auto _ : state) {
    out.clear();
    enc.encode(f.exec, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes/event"] = static_cast<double>(out.size());
}
BENCHMARK(BM_JsonEncodeExec);

// Worst case for the encoder's cap/ns memo: every process object has a different cap and ns set.
void BM_JsonEncodeExecUniqueCaps(benchmark::State& state) {
  Fixture f;
  JsonEncoder enc(kNode, f.options);
  enc.set_boot_to_wall_ns(kBootToWall);
  enc.set_host_namespaces(f.host);
  std::string out;
  uint32_t n = 0;
  for (auto _ : state) {
    for (events::Process* p : {&f.process, &f.parent}) {
      p->cap.permitted ^= uint64_t{1} << (n % 41);
      p->ns.mnt = 4026531841 + n++;
    }
    out.clear();
    enc.encode(f.exec, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes/event"] = static_cast<double>(out.size());
}
BENCHMARK(BM_JsonEncodeExecUniqueCaps);

void BM_JsonEncodeExit(benchmark::State& state) {
  Fixture f;
  JsonEncoder enc(kNode, f.options);
  enc.set_boot_to_wall_ns(kBootToWall);
  enc.set_host_namespaces(f.host);
  std::string out;
  for (auto _ : state) {
    out.clear();
    enc.encode(f.exit, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes/event"] = static_cast<double>(out.size());
}
BENCHMARK(BM_JsonEncodeExit);

void BM_CompactEncodeExec(benchmark::State& state) {
  Fixture f;
  CompactEncoder enc(kNode, true, false);
  std::string out;
  for (auto _ : state) {
    out.clear();
    enc.encode(f.exec, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompactEncodeExec);

#ifdef OCTAGON_HAVE_NLOHMANN
// The same document built as an nlohmann::ordered_json tree (to keep the key order) and dumped.
// Timestamps and names come from the same helpers, so the difference is the JSON work itself.
nlohmann::ordered_json to_nlohmann(const events::Process& p, TimeFormatter& tf) {
  nlohmann::ordered_json j;
  j["exec_id"] = p.exec_id;
  j["pid"] = p.pid;
  j["uid"] = p.creds.euid;
  j["cwd"] = p.cwd;
  j["binary"] = p.binary;
  j["arguments"] = p.arguments;
  std::string flags;
  append_process_flags(p.flags, flags);
  j["flags"] = flags;
  std::string start;
  tf.append_proto(start, p.start_ktime + kBootToWall);
  j["start_time"] = start;
  j["auid"] = p.auid;
  j["docker"] = p.docker;
  j["parent_exec_id"] = p.parent_exec_id;
  auto caps = [](uint64_t mask) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (unsigned bit = 0; bit < 64; ++bit) {
      if (mask & (1ull << bit))
        a.push_back(std::string(capability_name(bit)));
    }
    return a;
  };
  j["cap"] = {{"permitted", caps(p.cap.permitted)}, {"effective", caps(p.cap.effective)}};
  auto ns = [](uint32_t inum) { return nlohmann::ordered_json{{"inum", inum}, {"is_host", true}}; };
  j["ns"] = {{"uts", ns(p.ns.uts)},
             {"ipc", ns(p.ns.ipc)},
             {"mnt", ns(p.ns.mnt)},
             {"pid", ns(p.ns.pid)},
             {"pid_for_children", ns(p.ns.pid_for_children)},
             {"net", ns(p.ns.net)},
             {"time", ns(p.ns.time)},
             {"time_for_children", ns(p.ns.time_for_children)},
             {"cgroup", ns(p.ns.cgroup)},
             {"user", ns(p.ns.user)}};
  j["tid"] = p.tid;
  return j;
}

void BM_NlohmannExec(benchmark::State& state) {
  Fixture f;
  TimeFormatter tf;
  std::string out;
  for (auto _ : state) {
    nlohmann::ordered_json ev;
    ev["process_exec"]["process"] = to_nlohmann(f.process, tf);
    ev["process_exec"]["parent"] = to_nlohmann(f.parent, tf);
    ev["node_name"] = kNode;
    std::string t;
    tf.append_proto(t, f.exec.time_ns);
    ev["time"] = t;
    out = ev.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    out.push_back('\n');
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes/event"] = static_cast<double>(out.size());
}
BENCHMARK(BM_NlohmannExec);
#endif

} // namespace
} // namespace octagon::exporters

BENCHMARK_MAIN();
