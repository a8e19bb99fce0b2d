// Memory of the user-space process cache at its default capacity (64k entries) and under churn.
//
//   build/bench/cache_rss [churn_ops=1000000]
//
// Phase 1 fills an events::ProcessCache (capacity 65536) with 65536 Process entries shaped like
// the agent's: binary ~30 chars, arguments ~80, cwd ~20, exec_id/parent_exec_id from
// make_exec_id("bench-node", ...), a container id on one in four. The first 1024 entries are
// long-lived parents (shells, daemons); the rest are their children. It reports RSS (VmRSS of
// /proc/self/status) before and after, the cache's own memory_bytes() estimate and bytes/entry.
//
// Phase 2 churns: each op releases the oldest short-lived process (its exit) and upserts a new
// one (its exec), touching the parent as the agent's enrichment does. One new process in eight
// is the child of a recent short-lived one, so exited parents linger while a child lives and
// the capacity bound (LRU eviction) is exercised. RSS is printed every 100k ops: it should stay
// flat, since the cache size is bounded and glibc reuses the freed chunks.
//
// Output is one key=value per line; sizes in MiB (1 MiB = 1048576 bytes).
#include <octagon/events/exec_id.h>
#include <octagon/events/process.h>
#include <octagon/events/process_cache.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>

namespace {

using octagon::events::Process;
using octagon::events::ProcessCache;
using octagon::events::ProcessKey;

constexpr char kNode[] = "bench-node";
constexpr size_t kEntries = ProcessCache::kDefaultCapacity; // 65536
constexpr size_t kLongLived = 1024;
constexpr uint64_t kBootNs = 3'600'000'000'000ull; // first exec one hour after boot
constexpr uint64_t kExecSpacingNs = 1'370'123;     // ~730 execs/s

// ~30-character binaries (a mix of system and container paths).
constexpr const char* kBinaries[] = {
    "/usr/lib/jvm/java-17/bin/java",      "/usr/local/bin/node-exporter-v1",
    "/usr/bin/python3.11-production",     "/opt/containerd/bin/runc-shim-v2",
    "/usr/local/sbin/envoy-proxy-1.27",   "/usr/lib/postgresql/15/bin/psql",
    "/home/build/.cargo/bin/cargo-build", "/usr/libexec/gcc/x86_64/12/cc1plus",
};

// A "Field:  N kB" line of /proc/self/status, in kB (-1 when missing).
long status_kb(const char* field) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr)
    return -1;
  char line[256];
  long kb = -1;
  const size_t len = std::strlen(field);
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (std::strncmp(line, field, len) == 0 && line[len] == ':') {
      kb = std::strtol(line + len + 1, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kb;
}

double mib(double bytes) {
  return bytes / (1024.0 * 1024.0);
}
double rss_mib() {
  return status_kb("VmRSS") / 1024.0;
}

// A deterministic pseudo-random stream (splitmix64).
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Builds the strings the way the decoder does (from bytes of a known length), so capacity equals
// size as it would in the agent.
std::string str(const char* buf, int len) {
  return std::string(buf, static_cast<size_t>(len));
}

ProcessKey key_of(uint64_t seq) {
  return {static_cast<uint32_t>(300 + seq % 4'000'000), kBootNs + seq * kExecSpacingNs};
}

Process make_process(uint64_t seq, ProcessKey parent) {
  Process p;
  p.key = key_of(seq);
  p.parent_key = parent;
  p.exec_id = octagon::events::make_exec_id(kNode, p.key.ktime, p.key.pid);
  p.parent_exec_id = octagon::events::make_exec_id(kNode, parent.ktime, parent.pid);
  p.pid = p.tid = p.nspid = p.key.pid;
  p.auid = 1000;
  p.creds = {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000};
  const uint64_t r = mix(seq);
  char buf[256];
  int n =
      std::snprintf(buf, sizeof(buf), "/home/dev%04u/src/app", static_cast<unsigned>(r % 10000));
  p.cwd = str(buf, n);
  p.binary = kBinaries[r % (sizeof(kBinaries) / sizeof(kBinaries[0]))];
  n = std::snprintf(buf, sizeof(buf),
                    "--config=/etc/app/conf-%05u.yaml --log-level=info --listen=0.0.0.0:%05u -w %u",
                    static_cast<unsigned>(r % 100000), static_cast<unsigned>((r >> 20) % 65536),
                    static_cast<unsigned>((r >> 40) % 64));
  p.arguments = str(buf, n);
  p.flags = octagon::events::kFlagExecve | octagon::events::kFlagClone;
  p.start_ktime = p.key.ktime;
  p.cap = {0x000001ffffffffffull, 0x000001ffffffffffull, 0};
  p.ns = {4026531838, 4026531839, 4026531841, 4026531836, 4026531836,
          4026531840, 4026531834, 4026531834, 4026531835, 4026531837};
  p.cgroup_id = 4000 + r % 512;
  if (seq % 4 == 0) {
    n = std::snprintf(buf, sizeof(buf), "%016" PRIx64 "%015" PRIx64, mix(r), mix(r + 1) >> 4);
    p.docker = str(buf, 31); // Tetragon keeps the first 31 characters of the container id
  }
  return p;
}

} // namespace

