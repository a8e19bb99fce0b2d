// The loader sensor's perf records, crafted byte by byte: PERF_RECORD_MMAP2 with and without a
// build id, PERF_RECORD_LOST, and records that lie about their sizes (counted, never a crash).
#include <octagon/sensors/loader/loader_sensor.h>
#include <octagon/sensors/loader/mmap_record.h>

#include <linux/perf_event.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace octagon::sensors {
namespace {

template <typename T> void put(std::vector<uint8_t>& b, T v) {
  const size_t at = b.size();
  b.resize(at + sizeof(v));
  std::memcpy(b.data() + at, &v, sizeof(v));
}

// header, pid, tid, addr, len, pgoff, 24-byte id union, prot, flags, name (padded to 8),
// then the sample_id time when `time` is set.
std::vector<uint8_t> mmap2(uint16_t misc, const std::string& name, const std::vector<uint8_t>& build_id,
                           bool time, uint64_t ktime = 0) {
  std::vector<uint8_t> b;
  put<uint32_t>(b, PERF_RECORD_MMAP2);
  put<uint16_t>(b, misc);
  put<uint16_t>(b, 0);  // size, set below
  put<uint32_t>(b, 4242);
  put<uint32_t>(b, 4243);
  put<uint64_t>(b, 0x7f0000000000);
  put<uint64_t>(b, 0x1000);
  put<uint64_t>(b, 0);
  uint8_t id[24] = {};
  if (misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
    id[0] = static_cast<uint8_t>(build_id.size());
    std::memcpy(id + 4, build_id.data(), std::min<size_t>(build_id.size(), 20));
  } else {
    std::memset(id, 0x77, sizeof(id));  // maj, min, ino, ino_generation
  }
  b.insert(b.end(), id, id + sizeof(id));
  put<uint32_t>(b, 5);  // PROT_READ | PROT_EXEC
  put<uint32_t>(b, 2);  // MAP_PRIVATE
  b.insert(b.end(), name.begin(), name.end());
  b.push_back(0);
  while (b.size() % 8) b.push_back(0);
  if (time) put<uint64_t>(b, ktime);
  const uint16_t size = static_cast<uint16_t>(b.size());
  std::memcpy(b.data() + 6, &size, sizeof(size));
  return b;
}

TEST(MmapRecord, WithBuildIdAndTime) {
  std::vector<uint8_t> id(20);
  for (size_t i = 0; i < id.size(); i++) id[i] = static_cast<uint8_t>(0xa0 + i);
  auto b = mmap2(PERF_RECORD_MISC_USER | PERF_RECORD_MISC_MMAP_BUILD_ID, "/usr/lib/libc.so.6", id, true, 123456789);
  MmapRecord r;
  PerfRecordResult p = parse_perf_record(b.data(), b.size(), true, r);
  ASSERT_EQ(p.kind, PerfRecordKind::kMmap2);
  EXPECT_EQ(r.pid, 4242u);
  EXPECT_EQ(r.tid, 4243u);
  EXPECT_EQ(r.ktime, 123456789u);
  EXPECT_EQ(r.path, "/usr/lib/libc.so.6");
  ASSERT_EQ(r.build_id_size, 20u);
  EXPECT_EQ(std::vector<uint8_t>(r.build_id, r.build_id + 20), id);
}

TEST(MmapRecord, WithoutBuildIdOrTime) {
  auto b = mmap2(PERF_RECORD_MISC_USER, "/bin/true", {}, false);
  MmapRecord r;
  r.build_id_size = 9;  // stale from an earlier record
  ASSERT_EQ(parse_perf_record(b.data(), b.size(), false, r).kind, PerfRecordKind::kMmap2);
  EXPECT_EQ(r.build_id_size, 0u);  // the maj/min/ino bytes are not taken for a build id
  EXPECT_EQ(r.path, "/bin/true");
  EXPECT_EQ(r.ktime, 0u);
}

TEST(MmapRecord, ShortBuildIdAndHostileName) {
  const std::string name = std::string("/tmp/\x1b[31m\n\xff", 10) + ".so";
  auto b = mmap2(PERF_RECORD_MISC_MMAP_BUILD_ID, name, {1, 2, 3, 4, 5, 6, 7, 8}, true, 7);
  MmapRecord r;
  ASSERT_EQ(parse_perf_record(b.data(), b.size(), true, r).kind, PerfRecordKind::kMmap2);
  EXPECT_EQ(r.path, name);  // raw: the encoders escape
  EXPECT_EQ(r.build_id_size, 8u);
}

TEST(MmapRecord, NameWithoutNulStopsAtTheRecordEnd) {
  auto b = mmap2(0, "/abcdefg", {}, false);  // 8 chars + NUL + 7 padding
  // Overwrite the NUL and padding: the name runs to the end of the record.
  std::memset(b.data() + 72 + 8, 'x', b.size() - 72 - 8);
  MmapRecord r;
  ASSERT_EQ(parse_perf_record(b.data(), b.size(), false, r).kind, PerfRecordKind::kMmap2);
  EXPECT_EQ(r.path, "/abcdefg" + std::string(8, 'x'));
}

TEST(MmapRecord, MalformedRecordsAreReportedNotRead) {
  auto b = mmap2(PERF_RECORD_MISC_MMAP_BUILD_ID, "/lib/x.so", {1, 2}, true, 1);
  MmapRecord r;
  // Truncated at every length: never a crash, always malformed (the header's size disagrees).
  for (size_t n = 0; n < b.size(); n++)
    EXPECT_EQ(parse_perf_record(b.data(), n, true, r).kind, PerfRecordKind::kMalformed) << n;
  // Oversized: the buffer is longer than the header says.
  std::vector<uint8_t> big = b;
  big.resize(b.size() + 64, 0);
  EXPECT_EQ(parse_perf_record(big.data(), big.size(), true, r).kind, PerfRecordKind::kMalformed);
  // Header says a size too small for an MMAP2 record (consistent with the buffer).
  std::vector<uint8_t> tiny(b.begin(), b.begin() + 40);
  const uint16_t forty = 40;
  std::memcpy(tiny.data() + 6, &forty, 2);
  EXPECT_EQ(parse_perf_record(tiny.data(), tiny.size(), true, r).kind, PerfRecordKind::kMalformed);
  // A build id longer than the kernel's 20 bytes.
  std::vector<uint8_t> bad = b;
  bad[40] = 21;
  EXPECT_EQ(parse_perf_record(bad.data(), bad.size(), true, r).kind, PerfRecordKind::kMalformed);
  // An MMAP2 whose name and time do not fit: 72 bytes of head plus only the time.
  std::vector<uint8_t> head_only(b.begin(), b.begin() + 72);
  const uint16_t seventy_two = 72;
  std::memcpy(head_only.data() + 6, &seventy_two, 2);
  EXPECT_EQ(parse_perf_record(head_only.data(), head_only.size(), true, r).kind, PerfRecordKind::kMalformed);
  EXPECT_EQ(parse_perf_record(head_only.data(), head_only.size(), false, r).kind, PerfRecordKind::kMmap2);
  EXPECT_EQ(r.path, "");
}

TEST(MmapRecord, LostAndOtherRecords) {
  std::vector<uint8_t> lost;
  put<uint32_t>(lost, PERF_RECORD_LOST);
  put<uint16_t>(lost, 0);
  put<uint16_t>(lost, 8 + 16 + 8);
  put<uint64_t>(lost, 1);   // id
  put<uint64_t>(lost, 37);  // lost
  put<uint64_t>(lost, 99);  // sample_id time
  MmapRecord r;
  PerfRecordResult p = parse_perf_record(lost.data(), lost.size(), true, r);
  EXPECT_EQ(p.kind, PerfRecordKind::kLost);
  EXPECT_EQ(p.lost, 37u);
  EXPECT_EQ(parse_perf_record(lost.data(), 16, true, r).kind, PerfRecordKind::kMalformed);
  std::vector<uint8_t> comm;
  put<uint32_t>(comm, PERF_RECORD_COMM);
  put<uint16_t>(comm, 0);
  put<uint16_t>(comm, 8);
  EXPECT_EQ(parse_perf_record(comm.data(), comm.size(), true, r).kind, PerfRecordKind::kOther);
}

TEST(LoaderCpuList, SysfsSyntax) {
  EXPECT_EQ(parse_cpu_list("0-3\n"), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(parse_cpu_list("0,2,4-5"), (std::vector<int>{0, 2, 4, 5}));
  EXPECT_EQ(parse_cpu_list("7"), (std::vector<int>{7}));
  EXPECT_TRUE(parse_cpu_list("").empty());
  EXPECT_TRUE(parse_cpu_list("3-1").empty());
  EXPECT_TRUE(parse_cpu_list("a").empty());
}

}  // namespace
}  // namespace octagon::sensors
