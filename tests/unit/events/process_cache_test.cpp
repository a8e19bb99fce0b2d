#include <octagon/events/process_cache.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace octagon::events {
namespace {

Process make(uint32_t pid, uint64_t ktime, uint32_t ppid, uint64_t pktime,
             std::string binary = "/bin/true") {
  Process p;
  p.key = {pid, ktime};
  p.parent_key = {ppid, pktime};
  p.pid = p.tid = pid;
  p.binary = std::move(binary);
  return p;
}

TEST(ProcessCache, InsertFindAndMisses) {
  ProcessCache cache(16);
  Process& p = cache.upsert(make(10, 100, 1, 1, "/usr/bin/sleep"));
  EXPECT_EQ(p.refcnt, 1u);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.contains({10, 100}));
  EXPECT_FALSE(cache.contains({10, 101}));
  ASSERT_NE(cache.find({10, 100}), nullptr);
  EXPECT_EQ(cache.find({10, 100})->binary, "/usr/bin/sleep");
  EXPECT_EQ(cache.misses_total(), 0u);
  EXPECT_EQ(cache.find({11, 100}), nullptr);
  EXPECT_EQ(cache.peek({12, 100}), nullptr);  // peek does not count
  EXPECT_EQ(cache.misses_total(), 1u);
  ProcessCacheStats s = cache.stats();
  EXPECT_EQ(s.size, 1u);
  EXPECT_EQ(s.capacity, 16u);
  EXPECT_EQ(s.misses_total, 1u);
}

TEST(ProcessCache, CapacityHasAFloor) {
  EXPECT_EQ(ProcessCache(0).capacity(), ProcessCache::kMinCapacity);
  EXPECT_EQ(ProcessCache().capacity(), 65536u);
}

TEST(ProcessCache, ChildKeepsExitedParent) {
  ProcessCache cache(16);
  cache.upsert(make(1, 10, 0, 1));
  cache.upsert(make(2, 20, 1, 10));
  EXPECT_EQ(cache.peek({1, 10})->refcnt, 2u);

  EXPECT_TRUE(cache.release({1, 10}));  // parent exits first
  ASSERT_TRUE(cache.contains({1, 10}));
  EXPECT_EQ(cache.peek({1, 10})->refcnt, 1u);
  const Process* parent = cache.find_parent(*cache.find({2, 20}));
  ASSERT_NE(parent, nullptr);
  EXPECT_EQ(parent->pid, 1u);

  EXPECT_TRUE(cache.release({2, 20}));  // the child goes and takes the parent with it
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.removals_total(), 2u);
  EXPECT_FALSE(cache.release({2, 20}));
}

TEST(ProcessCache, ParentOutlivesChild) {
  ProcessCache cache(16);
  cache.upsert(make(1, 10, 0, 1));
  cache.upsert(make(2, 20, 1, 10));
  EXPECT_TRUE(cache.release({2, 20}));
  ASSERT_TRUE(cache.contains({1, 10}));
  EXPECT_EQ(cache.peek({1, 10})->refcnt, 1u);
  EXPECT_EQ(cache.removals_total(), 1u);
}

TEST(ProcessCache, RetainDelaysRemoval) {
  ProcessCache cache(16);
  cache.upsert(make(5, 50, 1, 1));
  EXPECT_TRUE(cache.retain({5, 50}));
  EXPECT_FALSE(cache.retain({6, 50}));
  cache.release({5, 50});
  EXPECT_TRUE(cache.contains({5, 50}));
  cache.release({5, 50});
  EXPECT_FALSE(cache.contains({5, 50}));
}

TEST(ProcessCache, ReleaseWalksLongChainsIteratively) {
  constexpr uint32_t kDepth = 200000;
  ProcessCache cache(kDepth + 1);
  for (uint32_t i = 1; i <= kDepth; ++i) cache.upsert(make(i, i, i - 1, i - 1));
  for (uint32_t i = 1; i < kDepth; ++i) cache.release({i, i});  // all ancestors exit
  EXPECT_EQ(cache.size(), kDepth);
  cache.release({kDepth, kDepth});  // the leaf exits: the whole chain goes, no recursion
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.removals_total(), kDepth);
}

