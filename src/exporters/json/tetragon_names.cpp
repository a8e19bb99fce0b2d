#include <octagon/exporters/json/tetragon_names.h>

#include <octagon/events/process.h>

#include <array>

namespace octagon::exporters {
namespace {

// Go's x/sys/unix signal names on Linux, 1..31.
constexpr std::string_view kSignalNames[] = {
    "",          "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
    "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS",
};
constexpr int kMaxSignal = 64;
constexpr auto kRtSignalNames = [] {
  std::array<std::array<char, 5>, kMaxSignal + 1> t{};
  for (int s = 32; s <= kMaxSignal; ++s) {
    t[s] = {'S', 'I', 'G', static_cast<char>('0' + s / 10), static_cast<char>('0' + s % 10)};
  }
  return t;
}();

struct FlagName {
  uint32_t bit;
  std::string_view name;
};
constexpr FlagName kFlagNames[] = {
    {events::kFlagExecve, "execve"},
    {events::kFlagProcFS, "procFS"},
    {events::kFlagTruncArgs, "truncArgs"},
    {events::kFlagMiss, "miss"},
    {events::kFlagErrorFilename, "errorFilename"},
    {events::kFlagErrorArgs, "errorArgs"},
    {events::kFlagNoCwd, "nocwd"},
    {events::kFlagRootCwd, "rootcwd"},
    {events::kFlagErrorCwd, "errorCWD"},
    {events::kFlagClone, "clone"},
    {events::kFlagErrorCgroupName, "errorCgroupName"},
    {events::kFlagErrorPathResolutionCwd, "errorPathResolutionCwd"},
    // Not in Tetragon:
    {events::kFlagErrorPathResolution, "errorPathResolution"},
    {events::kFlagErrorCreds, "errorCreds"},
    {events::kFlagUnknown, "unknown"},
    {events::kFlagTruncFilename, "truncFilename"},
};

constexpr std::string_view kKprobeActionNames[] = {
    "KPROBE_ACTION_UNKNOWN",
    "KPROBE_ACTION_POST",
    "KPROBE_ACTION_FOLLOWFD",
    "KPROBE_ACTION_SIGKILL",
    "KPROBE_ACTION_UNFOLLOWFD",
    "KPROBE_ACTION_OVERRIDE",
    "KPROBE_ACTION_COPYFD",
    "KPROBE_ACTION_GETURL",
    "KPROBE_ACTION_DNSLOOKUP",
    "KPROBE_ACTION_NOPOST",
    "KPROBE_ACTION_SIGNAL",
    "KPROBE_ACTION_TRACKSOCK",
    "KPROBE_ACTION_UNTRACKSOCK",
    "KPROBE_ACTION_NOTIFYENFORCER",
    "KPROBE_ACTION_CLEANUPENFORCERNOTIFICATION",
    "KPROBE_ACTION_SET",
};

} // namespace

std::string_view kprobe_action_name(uint32_t action) {
  return action < std::size(kKprobeActionNames) ? kKprobeActionNames[action] : std::string_view();
}

std::string_view clone_ns_name(int64_t flag) {
  switch (flag) {
  case 0:
    return "any";
  case 0x2000000:
    return "cgroup";
  case 0x8000000:
    return "ipc";
  case 0x40000000:
    return "net";
  case 0x20000:
    return "mnt";
  case 0x20000000:
    return "pid";
  case 0x80:
    return "time";
  case 0x10000000:
    return "user";
  case 0x4000000:
    return "uts";
  default:
    return {};
  }
}

std::string_view signal_name(int signal) {
  if (signal <= 0 || signal > kMaxSignal)
    return {};
  if (signal < static_cast<int>(std::size(kSignalNames)))
    return kSignalNames[signal];
  return {kRtSignalNames[signal].data(), kRtSignalNames[signal].size()};
}

void append_process_flags(uint32_t flags, std::string& out) {
  bool first = true;
  for (const FlagName& f : kFlagNames) {
    if ((flags & f.bit) == 0)
      continue;
    if (!first)
      out.push_back(' ');
    first = false;
    out.append(f.name);
  }
}

} // namespace octagon::exporters
