// Minimal leveled logging to stderr. Messages are never built from untrusted strings
// without escaping them first (see exporters/json/escape.h).
#pragma once

#include <cstdarg>

namespace octagon::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void set_level(Level level);
Level level();
void write(Level level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace octagon::log

#define OCTAGON_LOG_DEBUG(...) ::octagon::log::write(::octagon::log::Level::kDebug, __VA_ARGS__)
#define OCTAGON_LOG_INFO(...) ::octagon::log::write(::octagon::log::Level::kInfo, __VA_ARGS__)
#define OCTAGON_LOG_WARN(...) ::octagon::log::write(::octagon::log::Level::kWarn, __VA_ARGS__)
#define OCTAGON_LOG_ERROR(...) ::octagon::log::write(::octagon::log::Level::kError, __VA_ARGS__)