TEST(ProcessCache, UpsertExistingKeepsRefcnt) {
  ProcessCache cache(16);
  cache.upsert(make(1, 10, 0, 1));
  cache.upsert(make(2, 20, 1, 10, "/bin/old"));
  Process update = make(2, 20, 1, 10, "/bin/new");
  update.refcnt = 42;  // ignored
  Process& p = cache.upsert(std::move(update));
  EXPECT_EQ(p.binary, "/bin/new");
  EXPECT_EQ(p.refcnt, 1u);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.peek({1, 10})->refcnt, 2u);  // no second parent reference
}

TEST(ProcessCache, UpsertMovesParentReference) {
  ProcessCache cache(16);
  cache.upsert(make(1, 10, 0, 1));
  cache.upsert(make(3, 30, 0, 1));
  cache.upsert(make(2, 20, 1, 10));
  cache.release({1, 10});            // held only by its child now
  cache.upsert(make(2, 20, 3, 30));  // reparented (e.g. the seed had it wrong)
  EXPECT_FALSE(cache.contains({1, 10}));
  EXPECT_EQ(cache.peek({3, 30})->refcnt, 2u);
}

TEST(ProcessCache, UpsertTakesParentSeenLater) {
  ProcessCache cache(16);
  cache.upsert(make(2, 20, 1, 10));  // parent unknown yet
  cache.upsert(make(1, 10, 0, 1));
  EXPECT_EQ(cache.peek({1, 10})->refcnt, 1u);
  cache.upsert(make(2, 20, 1, 10));  // refreshed: now it holds its parent
  EXPECT_EQ(cache.peek({1, 10})->refcnt, 2u);
}

TEST(ProcessCache, UpsertRefusesReferenceCycle) {
  ProcessCache cache(16);
  cache.upsert(make(1, 10, 9, 90));  // A, parent absent
  cache.upsert(make(2, 20, 1, 10));  // B holds A
  cache.upsert(make(1, 10, 2, 20));  // A claims B as parent: would be a cycle
  EXPECT_EQ(cache.peek({2, 20})->refcnt, 1u);
  EXPECT_EQ(cache.peek({1, 10})->refcnt, 2u);
  cache.release({2, 20});
  cache.release({1, 10});
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ProcessCache, SelfParentTakesNoReference) {
  ProcessCache cache(16);
  cache.upsert(make(7, 70, 7, 70));
  EXPECT_EQ(cache.peek({7, 70})->refcnt, 1u);
  EXPECT_EQ(cache.find_parent(*cache.peek({7, 70})), nullptr);
  cache.release({7, 70});
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ProcessCache, EvictsLeastRecentlyUsed) {
  ProcessCache cache(3);
  cache.upsert(make(1, 1, 0, 0));
  cache.upsert(make(2, 2, 0, 0));
  cache.upsert(make(3, 3, 0, 0));
  ASSERT_NE(cache.find({1, 1}), nullptr);  // 2 is now the oldest
  cache.upsert(make(4, 4, 0, 0));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.evictions_total(), 1u);
  EXPECT_FALSE(cache.contains({2, 2}));
  EXPECT_TRUE(cache.contains({1, 1}));
  cache.upsert(make(5, 5, 0, 0));  // then 3
  EXPECT_FALSE(cache.contains({3, 3}));

  std::vector<uint32_t> order;
  cache.for_each([&](const Process& p) { order.push_back(p.pid); });
  EXPECT_EQ(order, (std::vector<uint32_t>{5, 4, 1}));
}

TEST(ProcessCache, EvictionReleasesParentReference) {
  ProcessCache cache(3);
  cache.upsert(make(1, 10, 0, 0));
  cache.upsert(make(2, 20, 1, 10));
  cache.release({1, 10});  // exited, held by its child
  cache.upsert(make(3, 30, 0, 0));
  ASSERT_NE(cache.find({1, 10}), nullptr);  // LRU order: 1, 3, 2
  cache.upsert(make(4, 40, 0, 0));          // evicts 2, which drops the last ref on 1
  EXPECT_EQ(cache.evictions_total(), 1u);
  EXPECT_EQ(cache.removals_total(), 1u);
  EXPECT_FALSE(cache.contains({1, 10}));
  EXPECT_FALSE(cache.contains({2, 20}));
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ProcessCache, NewEntryNeverEvictsItsParent) {
  ProcessCache cache(2);
  cache.upsert(make(1, 10, 0, 0));
  cache.upsert(make(2, 20, 0, 0));  // 1 is the LRU entry now
  cache.upsert(make(3, 30, 1, 10));
  EXPECT_TRUE(cache.contains({1, 10}));
  EXPECT_FALSE(cache.contains({2, 20}));
  ASSERT_NE(cache.find_parent(*cache.peek({3, 30})), nullptr);
  EXPECT_EQ(cache.peek({1, 10})->refcnt, 2u);
}

