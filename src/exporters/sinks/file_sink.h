// Byte sinks for exported JSON lines: a size-rotated file (--export-filename) and stdout.
//
// Rotation scheme (simple and documented, unlike lumberjack's timestamped names): when a write
// would push the current file past max_size bytes, the file is closed and shifted
//   <path>.<max_backups> is deleted, <path>.<i> -> <path>.<i+1>, <path> -> <path>.1
// so <path>.1 is always the newest backup; then <path> is recreated. Writes are split only at
// newline boundaries, so a record is never torn across two files, and a file exceeds max_size
// only when a single record alone is larger than max_size. max_backups = 0 keeps no backups (the
// full file is deleted on rotation); unlike lumberjack, 0 never means "keep everything".
//
// The file mode is enforced with fchmod (independent of the umask), including on an existing
// file being appended to; the default 0600 is never group/world-readable. A path that names a
// FIFO or character device (e.g. /dev/stdout) is written to without rotation or chmod.
#pragma once

#include <octagon/base/fd.h>
#include <octagon/base/result.h>
#include <octagon/pipeline/sink.h>

#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace octagon::exporters {

struct SinkStats {
  uint64_t bytes_written = 0;
  uint64_t rotations = 0;
  uint64_t write_errors = 0;
};

class FileSink final : public pipeline::Sink {
 public:
  static constexpr mode_t kDefaultMode = 0600;

  // Opens (creating or appending to) `path`. Fails naming the path and errno when the directory
  // does not exist or is not writable, or `path` is a directory. max_size_bytes must be > 0 and
  // mode must fit in 0777.
  [[nodiscard]] static Result<std::unique_ptr<FileSink>> create(std::string path,
                                                                uint64_t max_size_bytes,
                                                                unsigned max_backups,
                                                                mode_t mode = kDefaultMode);

  // Writes all bytes (rotating as needed), retrying partial writes and EINTR. After a failed
  // rotation the next write retries opening the file.
  [[nodiscard]] Result<void> write(std::string_view data) override;
  const char* name() const override { return name_.c_str(); }

  const std::string& path() const { return path_; }
  std::string backup_path(unsigned index) const;  // "<path>.<index>", index >= 1
  uint64_t current_size() const { return size_; }  // writer thread only
  SinkStats stats() const;                         // any thread

 private:
  FileSink(std::string path, uint64_t max_size_bytes, unsigned max_backups, mode_t mode);
  Result<void> open_current();
  Result<void> rotate();
  Result<void> write_chunk(std::string_view data);
  Result<void> write_impl(std::string_view data);

  const std::string path_;
  const std::string name_;
  const uint64_t max_size_;
  const unsigned max_backups_;
  const mode_t mode_;
  Fd fd_;
  bool rotatable_ = true;  // false for FIFOs and devices
  uint64_t size_ = 0;
  std::atomic<uint64_t> bytes_written_{0};
  std::atomic<uint64_t> rotations_{0};
  std::atomic<uint64_t> write_errors_{0};
};

// Writes to an inherited descriptor (stdout by default) that it does not own. A closed reader
// (EPIPE; the agent ignores SIGPIPE) or a non-blocking descriptor that is full (EAGAIN) is
// reported as an error; bytes already written are counted.
class StdoutSink final : public pipeline::Sink {
 public:
  explicit StdoutSink(int fd = STDOUT_FILENO) : fd_(fd) {}

  [[nodiscard]] Result<void> write(std::string_view data) override;
  const char* name() const override { return "stdout"; }
  SinkStats stats() const;  // any thread; rotations is always 0

 private:
  const int fd_;
  std::atomic<uint64_t> bytes_written_{0};
  std::atomic<uint64_t> write_errors_{0};
};

}  // namespace octagon::exporters
