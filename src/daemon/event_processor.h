// EventProcessor: turns the process sensor's records into process_exec / process_exit events.
// It keeps the process cache in step with the kernel (exec, clone, exit), resolves parents and
// ancestors, and hands finished events to EventSinks. It runs on the ring buffer reader thread
// and never blocks: sinks only copy into bounded queues.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <abi/process.h>
#include <octagon/base/boot_clock.h>
#include <octagon/bpf/ring_buffer_reader.h>
#include <octagon/events/process.h>
#include <octagon/daemon/hook_registry.h>
#include <octagon/daemon/redaction.h>
#include <octagon/daemon/user_actions.h>
#include <octagon/events/policy_event.h>
#include <octagon/events/process_cache.h>
#include <octagon/sensors/generic/chunk_assembler.h>
#include <octagon/sensors/generic/generic_decoder.h>
#include <octagon/sensors/loader/loader_hub.h>
#include <octagon/sensors/process/decoder.h>
#include <octagon/symbols/symbolizer.h>

namespace octagon::daemon {

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_exec(const events::ExecEvent& ev) = 0;
  virtual void on_exit(const events::ExitEvent& ev) = 0;
  virtual void on_kprobe(const events::KprobeEvent&) {}
  virtual void on_tracepoint(const events::TracepointEvent&) {}
  virtual void on_uprobe(const events::UprobeEvent&) {}
  virtual void on_usdt(const events::UsdtEvent&) {}
  virtual void on_lsm(const events::LsmEvent&) {}
  virtual void on_loader(const events::LoaderEvent&) {}
};

struct ProcessorOptions {
  std::string node_name;
  bool ancestors = false;       // --enable-ancestors base
  size_t max_ancestors = 64;
  std::string procfs = "/proc";         // where user stack frames find the process's maps
  bool expose_stack_addresses = false;  // --expose-stack-addresses
  // --redaction-filters (null: none): applied to the arguments of every process entering the
  // cache (exec records and /proc seeding), before any sink sees it. Owned by the agent.
  const Redaction* redaction = nullptr;
};

// Counters readable from other threads (status output).
struct ProcessorStats {
  std::atomic<uint64_t> received[OCT_MSG_OP_MAX] = {};  // records per op
  std::atomic<uint64_t> decode_errors{0};                 // malformed records: dropped
  std::atomic<uint64_t> exec_events{0};
  std::atomic<uint64_t> exit_events{0};
  std::atomic<uint64_t> exit_unknown{0};    // exits of processes the cache did not know
  std::atomic<uint64_t> parent_misses{0};   // events whose parent was not cached
  std::atomic<uint64_t> seeded{0};          // processes seeded from /proc
  std::atomic<uint64_t> policy_events{0};   // process_kprobe/_tracepoint/_uprobe/_usdt sent
  std::atomic<uint64_t> unknown_hook{0};    // policy records of an unloaded hook: dropped
  std::atomic<uint64_t> policy_nopost{0};   // records that only carried agent actions (NoPost)
  std::atomic<uint64_t> user_actions_not_run{0};  // GetUrl/DnsLookup with no runner attached
  // Stack trace symbolization (published with the cache figures): frames left out.
  std::atomic<uint64_t> stack_kernel_unresolved{0}, stack_user_unmapped{0}, stack_maps_errors{0},
      stack_user_no_symbol{0};
  // Process cache figures, published by the reader thread (publish_cache_stats()).
  std::atomic<uint64_t> cache_size{0}, cache_capacity{0}, cache_evictions{0}, cache_misses{0},
      cache_removals{0}, cache_memory_bytes{0};
  // policy_events by kind (the metrics' events_total{type}).
  std::atomic<uint64_t> kprobe_events{0}, tracepoint_events{0}, uprobe_events{0}, usdt_events{0};
  std::atomic<uint64_t> lsm_events{0};
  // process_loader: sent, and mappings of a pid the cache did not know (skipped, as Tetragon
  // reports only processes it knows).
  std::atomic<uint64_t> loader_events{0}, loader_unknown_process{0};
};

class EventProcessor : public bpf::RecordHandler, public sensors::MmapRecordHandler {
 public:
  EventProcessor(ProcessorOptions options, events::ProcessCache& cache, BootClock& clock);

  void add_sink(EventSink* sink) { sinks_.push_back(sink); }
  // Where policy records find their hook's rendering (null: policy records are dropped).
  void set_hook_registry(const HookRegistry* registry) { hooks_ = registry; }
  // Who performs GetUrl / DnsLookup actions (null: they are counted as not run).
  void set_user_actions(UserActionRunner* runner) { user_actions_ = runner; }
  // Inserts processes that existed before start-up (parents first), flagged procFS.
  void seed(std::vector<events::Process>&& procs);

  void on_record(const void* data, size_t size) override;
  // An executable mapping (loader sensor): a process_loader event for a known process.
  void on_mmap(const sensors::MmapRecord& r) override;
  // Where staged mappings wait for the BPF records older than them (null: no loader).
  void set_loader(sensors::LoaderHub* loader) { loader_ = loader; }

  const ProcessorStats& stats() const { return stats_; }
  // Copies the cache's counters into stats() for other threads; walks the cache (memory), so
  // the reader calls it about once a second, not per event.
  void publish_cache_stats();

 private:
  void handle_exec(const void* data, size_t size);
  bool inherits_init_tree(const events::Process& p, const events::ProcessKey& prev);
  void handle_clone(const void* data, size_t size);
  void handle_exit(const void* data, size_t size);
  void handle_generic(const void* data, size_t size);
  template <typename Event>
  void fill_common(Event& ev, const policy::HookRender& render, const sensors::DecodedGeneric& d,
                   const events::Process* p);
  void set_ids(events::Process& p) const;
  void symbolize(const sensors::DecodedGeneric& d, events::KprobeEvent& ev);
  const events::Process* parent_of(const events::Process& p);
  void fill_ancestors(const events::Process& p, std::vector<const events::Process*>& out);

  ProcessorOptions options_;
  events::ProcessCache& cache_;
  BootClock& clock_;
  std::vector<EventSink*> sinks_;
  const HookRegistry* hooks_ = nullptr;
  UserActionRunner* user_actions_ = nullptr;
  std::unique_ptr<symbols::Symbolizer> symbolizer_;  // created with the first stack trace
  std::vector<symbols::Frame> frames_;
  sensors::DecodedGeneric generic_;
  sensors::ChunkAssembler chunks_;  // maxData argument chunks awaiting their event
  events::KprobeEvent kprobe_event_;
  events::TracepointEvent tracepoint_event_;
  events::UprobeEvent uprobe_event_;
  events::UsdtEvent usdt_event_;
  events::LsmEvent lsm_event_;
  events::LoaderEvent loader_event_;
  sensors::LoaderHub* loader_ = nullptr;
  // tgid -> its current identity (exec, clone, seed; removed at exit): mappings carry only
  // the tgid.
  std::unordered_map<uint32_t, events::ProcessKey> live_;
  ProcessorStats stats_;
  // Reused across records so the hot path does not allocate once capacities settle.
  sensors::DecodedExec exec_;
  events::ExecEvent exec_event_;
  events::ExitEvent exit_event_;
};

}  // namespace octagon::daemon
