#include <octagon/events/process_cache.h>

#include <algorithm>
#include <string>

namespace octagon::events {
namespace {

// Heap bytes behind a string (0 while it fits the small-string buffer).
size_t heap_bytes(const std::string& s) {
  static const size_t kInline = std::string().capacity();
  return s.capacity() > kInline ? s.capacity() + 1 : 0;
}

size_t process_heap_bytes(const Process& p) {
  return heap_bytes(p.exec_id) + heap_bytes(p.parent_exec_id) + heap_bytes(p.cwd) +
         heap_bytes(p.binary) + heap_bytes(p.arguments) + heap_bytes(p.docker) +
         heap_bytes(p.binary_properties.path);
}

}  // namespace

ProcessCache::ProcessCache(size_t capacity) : capacity_(std::max(capacity, kMinCapacity)) {
  head_.prev = head_.next = &head_;
  // The map never holds more than capacity_ entries: reserving keeps rehashing (and its latency
  // spike) out of the event path entirely.
  map_.reserve(capacity_);
}

ProcessCache::Node* ProcessCache::lookup(const ProcessKey& key) {
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : &it->second;
}

const Process* ProcessCache::peek(const ProcessKey& key) const {
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : &it->second.proc;
}

bool ProcessCache::contains(const ProcessKey& key) const { return map_.count(key) != 0; }

void ProcessCache::link_front(Link* l) {
  l->prev = &head_;
  l->next = head_.next;
  head_.next->prev = l;
  head_.next = l;
}

void ProcessCache::unlink(Link* l) {
  l->prev->next = l->next;
  l->next->prev = l->prev;
  l->prev = l->next = nullptr;
}

void ProcessCache::touch(Node* n) {
  if (head_.next == n) return;
  unlink(n);
  link_front(n);
}

void ProcessCache::erase(Node* n) {
  unlink(n);
  map_.erase(n->proc.key);  // destroys *n
}

void ProcessCache::acquire_parent(Node* n) {
  const ProcessKey& pkey = n->proc.parent_key;
  if (pkey == n->proc.key) return;
  Node* parent = lookup(pkey);
  if (parent == nullptr) return;
  // A reference from n to an entry that (transitively) holds a reference on n would keep both
  // alive forever. Follow the held references up from the candidate parent; each step visits a
  // distinct entry while the graph is acyclic, so size() steps bound the walk.
  const Node* cur = parent;
  for (size_t steps = 0; cur != nullptr && steps <= map_.size(); ++steps) {
    if (cur == n) return;
    if (!cur->holds_parent) break;
    auto it = map_.find(cur->proc.parent_key);
    cur = it == map_.end() ? nullptr : &it->second;
  }
  ++parent->proc.refcnt;
  n->holds_parent = true;
  touch(parent);
}

void ProcessCache::release_chain(ProcessKey key) {
  // Every iteration either stops or erases one entry, so this ends after at most size() steps.
  for (;;) {
    Node* n = lookup(key);
    if (n == nullptr) return;
    if (n->proc.refcnt > 1) {
      --n->proc.refcnt;
      return;
    }
    const bool up = n->holds_parent;
    key = n->proc.parent_key;
    erase(n);
    ++removals_;
    if (!up) return;
  }
}

void ProcessCache::make_room(const Node* pinned) {
  while (map_.size() >= capacity_) {
    Link* victim = head_.prev;
    if (victim == pinned) victim = victim->prev;
    if (victim == &head_) return;  // only the pinned entry is left (capacity >= 2 prevents it)
    Node* n = static_cast<Node*>(victim);
    const bool up = n->holds_parent;
    const ProcessKey parent = n->proc.parent_key;
    erase(n);
    ++evictions_;
    if (up) release_chain(parent);
  }
}

Process& ProcessCache::upsert(Process&& p) {
  if (Node* n = lookup(p.key)) {
    const uint32_t refcnt = n->proc.refcnt;
    const bool had_parent = n->holds_parent;
    const ProcessKey old_parent = n->proc.parent_key;
    if (&p != &n->proc) n->proc = std::move(p);
    n->proc.refcnt = refcnt;
    touch(n);
    if (n->proc.parent_key != old_parent || !had_parent) {
      // Take the new reference before dropping the old one, so that a shared ancestor held
      // only through the old parent is not removed in between.
      n->holds_parent = false;
      acquire_parent(n);
      if (had_parent) release_chain(old_parent);
    }
    return n->proc;
  }

  Node* parent = p.parent_key == p.key ? nullptr : lookup(p.parent_key);
  if (parent != nullptr) {
    ++parent->proc.refcnt;  // taken first: evictions below cannot remove it
    touch(parent);
  }
  make_room(parent);
  const ProcessKey key = p.key;
  auto [it, inserted] = map_.try_emplace(key);
  (void)inserted;
  Node& n = it->second;
  n.proc = std::move(p);
  n.proc.refcnt = 1;
  n.holds_parent = parent != nullptr;
  link_front(&n);
  return n.proc;
}

Process* ProcessCache::find(const ProcessKey& key) {
  Node* n = lookup(key);
  if (n == nullptr) {
    ++misses_;
    return nullptr;
  }
  touch(n);
  return &n->proc;
}

const Process* ProcessCache::find_parent(const Process& p) {
  if (p.parent_key == p.key) return nullptr;
  Node* n = lookup(p.parent_key);
  if (n == nullptr) return nullptr;
  touch(n);
  return &n->proc;
}

void ProcessCache::ancestors(const Process& p, std::vector<const Process*>& out, size_t max) {
  out.clear();
  const Process* parent = find_parent(p);
  if (parent == nullptr) return;
  const Process* cur = parent;
  while (out.size() < max) {
    if (cur->parent_key == cur->key) return;
    Node* n = lookup(cur->parent_key);
    if (n == nullptr) return;
    const Process* next = &n->proc;
    if (next == &p || next == parent || std::find(out.begin(), out.end(), next) != out.end()) {
      return;  // cycle
    }
    touch(n);
    out.push_back(next);
    cur = next;
  }
}

bool ProcessCache::retain(const ProcessKey& key) {
  Node* n = lookup(key);
  if (n == nullptr) return false;
  ++n->proc.refcnt;
  return true;
}

bool ProcessCache::release(const ProcessKey& key) {
  if (!contains(key)) return false;
  release_chain(key);
  return true;
}

ProcessCacheStats ProcessCache::stats() const {
  ProcessCacheStats s;
  s.size = map_.size();
  s.capacity = capacity_;
  s.evictions_total = evictions_;
  s.misses_total = misses_;
  s.removals_total = removals_;
  return s;
}

size_t ProcessCache::memory_bytes() const {
  // libstdc++ hash node: next pointer + value + cached hash.
  constexpr size_t kNodeBytes = sizeof(void*) + sizeof(Map::value_type) + sizeof(size_t);
  size_t total = sizeof(*this) + map_.bucket_count() * sizeof(void*);
  for (const auto& [key, node] : map_) total += kNodeBytes + process_heap_bytes(node.proc);
  return total;
}

}  // namespace octagon::events
