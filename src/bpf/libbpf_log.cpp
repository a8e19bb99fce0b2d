#include <octagon/bpf/libbpf_log.h>

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>

#include <octagon/base/log.h>

namespace octagon::bpf {
namespace {

constexpr size_t kMaxCapture = 64 * 1024;
thread_local std::string t_log;  // per-thread: loads on different threads do not mix

int on_libbpf_print(enum libbpf_print_level level, const char* fmt, va_list args) {
  char buf[4096];
  int n = vsnprintf(buf, sizeof(buf), fmt, args);
  if (n <= 0) return 0;
  if (t_log.size() > kMaxCapture) t_log.erase(0, t_log.size() - kMaxCapture / 2);
  t_log.append(buf, std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1));
  if (level == LIBBPF_WARN) {
    std::string line(buf);
    while (!line.empty() && line.back() == '\n') line.pop_back();
    OCTAGON_LOG_DEBUG("libbpf: %s", line.c_str());
  }
  return 0;
}

}  // namespace

void install_libbpf_logger() { libbpf_set_print(on_libbpf_print); }

void clear_libbpf_log() { t_log.clear(); }

std::string libbpf_log_tail(size_t max_bytes) {
  if (t_log.size() <= max_bytes) return t_log;
  return t_log.substr(t_log.size() - max_bytes);
}

}  // namespace octagon::bpf
