// Tetragon's human "compact" output (`tetra getevents -o compact`) for process events.
#pragma once

#include <octagon/events/process.h>
#include <octagon/exporters/json/time_format.h>

#include <string>
#include <string_view>

namespace octagon::exporters {

// Lines as in the compat reference, section 2.4:
//   🚀 process <source> <binary> <arguments>
//   💥 exit    <source> <binary> <arguments> <status | SIGNAME>
// source is the node name (Octagon has no pod data yet). Binary, arguments and the node name
// are untrusted and go through append_terminal_safe (arguments as one string), so a line never
// carries a raw control byte. With `timestamps` the line starts with
// "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ ". With `caps` (Tetragon prints capabilities only when
// --enable-process-cred puts them in the event) and CAP_SYS_ADMIN in the effective set, the line is
// padded Tetragon's way (to 120 bytes, then the marker right-aligned) and ends in
// "🛑 CAP_SYS_ADMIN". With `color`, fields get Tetragon's ANSI colours (kind blue, source green,
// binary and caps magenta, arguments cyan, exit status red).
//
// Not thread-safe (timestamp cache); one per thread.
class CompactEncoder {
public:
  CompactEncoder(std::string_view node_name, bool timestamps, bool color, bool caps = false);

  // Each appends one line ending in '\n'; nothing when event.process is null.
  void encode(const events::ExecEvent& event, std::string& out);
  void encode(const events::ExitEvent& event, std::string& out);

private:
  // Writes the optional timestamp, the kind, source and binary; returns where the part that
  // counts for the CAP_SYS_ADMIN padding starts.
  size_t begin(std::string_view kind, uint64_t time_ns, const events::Process& p, std::string& out);
  void finish(size_t body_start, const events::Process& p, std::string& out) const;
  void open(std::string_view color, std::string& out) const;
  void close(std::string& out) const;

  std::string source_; // node name, already made terminal-safe
  bool timestamps_;
  bool color_;
  bool caps_;
  TimeFormatter time_;
};

} // namespace octagon::exporters