TEST(ProcessCache, EvictedParentMissesQuietly) {
  ProcessCache cache(2);
  cache.upsert(make(1, 10, 0, 0));
  cache.upsert(make(2, 20, 1, 10));  // order: 2, 1
  cache.upsert(make(3, 30, 0, 0));   // evicts 1 although 2 holds it
  EXPECT_FALSE(cache.contains({1, 10}));
  EXPECT_EQ(cache.find_parent(*cache.peek({2, 20})), nullptr);
  EXPECT_TRUE(cache.release({2, 20}));  // its parent reference goes nowhere
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ProcessCache, AncestorsWalkUpBounded) {
  ProcessCache cache(16);
  cache.upsert(make(0, 1, 0, 0, "<kernel>"));
  cache.upsert(make(1, 10, 0, 1, "/sbin/init"));
  cache.upsert(make(100, 100, 1, 10, "/bin/bash"));
  cache.upsert(make(200, 200, 100, 100, "/bin/sh"));
  cache.upsert(make(300, 300, 200, 200, "/bin/ls"));
  std::vector<const Process*> out{nullptr};  // cleared first
  cache.ancestors(*cache.peek({300, 300}), out, 16);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0]->pid, 100u);
  EXPECT_EQ(out[1]->pid, 1u);
  EXPECT_EQ(out[2]->pid, 0u);
  cache.ancestors(*cache.peek({300, 300}), out, 2);
  EXPECT_EQ(out.size(), 2u);
  cache.ancestors(*cache.peek({1, 10}), out, 16);
  EXPECT_TRUE(out.empty());  // the parent (<kernel>) is not an ancestor
}

TEST(ProcessCache, AncestorsStopAtCycles) {
  ProcessCache cache(16);
  cache.upsert(make(1, 10, 2, 20));  // A -> B
  cache.upsert(make(2, 20, 3, 30));  // B -> C
  cache.upsert(make(3, 30, 1, 10));  // C -> A
  cache.upsert(make(9, 90, 1, 10));  // X -> A, outside the cycle
  std::vector<const Process*> out;
  cache.ancestors(*cache.peek({1, 10}), out, 100);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->pid, 3u);
  cache.ancestors(*cache.peek({9, 90}), out, 100);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]->pid, 2u);
  EXPECT_EQ(out[1]->pid, 3u);
}

TEST(ProcessCache, MemoryStaysFlatUnderChurn) {
  constexpr size_t kCapacity = 1000;
  constexpr uint32_t kIterations = 1000000;
  ProcessCache cache(kCapacity);
  cache.upsert(make(1, 10, 0, 1, "/usr/lib/systemd/systemd-long-enough-to-allocate"));
  size_t filled_bytes = 0;
  size_t max_bytes = 0;
  for (uint32_t i = 0; i < kIterations; ++i) {
    Process p = make(1000 + i, 1000 + i, 1, 10, "/usr/local/bin/a-binary-path-beyond-sso");
    p.arguments = "--flag value --another-flag " + std::to_string(i);
    p.cwd = "/var/lib/some/working/directory";
    cache.upsert(std::move(p));
    if (i % 2 == 0) cache.release({1000 + i, 1000 + i});  // half exit, half are evicted
    if (i == 10 * kCapacity) filled_bytes = cache.memory_bytes();
    if (i % 100000 == 0) {
      ASSERT_LE(cache.size(), kCapacity);
      max_bytes = std::max(max_bytes, cache.memory_bytes());
    }
  }
  EXPECT_EQ(cache.size(), kCapacity);
  EXPECT_GT(cache.evictions_total(), kIterations / 2 - kCapacity);
  EXPECT_EQ(cache.removals_total(), kIterations / 2);
  // The init process stays hot (every insert touches it) and holds one ref per cached child.
  ASSERT_TRUE(cache.contains({1, 10}));
  EXPECT_EQ(cache.peek({1, 10})->refcnt, cache.size());
  ASSERT_GT(filled_bytes, 0u);
  EXPECT_LE(max_bytes, filled_bytes + filled_bytes / 20);
  EXPECT_LE(cache.memory_bytes(), filled_bytes + filled_bytes / 20);
  EXPECT_LT(cache.memory_bytes(), kCapacity * 1024);  // about 0.5 KiB per entry
}

}  // namespace
}  // namespace octagon::events
