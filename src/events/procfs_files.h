// Readers and parsers of /proc/<pid> files for the procfs scanner. Readers take an open
// /proc/<pid> directory fd (openat-relative, so a reused pid cannot mix two processes) and
// return 0 or an errno; parsers are pure and never throw.
#pragma once

#include <octagon/events/process.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace octagon::events::procfs {

constexpr uint64_t kPfKthread = 0x00200000;  // PF_KTHREAD, include/linux/sched.h

// True for the errnos of a file whose process has exited.
inline bool gone(int err) { return err == ENOENT || err == ESRCH; }

// Parses a number after optional blanks ("\t 42"), in `base`.
template <typename T>
bool parse_num(std::string_view s, T& v, int base = 10) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  return ec == std::errc() && end != s.data();
}

// Reads `name` relative to `dir`, keeping at most `max` bytes (0: all); *cut is set when bytes
// beyond `max` were left unread.
int read_at(int dir, const char* name, std::string& out, size_t max = 0, bool* cut = nullptr);

// readlinkat into a string, growing the buffer for long targets.
int readlink_at(int dir, const char* name, std::string& out);

// The fields of /proc/<pid>/stat the scanner needs.
struct Stat {
  std::string comm;
  char state = '?';
  uint32_t ppid = 0;
  uint64_t flags = 0;        // field 9, PF_* bits
  uint64_t start_ticks = 0;  // field 22, clock ticks since boot
};

// Parses a stat line; false when it is malformed.
bool parse_stat(std::string_view text, Stat& st);
int read_stat(int dir, Stat& st);  // EINVAL when malformed

// The value after "Key:" of a /proc/<pid>/status line, or "" when absent.
std::string_view status_value(std::string_view status, std::string_view key);

// The four ids of a Uid:/Gid: value: real, effective, saved, fs.
bool status_ids(std::string_view value, std::array<uint32_t, 4>& out);

// Credentials, capabilities and nspid of a status file into `p` (kFlagErrorCreds when the
// Uid/Gid lines are unusable); `tgid` receives the Tgid line (p.pid when absent).
void parse_status(std::string_view status, Process& p, uint32_t& tgid);

// Inode number of a namespace link ("net:[4026531833]"), 0 when malformed.
uint32_t ns_inode(std::string_view link);
uint32_t read_ns(int dir, const char* name);  // 0 when unreadable

}  // namespace octagon::events::procfs
