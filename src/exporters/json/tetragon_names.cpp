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

} // namespace

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
