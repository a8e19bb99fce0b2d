// User-space process cache: ProcessKey -> Process, bounded, LRU-evicted, reference counted.
//
// Reference counting follows Tetragon's process cache (compat reference 4.2):
//   - an entry inserted for an exec, a clone or a /proc seed starts with refcnt 1 (the process
//     itself is alive) and takes +1 on its parent entry, if that entry is cached;
//   - release(key) drops one reference; at 0 the entry is removed and the reference it held on
//     its parent is released in turn (iteratively, up the tree).
// So an exited process stays while any of its children is cached, and a child's `parent` keeps
// resolving until the child goes too.
//
// The capacity bound (Tetragon's --process-cache-size) wins over reference counts: when the
// cache is full, inserting a new identity evicts the least recently used entry (counted in
// evictions_total) and releases the reference that entry held on its parent. Children of an
// evicted entry keep working: their parent lookups simply miss.
//
// All operations are O(1) except ancestors() (O(max^2) worst case, max is small) and
// memory_bytes() (O(size)). Not thread-safe: one owner (the event pipeline) drives it.
#pragma once

#include <octagon/events/process.h>

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace octagon::events {

struct ProcessCacheStats {
  size_t size = 0;
  size_t capacity = 0;
  uint64_t evictions_total = 0;  // entries dropped by the capacity bound (LRU)
  uint64_t misses_total = 0;     // find() calls that found nothing
  uint64_t removals_total = 0;   // entries removed because their refcnt reached 0
};

class ProcessCache {
 public:
  static constexpr size_t kDefaultCapacity = 65536;  // Tetragon --process-cache-size
  static constexpr size_t kMinCapacity = 2;          // a new entry and its pinned parent

  explicit ProcessCache(size_t capacity = kDefaultCapacity);
  ~ProcessCache() = default;
  ProcessCache(const ProcessCache&) = delete;
  ProcessCache& operator=(const ProcessCache&) = delete;

  // Inserts `p` under p.key with refcnt 1 and takes a reference on its parent entry. When the
  // key is cached already, the entry is updated in place: its refcnt is kept (the argument's
  // refcnt is ignored) and, if parent_key changed, the parent reference moves with it. The
  // entry becomes the most recently used one. The returned reference is valid until the entry
  // is removed or evicted.
  Process& upsert(Process&& p);

  // Looks up a process and marks it most recently used; counts a miss when absent.
  Process* find(const ProcessKey& key);
  // Looks up without touching LRU order or counters.
  const Process* peek(const ProcessKey& key) const;
  bool contains(const ProcessKey& key) const;

  // The cached parent of `p` (marked most recently used), or null.
  const Process* find_parent(const Process& p);

  // Ancestors beyond the immediate parent: the parent's parent first, walking up, at most `max`
  // entries. Stops at the first identity that is not cached, and at a cycle (an entry already
  // listed, `p` itself or its parent). `out` is cleared first. Touches the entries it returns.
  void ancestors(const Process& p, std::vector<const Process*>& out, size_t max);

  // Adds one reference (e.g. an event that must keep the process alive). False when absent.
  bool retain(const ProcessKey& key);
  // Drops one reference; see the file comment. False when the key is not cached.
  bool release(const ProcessKey& key);

  size_t size() const { return map_.size(); }
  size_t capacity() const { return capacity_; }
  uint64_t evictions_total() const { return evictions_; }
  uint64_t misses_total() const { return misses_; }
  uint64_t removals_total() const { return removals_; }
  ProcessCacheStats stats() const;

  // Approximate heap use: per-entry node overhead, heap-allocated string capacity and the
  // hash bucket array. Walks every entry, so call it from metrics, not per event.
  size_t memory_bytes() const;

  // Calls fn(const Process&) for every entry, most recently used first.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const Link* l = head_.next; l != &head_; l = l->next) {
      fn(static_cast<const Node*>(l)->proc);
    }
  }

 private:
  struct Link {  // intrusive LRU list: head_.next is the most recently used entry
    Link* prev = nullptr;
    Link* next = nullptr;
  };
  struct Node : Link {
    Process proc;
    bool holds_parent = false;  // this entry took a reference on proc.parent_key
  };
  using Map = std::unordered_map<ProcessKey, Node, ProcessKeyHash>;

  Node* lookup(const ProcessKey& key);
  void link_front(Link* l);
  static void unlink(Link* l);
  void touch(Node* n);
  // Takes a reference on n's parent, unless it is absent or that would close a reference cycle.
  void acquire_parent(Node* n);
  // Drops one reference on `key` and walks up while entries reach 0.
  void release_chain(ProcessKey key);
  void erase(Node* n);
  // Evicts least recently used entries until one more fits; never evicts `pinned`.
  void make_room(const Node* pinned);

  size_t capacity_;
  Map map_;
  Link head_;  // sentinel of the LRU list
  uint64_t evictions_ = 0;
  uint64_t misses_ = 0;
  uint64_t removals_ = 0;
};

}  // namespace octagon::events
