#include <octagon/base/log.h>

#include <atomic>
#include <cstdio>
#include <ctime>

namespace octagon::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};  // process-wide log threshold
const char* name(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "?";
}
}  // namespace

void set_level(Level level) { g_level.store(static_cast<int>(level)); }
Level level() { return static_cast<Level>(g_level.load()); }

void write(Level lvl, const char* fmt, ...) {
  if (static_cast<int>(lvl) < g_level.load()) return;
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ octagon %s: %s\n", t.tm_year + 1900,
          t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ts.tv_nsec / 1000000, name(lvl), msg);
}

}  // namespace octagon::log
