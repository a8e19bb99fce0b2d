// Tetragon's human "compact" output (`tetra getevents -o compact`) for process events.
#pragma once

#include <octagon/events/policy_event.h>
#include <octagon/events/process.h>
#include <octagon/exporters/json/time_format.h>

#include <string>
#include <string_view>

namespace octagon::exporters {

// Lines as in the compat reference, section 2.4:
//   🚀 process <source> <binary> <arguments>
//   💥 exit    <source> <binary> <arguments> <status | SIGNAME>
// and, for policy events (policy_compact_encoder.cpp), Tetragon's per-hook lines without the
// process arguments:
//   📬️ openat  <source> <binary> <args[1] string>         (kprobe sys_openat; sys_open: open)
//   📝 write   <source> <binary> <args[0] file path> <args[2] size> bytes   (📚 read: sys_read)
//   📪 close   <source> <binary> <args[0] file path>      (sys_close; 📬 open: fd_install)
//   💾 mount   <source> <binary> <src> <dst>              (also 💾 pivot_root)
//   🔑 setuid  <source> <binary> <uid>;  ⏰ clock_settime <source> <binary>
//   🔧 setns   <source> <binary> <CLONE_NEW* name>
//   📚 read / 📝 write / 📝 mmap-rwx / 📝 truncate ... <path>   (security_file_permission,
//                                      security_mmap_file, security_path_truncate)
//   ❓ syscall <source> <binary> <function_name>          (any other kprobe)
//   ☎  syscall <source> <binary> <syscall name>           (tracepoint raw_syscalls/sys_enter)
//   ⁉️ tracepoint <source> <binary> <subsys> <event>      (any other tracepoint)
//   🕵️ uprobe  <source> <binary> <path> <symbol>
//   🔒 LSM     <source> <binary> <hook>, and with an IMA hash a second line
//      "   <file path> <algo>:<hex>" (the path of the first file/linux_binprm argument)
//   🧬 loader  <source> <binary> <build id in hex> <mapped path>
// Kprobe function names match with the arch prefix cut (__x64_, __arm64_, __ia32_), as
// Tetragon's arch.CutSyscallPrefix; the ❓ line prints the name as is. Missing or differently
// typed arguments print as Tetragon's protobuf getters return them ("" or 0).
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
  void encode(const events::KprobeEvent& event, std::string& out);
  void encode(const events::TracepointEvent& event, std::string& out);
  void encode(const events::UprobeEvent& event, std::string& out);
  void encode(const events::UsdtEvent& event, std::string& out);
  void encode(const events::LsmEvent& event, std::string& out);
  void encode(const events::LoaderEvent& event, std::string& out);

private:
  enum class Color : uint8_t { kBlue, kGreen, kMagenta, kCyan, kRed, kYellow };

  // Writes the optional timestamp, the kind, source and binary; returns where the part that
  // counts for the CAP_SYS_ADMIN padding starts.
  size_t begin_process(std::string_view kind, uint64_t time_ns, const events::Process& p,
                       std::string& out);
  // begin_process, then the process arguments (exec and exit lines).
  size_t begin(std::string_view kind, uint64_t time_ns, const events::Process& p, std::string& out);
  void finish(size_t body_start, const events::Process& p, std::string& out) const;
  void open(Color color, std::string& out) const;
  void close(std::string& out) const;
  // " " then `s`, terminal-safe, in `color` (when colours are on).
  void field(std::string_view s, Color color, std::string& out) const;
  // " " then `s`, terminal-safe, uncoloured.
  static void plain_field(std::string_view s, std::string& out);
  // Tetragon's HumanStackTrace lines after a kprobe line: "Kernel:" then
  // "   0x<address>: <symbol>+0x<offset>", "User:" then "   0x<address>: <symbol> (<module>+0x<offset>)".
  void append_stack_traces(const events::KprobeEvent& event, std::string& out) const;
  // The raw_syscalls/sys_enter detail: the syscall's name from the first argument.
  static void append_raw_syscall(const events::TracepointEvent& event, std::string& out);

  std::string source_; // node name, already made terminal-safe
  bool timestamps_;
  bool color_;
  bool caps_;
  TimeFormatter time_;
};

} // namespace octagon::exporters
