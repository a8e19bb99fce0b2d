#include <octagon/bpf/ring_buffer_reader.h>

#include <cerrno>

namespace octagon::bpf {

Result<std::unique_ptr<RingBufferReader>> RingBufferReader::create(int map_fd,
                                                                    RecordHandler& handler) {
  std::unique_ptr<RingBufferReader> r(new RingBufferReader(handler));
  r->rb_ = ring_buffer__new(map_fd, &RingBufferReader::on_sample, r.get(), nullptr);
  if (!r->rb_) return make_error(errno, "create ring buffer reader");
  return r;
}

RingBufferReader::~RingBufferReader() {
  if (rb_) ring_buffer__free(rb_);
}

int RingBufferReader::on_sample(void* ctx, void* data, size_t size) {
  auto* self = static_cast<RingBufferReader*>(ctx);
  // Single writer: a relaxed load+store, no locked add on the hot path.
  self->records_.store(self->records_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  self->handler_.on_record(data, size);
  return 0;
}

Result<int> RingBufferReader::poll(int timeout_ms) {
  int n = ring_buffer__poll(rb_, timeout_ms);
  if (n < 0 && n != -EINTR) return make_error(-n, "poll ring buffer");
  int m = ring_buffer__consume(rb_);
  if (m < 0 && m != -EINTR) return make_error(-m, "consume ring buffer");
  return (n > 0 ? n : 0) + (m > 0 ? m : 0);
}

}  // namespace octagon::bpf
