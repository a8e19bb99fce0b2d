// ChunkAssembler: joins the OCT_MSG_GENERIC_DATA chunks of maxData arguments (abi/generic.h)
// to the event they belong to. Chunks precede their event in the ring; an argument whose
// bytes did not all arrive (ring full, unreadable page, evicted) is flagged truncated, never
// shown as whole. Pending chunks of events that never came are evicted oldest first.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <tuple>

#include <abi/generic.h>
#include <octagon/base/result.h>
#include <octagon/sensors/generic/generic_decoder.h>

namespace octagon::sensors {

class ChunkAssembler {
 public:
  explicit ChunkAssembler(size_t max_pending_bytes = 32u << 20) : max_bytes_(max_pending_bytes) {}

  // Stores one OCT_MSG_GENERIC_DATA record.
  Result<void> add(const void* data, size_t size);
  // Joins the pending chunks of d's chunked arguments to them (d.args then views storage
  // owned here, valid until the next call) and flags arguments with missing bytes truncated.
  void complete(DecodedGeneric& d);

  size_t pending() const { return pending_.size(); }
  uint64_t evicted() const { return evicted_; }

 private:
  using Key = std::tuple<uint64_t, uint32_t, uint8_t>;  // event ktime, tid, argument
  struct Pending {
    std::string bytes;  // from the argument's inline end on
    uint32_t start = 0; // offset of bytes[0] in the argument
    bool gap = false;   // a chunk went missing in between
  };
  void evict();
  static constexpr size_t kMaxKeys = 4096;  // pending arguments (and completed ones in order_)

  size_t max_bytes_;
  size_t bytes_ = 0;
  uint64_t evicted_ = 0;
  std::map<Key, Pending> pending_;
  std::deque<Key> order_;
  std::array<std::string, OCT_GEN_MAX_ARGS> joined_;
};

}  // namespace octagon::sensors
