#include <octagon/sensors/generic/chunk_assembler.h>

#include <cerrno>
#include <cstring>

namespace octagon::sensors {

Result<void> ChunkAssembler::add(const void* data, size_t size) {
  oct_gen_chunk c;
  if (size < sizeof(c)) return make_error(EPROTO, "chunk record too short");
  memcpy(&c, data, sizeof(c));
  if (c.len > OCT_GEN_CHUNK_DATA || sizeof(c) + c.len > size || c.arg >= OCT_GEN_MAX_ARGS)
    return make_error(EPROTO, "chunk record of " + std::to_string(c.len) + " bytes is malformed");
  Key k{c.hdr.ktime, c.tid, c.arg};
  auto [it, fresh] = pending_.try_emplace(k);
  Pending& p = it->second;
  if (fresh) {
    p.start = c.offset;
    order_.push_back(k);
  }
  if (c.offset != p.start + p.bytes.size()) p.gap = true;  // a chunk in between was lost
  p.bytes.append(static_cast<const char*>(data) + sizeof(c), c.len);
  bytes_ += c.len;
  evict();
  return ok();
}

void ChunkAssembler::evict() {
  while ((bytes_ > max_bytes_ || order_.size() > kMaxKeys) && !order_.empty()) {
    auto it = pending_.find(order_.front());
    order_.pop_front();
    if (it == pending_.end()) continue;  // completed already
    bytes_ -= it->second.bytes.size();
    pending_.erase(it);
    evicted_++;
  }
}

void ChunkAssembler::complete(DecodedGeneric& d) {
  for (size_t i = 0; i < d.args.size() && i < joined_.size(); i++) {
    if (!(d.arg_flags[i] & OCT_GAF_CHUNKED)) continue;
    std::string& j = joined_[i];
    j.assign(d.args[i]);
    auto it = pending_.find(Key{d.ktime, d.tid, uint8_t(i)});
    if (it != pending_.end()) {
      if (!it->second.gap && it->second.start == j.size()) j += it->second.bytes;
      bytes_ -= it->second.bytes.size();
      pending_.erase(it);  // its order_ entry is skipped when it comes up
    }
    uint32_t whole = i < d.arg_size.size() ? d.arg_size[i] : 0;
    if (j.size() < whole) d.arg_flags[i] |= OCT_GAF_TRUNCATED;
    d.args[i] = j;
  }
  while (!order_.empty() && !pending_.count(order_.front())) order_.pop_front();
}

}  // namespace octagon::sensors
