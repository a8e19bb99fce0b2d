// ChunkAssembler: maxData chunks joined to their event; lost chunks flag the argument.
#include <octagon/sensors/generic/chunk_assembler.h>

#include <cstring>

#include <gtest/gtest.h>

namespace octagon::sensors {
namespace {

std::string chunk(uint64_t ktime, uint32_t tid, uint8_t arg, uint32_t offset, const std::string& bytes) {
  oct_gen_chunk c{};
  c.hdr.op = OCT_MSG_GENERIC_DATA;
  c.hdr.ktime = ktime;
  c.hdr.size = uint32_t(sizeof(c) + bytes.size());
  c.tid = tid;
  c.arg = arg;
  c.offset = offset;
  c.len = uint32_t(bytes.size());
  return std::string(reinterpret_cast<const char*>(&c), sizeof(c)) + bytes;
}

DecodedGeneric event(uint64_t ktime, uint32_t tid, const std::string& inline_bytes, uint32_t whole) {
  DecodedGeneric d;
  d.ktime = ktime;
  d.tid = tid;
  d.args = {std::string_view("fd"), std::string_view(inline_bytes)};
  d.arg_flags = {0, OCT_GAF_CHUNKED};
  d.arg_size = {0, whole};
  return d;
}

TEST(ChunkAssembler, JoinsChunksInOrder) {
  ChunkAssembler a;
  std::string head = "head-";
  for (const auto& c : {chunk(5, 9, 1, 5, "one-"), chunk(5, 9, 1, 9, "two")})
    ASSERT_TRUE(a.add(c.data(), c.size()));
  auto other = chunk(6, 9, 1, 5, "other event");
  ASSERT_TRUE(a.add(other.data(), other.size()));
  DecodedGeneric d = event(5, 9, head, 12);
  a.complete(d);
  EXPECT_EQ(d.args[1], "head-one-two");
  EXPECT_EQ(d.arg_flags[1] & OCT_GAF_TRUNCATED, 0);
  EXPECT_EQ(d.args[0], "fd");
  EXPECT_EQ(a.pending(), 1u);  // the other event's chunk waits for it
}

TEST(ChunkAssembler, MissingChunksFlagTheArgumentTruncated) {
  ChunkAssembler a;
  std::string head = "head-";
  auto late = chunk(5, 9, 1, 9, "two");  // "one-" at offset 5 was lost
  ASSERT_TRUE(a.add(late.data(), late.size()));
  DecodedGeneric d = event(5, 9, head, 12);
  a.complete(d);
  EXPECT_EQ(d.args[1], "head-");  // bytes after a gap are not glued on
  EXPECT_NE(d.arg_flags[1] & OCT_GAF_TRUNCATED, 0);
  DecodedGeneric none = event(7, 9, head, 12);  // no chunk at all
  a.complete(none);
  EXPECT_NE(none.arg_flags[1] & OCT_GAF_TRUNCATED, 0);
  EXPECT_EQ(a.pending(), 0u);
}

TEST(ChunkAssembler, OrphanChunksAreEvictedOldestFirst) {
  ChunkAssembler a(/*max_pending_bytes=*/100);
  for (uint64_t t = 1; t <= 5; t++) {
    auto c = chunk(t, 1, 0, 0, std::string(40, 'x'));
    ASSERT_TRUE(a.add(c.data(), c.size()));
  }
  EXPECT_EQ(a.pending(), 2u);
  EXPECT_EQ(a.evicted(), 3u);
  std::string bad = chunk(1, 1, 7, 0, "x");  // argument index out of range
  EXPECT_FALSE(a.add(bad.data(), bad.size()));
  EXPECT_FALSE(a.add(bad.data(), 10));
}

}  // namespace
}  // namespace octagon::sensors