int main(int argc, char** argv) {
  const long churn_ops = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1'000'000;
  std::printf("process_size_bytes=%zu\n", sizeof(Process));
  std::printf("capacity=%zu\n", kEntries);

  const double rss_start = rss_mib();
  ProcessCache cache(kEntries);
  const double rss_empty = rss_mib();

  // Phase 1: 64k entries.
  std::deque<ProcessKey> short_lived; // exec order; the churn phase exits them first-in first-out
  for (uint64_t seq = 0; seq < kEntries; ++seq) {
    ProcessKey parent;
    if (seq == 0) {
      parent = {1, 0}; // init, never cached
    } else if (seq < kLongLived) {
      parent = key_of((seq - 1) / 4); // a small tree of long-lived processes
    } else {
      parent = key_of(mix(seq) % kLongLived);
    }
    cache.upsert(make_process(seq, parent));
    if (seq >= kLongLived)
      short_lived.push_back(key_of(seq));
  }
  const double rss_full = rss_mib();
  const size_t mem = cache.memory_bytes();
  const double rss_delta_bytes = (rss_full - rss_empty) * 1024.0 * 1024.0;
  std::printf("cache_size=%zu\n", cache.size());
  std::printf("rss_start_mb=%.1f\n", rss_start);
  std::printf("rss_empty_cache_mb=%.1f\n", rss_empty);
  std::printf("rss_64k_entries_mb=%.1f\n", rss_full);
  std::printf("rss_delta_64k_entries_mb=%.1f\n", rss_full - rss_empty);
  std::printf("rss_bytes_per_entry=%.0f\n", rss_delta_bytes / static_cast<double>(cache.size()));
  std::printf("cache_memory_bytes=%zu\n", mem);
  std::printf("cache_memory_mb=%.1f\n", mib(static_cast<double>(mem)));
  std::printf("cache_memory_bytes_per_entry=%.0f\n",
              static_cast<double>(mem) / static_cast<double>(cache.size()));

  // Phase 2: churn.
  std::deque<ProcessKey> recent; // the last few short-lived execs, parents for nested ones
  double rss_min = 1e18, rss_max = 0, rss_churn_start = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (long op = 0; op < churn_ops; ++op) {
    const uint64_t seq = kEntries + static_cast<uint64_t>(op);
    cache.release(short_lived.front()); // false when the entry was evicted meanwhile
    short_lived.pop_front();
    const uint64_t r = mix(seq);
    const ProcessKey parent =
        (r % 8 == 0 && !recent.empty()) ? recent[r % recent.size()] : key_of(r % kLongLived);
    Process& p = cache.upsert(make_process(seq, parent));
    cache.find_parent(p);
    short_lived.push_back(p.key);
    recent.push_back(p.key);
    if (recent.size() > 16)
      recent.pop_front();
    if ((op + 1) % 100'000 == 0 || op + 1 == churn_ops) {
      const double rss = rss_mib();
      if (rss_churn_start == 0)
        rss_churn_start = rss;
      rss_min = rss < rss_min ? rss : rss_min;
      rss_max = rss > rss_max ? rss : rss_max;
      std::printf("churn ops=%ld rss_mb=%.1f cache_size=%zu evictions=%" PRIu64 " removals=%" PRIu64
                  "\n",
                  op + 1, rss, cache.size(), cache.evictions_total(), cache.removals_total());
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (churn_ops > 0) {
    const double rss_end = rss_mib();
    std::printf("churn_ops=%ld\n", churn_ops);
    std::printf("churn_ns_per_op=%.0f\n", secs * 1e9 / static_cast<double>(churn_ops));
    std::printf("rss_churn_first_checkpoint_mb=%.1f\n", rss_churn_start);
    std::printf("rss_churn_min_mb=%.1f\n", rss_min);
    std::printf("rss_churn_max_mb=%.1f\n", rss_max);
    std::printf("rss_churn_end_mb=%.1f\n", rss_end);
    std::printf("rss_churn_growth_vs_64k_pct=%.1f\n", (rss_end - rss_full) / rss_full * 100.0);
    std::printf("cache_memory_mb_after_churn=%.1f\n",
                mib(static_cast<double>(cache.memory_bytes())));
    std::printf("evictions_total=%" PRIu64 "\n", cache.evictions_total());
    // Flat: the end of churn is within 5 % of the filled cache.
    std::printf("churn_rss_flat=%s\n", rss_end <= rss_full * 1.05 ? "yes" : "no");
  }
  std::printf("vm_hwm_mb=%.1f\n", status_kb("VmHWM") / 1024.0);
  return 0;
}
