#include <octagon/daemon/event_processor.h>

#include <cstring>

#include <octagon/base/log.h>
#include <octagon/events/exec_id.h>

namespace octagon::daemon {

using events::Process;
using events::ProcessKey;

EventProcessor::EventProcessor(ProcessorOptions options, events::ProcessCache& cache,
                               BootClock& clock)
    : options_(std::move(options)), cache_(cache), clock_(clock) {}

void EventProcessor::set_ids(Process& p) const {
  p.exec_id = events::make_exec_id(options_.node_name, p.key.ktime, p.key.pid);
  if (p.parent_key.pid == 0 && p.parent_key.ktime == 1)
    p.parent_exec_id = events::make_exec_id("", 1, 0);  // Tetragon's kernel pseudo-process
  else if (p.parent_key.ktime != 0)
    p.parent_exec_id = events::make_exec_id(options_.node_name, p.parent_key.ktime, p.parent_key.pid);
  else
    p.parent_exec_id.clear();
}

const Process* EventProcessor::parent_of(const Process& p) {
  if (p.parent_key.ktime == 0) return nullptr;
  const Process* parent = cache_.find_parent(p);
  if (!parent) stats_.parent_misses.fetch_add(1, std::memory_order_relaxed);
  return parent;
}

void EventProcessor::fill_ancestors(const Process& p, std::vector<const Process*>& out) {
  out.clear();
  if (options_.ancestors) cache_.ancestors(p, out, options_.max_ancestors);
}

void EventProcessor::seed(std::vector<Process>&& procs) {
  for (Process& p : procs) {
    if (cache_.contains(p.key)) continue;
    // Tetragon's /proc rule (parents come first): a containerised pid 1 of its namespace, or a
    // child of a process in the tree. Host processes count as nspid 0 there.
    const Process* parent = cache_.peek(p.parent_key);
    p.in_init_tree = (p.nspid == 1 && !p.docker.empty()) || (parent && parent->in_init_tree);
    set_ids(p);
    if (options_.redaction) options_.redaction->apply(p.binary, p.arguments);
    live_[p.key.pid] = p.key;
    cache_.upsert(std::move(p));
    stats_.seeded.fetch_add(1, std::memory_order_relaxed);
  }
  publish_cache_stats();  // the seeded cache shows in status and metrics before the first event
}

void EventProcessor::publish_cache_stats() {
  auto c = cache_.stats();
  stats_.cache_size.store(c.size, std::memory_order_relaxed);
  stats_.cache_capacity.store(c.capacity, std::memory_order_relaxed);
  stats_.cache_evictions.store(c.evictions_total, std::memory_order_relaxed);
  stats_.cache_misses.store(c.misses_total, std::memory_order_relaxed);
  stats_.cache_removals.store(c.removals_total, std::memory_order_relaxed);
  stats_.cache_memory_bytes.store(cache_.memory_bytes(), std::memory_order_relaxed);
  if (symbolizer_) {
    const symbols::SymbolizerStats& y = symbolizer_->stats();
    stats_.stack_kernel_unresolved.store(y.kernel_unresolved, std::memory_order_relaxed);
    stats_.stack_user_unmapped.store(y.user_unmapped, std::memory_order_relaxed);
    stats_.stack_maps_errors.store(y.maps_errors, std::memory_order_relaxed);
    stats_.stack_user_no_symbol.store(y.user_no_symbol, std::memory_order_relaxed);
  }
}

void EventProcessor::symbolize(const sensors::DecodedGeneric& d, events::KprobeEvent& ev) {
  ev.kernel_stack_trace.clear();
  ev.user_stack_trace.clear();
  if (d.kernel_stack.empty() && d.user_stack.empty()) return;
  if (!symbolizer_) {
    symbols::Symbolizer::Options o;
    o.procfs = options_.procfs;
    o.kallsyms = options_.procfs + "/kallsyms";
    symbolizer_ = std::make_unique<symbols::Symbolizer>(o);
  }
  auto convert = [&](std::vector<events::StackTraceEntry>& out) {
    for (symbols::Frame& f : frames_)
      out.push_back({options_.expose_stack_addresses ? f.address : 0, f.offset, std::move(f.symbol),
                     std::move(f.module)});
  };
  symbolizer_->kernel(d.kernel_stack, frames_);
  convert(ev.kernel_stack_trace);
  symbolizer_->user(pid_t(d.key.pid), d.key.ktime, d.user_stack, frames_);
  convert(ev.user_stack_trace);
}

void EventProcessor::on_record(const void* data, size_t size) {
  auto op = sensors::record_op(data, size);
  if (!op) {
    stats_.decode_errors.fetch_add(1, std::memory_order_relaxed);
    OCTAGON_LOG_DEBUG("dropping record: %s", op.error().message().c_str());
    return;
  }
  stats_.received[*op].fetch_add(1, std::memory_order_relaxed);
  // Staged mappings made before this record go first (see LoaderHub).
  if (loader_ && loader_->active() && size >= sizeof(oct_msg_hdr)) {
    oct_msg_hdr hdr;
    std::memcpy(&hdr, data, sizeof(hdr));
    loader_->emit_before(hdr.ktime, *this);
  }
  switch (*op) {
    case OCT_MSG_EXEC: handle_exec(data, size); break;
    case OCT_MSG_CLONE: handle_clone(data, size); break;
    case OCT_MSG_EXIT: handle_exit(data, size); break;
    case OCT_MSG_GENERIC: handle_generic(data, size); break;
    case OCT_MSG_GENERIC_DATA:
      if (!chunks_.add(data, size)) stats_.decode_errors.fetch_add(1, std::memory_order_relaxed);
      break;
    default: break;
  }
}

void EventProcessor::handle_exec(const void* data, size_t size) {
  if (auto r = sensors::decode_exec(data, size, exec_); !r) {
    stats_.decode_errors.fetch_add(1, std::memory_order_relaxed);
    OCTAGON_LOG_DEBUG("dropping exec record: %s", r.error().message().c_str());
    return;
  }
  set_ids(exec_.process);
  if (options_.redaction) options_.redaction->apply(exec_.process.binary, exec_.process.arguments);
  ProcessKey prev = exec_.prev;
  exec_.process.in_init_tree = inherits_init_tree(exec_.process, prev);
  // Copy (not move) so exec_'s string capacities are kept for the next record.
  Process& p = cache_.upsert(Process(exec_.process));
  live_[p.key.pid] = p.key;
  // The identity this exec replaced is gone: drop the reference it held as a live process.
  if (prev.pid != 0 && prev != p.key) cache_.release(prev);

  exec_event_.process = &p;
  exec_event_.parent = parent_of(p);
  fill_ancestors(p, exec_event_.ancestors);
  exec_event_.time_ns = clock_.to_wall(exec_.ktime);
  for (EventSink* s : sinks_) s->on_exec(exec_event_);
  stats_.exec_events.fetch_add(1, std::memory_order_relaxed);
}

// Tetragon's rule: pid 1 of its pid namespace, or the identity this exec replaces (the fork
// child or an earlier image of the process) was in the tree; without that identity, the parent.
bool EventProcessor::inherits_init_tree(const Process& p, const ProcessKey& prev) {
  if (p.nspid == 1 && p.pid != 1) return true;  // host pid 1 is not a container init
  if (prev.pid != 0)
    if (const Process* before = cache_.peek(prev)) return before->in_init_tree;
  if (p.parent_key.ktime == 0) return false;
  const Process* parent = cache_.peek(p.parent_key);
  return parent != nullptr && parent->in_init_tree;
}

void EventProcessor::handle_clone(const void* data, size_t size) {
  sensors::DecodedClone c;
  if (auto r = sensors::decode_clone(data, size, c); !r) {
    stats_.decode_errors.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  live_[c.key.pid] = c.key;
  if (cache_.contains(c.key)) return;
  // A child that has not exec'd runs its parent's binary: inherit the parent's description.
  Process child;
  if (const Process* parent = cache_.peek(c.parent)) {
    child = *parent;
    child.flags = (parent->flags & ~(events::kFlagExecve | events::kFlagProcFS)) | events::kFlagClone;
  } else {
    child.flags = events::kFlagClone | events::kFlagMiss;
    stats_.parent_misses.fetch_add(1, std::memory_order_relaxed);
  }
  child.key = c.key;
  child.parent_key = c.parent;
  child.pid = c.key.pid;
  child.tid = c.tid;
  child.start_ktime = c.key.ktime;
  child.cgroup_id = c.cgroup_id;
  child.refcnt = 0;
  child.binary_properties = {};
  // The child keeps its parent's in_init_tree (copied above); Octagon's clone record has no
  // nspid, so a forked pid 1 gets the flag at its exec (Tetragon flags it at the fork).
  set_ids(child);
  cache_.upsert(std::move(child));
}

void EventProcessor::handle_exit(const void* data, size_t size) {
  sensors::DecodedExit x;
  if (auto r = sensors::decode_exit(data, size, x); !r) {
    stats_.decode_errors.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  Process* p = cache_.find(x.key);
  Process unknown;
  if (!p) {
    // Never seen (lost exec, evicted): still report the exit, with what the kernel told us.
    stats_.exit_unknown.fetch_add(1, std::memory_order_relaxed);
    unknown.key = x.key;
    unknown.pid = x.key.pid;
    unknown.start_ktime = x.key.ktime;
    unknown.flags = events::kFlagUnknown;
    set_ids(unknown);
    p = &unknown;
  }
  p->tid = x.tid;
  exit_event_.process = p;
  exit_event_.parent = parent_of(*p);
  fill_ancestors(*p, exit_event_.ancestors);
  events::decode_exit_code(x.exit_code, exit_event_.status, exit_event_.signal);
  exit_event_.time_ns = clock_.to_wall(x.ktime);
  for (EventSink* s : sinks_) s->on_exit(exit_event_);
  stats_.exit_events.fetch_add(1, std::memory_order_relaxed);
  if (p != &unknown) cache_.release(x.key);
  if (auto it = live_.find(x.key.pid); it != live_.end() && it->second == x.key) live_.erase(it);
}

template <typename Event>
void EventProcessor::fill_common(Event& ev, const policy::HookRender& render,
                                 const sensors::DecodedGeneric& d, const Process* p) {
  ev.process = p;
  ev.parent = parent_of(*p);
  fill_ancestors(*p, ev.ancestors);
  ev.policy_name = render.policy_name;
  ev.action = d.selector < render.selector_actions.size() ? render.selector_actions[d.selector]
                                                          : events::KprobeAction::kPost;
  ev.message = render.message;
  ev.tags = render.tags;
  ev.time_ns = clock_.to_wall(d.ktime);
}

void EventProcessor::handle_generic(const void* data, size_t size) {
  if (auto r = sensors::decode_generic(data, size, generic_); !r) {
    stats_.decode_errors.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  chunks_.complete(generic_);
  auto render = hooks_ ? hooks_->find(generic_.hook_id) : nullptr;
  if (!render) {
    stats_.unknown_hook.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  Process* p = cache_.find(generic_.key);
  Process unknown;
  if (!p) {
    unknown.key = generic_.key;
    unknown.pid = generic_.key.pid;
    unknown.start_ktime = generic_.key.ktime;
    unknown.flags = events::kFlagUnknown;
    set_ids(unknown);
    p = &unknown;
  }
  p->tid = generic_.tid;
  if (generic_.selector < render->selectors.size()) {
    const policy::SelectorRender& sel = render->selectors[generic_.selector];
    for (const policy::UserAction& a : sel.user_actions) {
      if (user_actions_)
        user_actions_->submit(a);
      else
        stats_.user_actions_not_run.fetch_add(1, std::memory_order_relaxed);
    }
    if (!sel.post) {  // NoPost: the record only carried the actions above
      stats_.policy_nopost.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  if (render->kind == policy::EventKind::kKprobe) {
    fill_common(kprobe_event_, *render, generic_, p);
    kprobe_event_.function_name = render->function_name;
    symbolize(generic_, kprobe_event_);
    sensors::render_arguments(generic_, *render, kprobe_event_.args, kprobe_event_.return_arg);
    sensors::render_data(generic_, *render, kprobe_event_.data);
    kprobe_event_.return_action = kprobe_event_.return_arg ? render->return_action
                                                           : events::KprobeAction::kUnknown;
    for (EventSink* s : sinks_) s->on_kprobe(kprobe_event_);
    stats_.kprobe_events.fetch_add(1, std::memory_order_relaxed);
  } else if (render->kind == policy::EventKind::kUprobe) {
    fill_common(uprobe_event_, *render, generic_, p);
    uprobe_event_.path = render->path;
    uprobe_event_.symbol = render->symbol;
    uprobe_event_.offset = render->offset;
    uprobe_event_.ref_ctr_offset = render->ref_ctr_offset;
    sensors::render_arguments(generic_, *render, uprobe_event_.args, uprobe_event_.return_arg);
    for (EventSink* s : sinks_) s->on_uprobe(uprobe_event_);
    stats_.uprobe_events.fetch_add(1, std::memory_order_relaxed);
  } else if (render->kind == policy::EventKind::kUsdt) {
    fill_common(usdt_event_, *render, generic_, p);
    usdt_event_.path = render->path;
    usdt_event_.provider = render->provider;
    usdt_event_.name = render->probe_name;
    std::optional<events::Argument> unused;
    sensors::render_arguments(generic_, *render, usdt_event_.args, unused);
    for (EventSink* s : sinks_) s->on_usdt(usdt_event_);
    stats_.usdt_events.fetch_add(1, std::memory_order_relaxed);
  } else if (render->kind == policy::EventKind::kLsm) {
    fill_common(lsm_event_, *render, generic_, p);
    lsm_event_.function_name = render->function_name;
    std::optional<events::Argument> unused;
    sensors::render_arguments(generic_, *render, lsm_event_.args, unused);
    sensors::render_ima_hash(generic_, lsm_event_.ima_hash);
    for (EventSink* s : sinks_) s->on_lsm(lsm_event_);
    stats_.lsm_events.fetch_add(1, std::memory_order_relaxed);
  } else {
    fill_common(tracepoint_event_, *render, generic_, p);
    tracepoint_event_.subsys = render->subsys;
    tracepoint_event_.event = render->event;
    std::optional<events::Argument> unused;
    sensors::render_arguments(generic_, *render, tracepoint_event_.args, unused);
    for (EventSink* s : sinks_) s->on_tracepoint(tracepoint_event_);
    stats_.tracepoint_events.fetch_add(1, std::memory_order_relaxed);
  }
  stats_.policy_events.fetch_add(1, std::memory_order_relaxed);
}

void EventProcessor::on_mmap(const sensors::MmapRecord& r) {
  auto it = live_.find(r.pid);
  Process* p = it == live_.end() ? nullptr : cache_.find(it->second);
  if (!p) {
    stats_.loader_unknown_process.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  p->tid = r.tid;
  loader_event_.process = p;
  loader_event_.parent = parent_of(*p);
  fill_ancestors(*p, loader_event_.ancestors);
  loader_event_.path = r.path;
  loader_event_.buildid.assign(reinterpret_cast<const char*>(r.build_id), r.build_id_size);
  loader_event_.time_ns = clock_.to_wall(r.ktime ? r.ktime : clock_.boot_now_ns());
  for (EventSink* s : sinks_) s->on_loader(loader_event_);
  stats_.loader_events.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace octagon::daemon
