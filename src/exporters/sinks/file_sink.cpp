#include <octagon/exporters/sinks/file_sink.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>

namespace octagon::exporters {
namespace {

inline void bump(std::atomic<uint64_t>& counter, uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

// Writes all of `data`, retrying EINTR and short writes. `done` receives the bytes written even
// on failure, so callers can account for a partial write.
Result<void> write_all(int fd, std::string_view data, const std::string& what, size_t& done) {
  done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      return make_error(err, "write " + what + " (" + std::to_string(done) + " of " +
                                 std::to_string(data.size()) + " bytes written)");
    }
    if (n == 0) {
      return make_error(EIO, "write " + what + " returned 0 (" + std::to_string(done) + " of " +
                                 std::to_string(data.size()) + " bytes written)");
    }
    done += static_cast<size_t>(n);
  }
  return ok();
}

// rename/unlink where a missing source is fine (fewer backups exist than allowed).
Result<void> rename_if_exists(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) == 0 || errno == ENOENT) return ok();
  return make_error(errno, "rotate: rename " + from + " -> " + to);
}

Result<void> unlink_if_exists(const std::string& path) {
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return ok();
  return make_error(errno, "rotate: unlink " + path);
}

}  // namespace

Result<std::unique_ptr<FileSink>> FileSink::create(std::string path, uint64_t max_size_bytes,
                                                   unsigned max_backups, mode_t mode) {
  if (path.empty()) return make_error(EINVAL, "file sink: empty path");
  if (max_size_bytes == 0) return make_error(EINVAL, "file sink " + path + ": max size is 0");
  if ((mode & ~mode_t{0777}) != 0) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%o", static_cast<unsigned>(mode));
    return make_error(EINVAL, "file sink " + path + ": mode " + buf + " is not within 0777");
  }
  std::unique_ptr<FileSink> sink(new FileSink(std::move(path), max_size_bytes, max_backups, mode));
  OCTAGON_TRY(sink->open_current());
  return sink;
}

FileSink::FileSink(std::string path, uint64_t max_size_bytes, unsigned max_backups, mode_t mode)
    : path_(std::move(path)),
      name_("file:" + path_),
      max_size_(max_size_bytes),
      max_backups_(max_backups),
      mode_(mode) {}

std::string FileSink::backup_path(unsigned index) const {
  return path_ + "." + std::to_string(index);
}

Result<void> FileSink::open_current() {
  Fd fd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, mode_));
  if (!fd.valid()) return make_error(errno, "open export file " + path_);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return make_error(errno, "stat export file " + path_);
  rotatable_ = S_ISREG(st.st_mode);
  if (rotatable_) {
    if ((st.st_mode & 07777) != mode_ && ::fchmod(fd.get(), mode_) != 0) {
      return make_error(errno, "chmod export file " + path_);
    }
    size_ = static_cast<uint64_t>(st.st_size);
  } else {
    size_ = 0;
  }
  fd_ = std::move(fd);
  return ok();
}

Result<void> FileSink::rotate() {
  fd_.reset();
  if (max_backups_ == 0) {
    OCTAGON_TRY(unlink_if_exists(path_));
  } else {
    OCTAGON_TRY(unlink_if_exists(backup_path(max_backups_)));
    for (unsigned i = max_backups_ - 1; i >= 1; --i) {
      OCTAGON_TRY(rename_if_exists(backup_path(i), backup_path(i + 1)));
    }
    OCTAGON_TRY(rename_if_exists(path_, backup_path(1)));
  }
  bump(rotations_);
  return open_current();
}

Result<void> FileSink::write_chunk(std::string_view data) {
  size_t done = 0;
  Result<void> r = write_all(fd_.get(), data, path_, done);
  size_ += done;
  bump(bytes_written_, done);
  return r;
}

Result<void> FileSink::write_impl(std::string_view data) {
  if (!fd_.valid()) OCTAGON_TRY(open_current());
  while (!data.empty()) {
    if (!rotatable_ || size_ + data.size() <= max_size_) return write_chunk(data);
    // Fill the current file up to the last whole record that still fits, then rotate.
    const uint64_t room = max_size_ > size_ ? max_size_ - size_ : 0;
    const size_t cut = room > 0 ? data.rfind('\n', static_cast<size_t>(room - 1))
                                : std::string_view::npos;
    if (cut != std::string_view::npos) {
      OCTAGON_TRY(write_chunk(data.substr(0, cut + 1)));
      data.remove_prefix(cut + 1);
      OCTAGON_TRY(rotate());
    } else if (size_ > 0) {
      OCTAGON_TRY(rotate());
    } else {
      // A single record larger than max_size: keep it whole in a file of its own.
      const size_t nl = data.find('\n');
      const size_t n = nl == std::string_view::npos ? data.size() : nl + 1;
      OCTAGON_TRY(write_chunk(data.substr(0, n)));
      data.remove_prefix(n);
    }
  }
  return ok();
}

Result<void> FileSink::write(std::string_view data) {
  Result<void> r = write_impl(data);
  if (!r) bump(write_errors_);
  return r;
}

SinkStats FileSink::stats() const {
  SinkStats s;
  s.bytes_written = bytes_written_.load(std::memory_order_relaxed);
  s.rotations = rotations_.load(std::memory_order_relaxed);
  s.write_errors = write_errors_.load(std::memory_order_relaxed);
  return s;
}

Result<void> StdoutSink::write(std::string_view data) {
  size_t done = 0;
  Result<void> r = write_all(fd_, data, "stdout", done);
  bump(bytes_written_, done);
  if (!r) bump(write_errors_);
  return r;
}

SinkStats StdoutSink::stats() const {
  SinkStats s;
  s.bytes_written = bytes_written_.load(std::memory_order_relaxed);
  s.write_errors = write_errors_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace octagon::exporters
