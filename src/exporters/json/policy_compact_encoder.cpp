// CompactEncoder for the policy events, after Tetragon's CompactEncoder.EventToString
// (pkg/encoder/encoder.go): one line per event, `<emoji> <kind %-7s> <source> <binary> <detail>`.
// Every untrusted string (arguments, paths, names) goes through append_terminal_safe.
#include <octagon/exporters/json/compact_encoder.h>
#include <octagon/exporters/json/kobject_compact.h>

#include <octagon/exporters/json/escape.h>
#include <octagon/exporters/json/syscall_names.h>
#include <octagon/exporters/json/tetragon_names.h>

#include <charconv>

namespace octagon::exporters {
namespace {

using events::Argument;

// Kinds with the emoji and Go's %-7s padding already applied. U+FE0F (variation selector) is
// written out where Tetragon's source has it.
constexpr std::string_view kKindOpenat = "\xF0\x9F\x93\xAC\xEF\xB8\x8F openat "; // 📬️
constexpr std::string_view kKindOpen = "\xF0\x9F\x93\xAC\xEF\xB8\x8F open   ";   // 📬️
constexpr std::string_view kKindFdInstall = "\xF0\x9F\x93\xAC open   ";          // 📬
constexpr std::string_view kKindWrite = "📝 write  ";
constexpr std::string_view kKindRead = "📚 read   ";
constexpr std::string_view kKindClose = "📪 close  ";
constexpr std::string_view kKindMount = "💾 mount  ";
constexpr std::string_view kKindPivotRoot = "💾 pivot_root";
constexpr std::string_view kKindSetuid = "🔑 setuid ";
constexpr std::string_view kKindClockSettime = "⏰ clock_settime";
constexpr std::string_view kKindProcExecConnector = "🔧 proc_exec_connector";
constexpr std::string_view kKindSetns = "🔧 setns  ";
constexpr std::string_view kKindTruncate = "📝 truncate";
constexpr std::string_view kKindUnknownKprobe = "❓ syscall";
constexpr std::string_view kKindRawSyscall = "☎  syscall";
constexpr std::string_view kKindTracepoint = "\xE2\x81\x89\xEF\xB8\x8F tracepoint"; // ⁉️
constexpr std::string_view kKindUprobe = "\xF0\x9F\x95\xB5\xEF\xB8\x8F uprobe ";    // 🕵️
constexpr std::string_view kKindUsdt = "\xF0\x9F\x95\xB5\xEF\xB8\x8F usdt   ";      // 🕵️
constexpr std::string_view kKindLoader = "\xF0\x9F\xA7\xAC loader ";                   // 🧬
constexpr std::string_view kKindLsm = "\xF0\x9F\x94\x92 LSM    ";                      // 🔒

enum class Line {
  kWrite,
  kRead,
  kFdInstall,
  kOpenat,
  kOpen,
  kClose,
  kMount,
  kSetuid,
  kClockSettime,
  kPivotRoot,
  kProcExecConnector,
  kSetns,
  kFilePermission,
  kMmapFile,
  kPathTruncate,
  kOther,
};

struct LineFor {
  std::string_view function; // after the arch prefix is cut
  Line line;
};
constexpr LineFor kLines[] = {
    {"sys_write", Line::kWrite},
    {"sys_read", Line::kRead},
    {"fd_install", Line::kFdInstall},
    {"sys_openat", Line::kOpenat},
    {"sys_open", Line::kOpen},
    {"sys_close", Line::kClose},
    {"sys_mount", Line::kMount},
    {"sys_setuid", Line::kSetuid},
    {"sys_clock_settime", Line::kClockSettime},
    {"sys_pivot_root", Line::kPivotRoot},
    {"proc_exec_connector", Line::kProcExecConnector},
    {"sys_setns", Line::kSetns},
    {"security_file_permission", Line::kFilePermission},
    {"security_mmap_file", Line::kMmapFile},
    {"security_path_truncate", Line::kPathTruncate},
};

// Tetragon's arch.CutSyscallPrefix.
std::string_view cut_syscall_prefix(std::string_view fn) {
  for (std::string_view prefix : {"__x64_", "__arm64_", "__ia32_"}) {
    if (fn.starts_with(prefix))
      return fn.substr(prefix.size());
  }
  return fn;
}

Line line_for(std::string_view function) {
  const std::string_view fn = cut_syscall_prefix(function);
  for (const LineFor& l : kLines) {
    if (l.function == fn)
      return l.line;
  }
  return Line::kOther;
}

// The protobuf getters Tetragon's encoder uses: the value when that oneof member is set, else
// the zero value.
std::string_view string_arg(const Argument* a) {
  return a != nullptr && a->kind == Argument::Kind::kString ? std::string_view(a->s) : "";
}
bool is_file(const Argument* a) {
  return a != nullptr && a->kind == Argument::Kind::kFile;
}
uint64_t size_arg(const Argument* a) {
  return a != nullptr && a->kind == Argument::Kind::kSize ? a->u : 0;
}
int32_t int_arg(const Argument* a) {
  return a != nullptr && a->kind == Argument::Kind::kInt ? static_cast<int32_t>(a->i) : 0;
}
uint32_t uint_arg(const Argument* a) {
  return a != nullptr && a->kind == Argument::Kind::kUint ? static_cast<uint32_t>(a->u) : 0;
}

template <typename T> void put_number(std::string& out, T v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, static_cast<size_t>(r.ptr - buf));
}

} // namespace

void CompactEncoder::encode(const events::KprobeEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  const events::Process& p = *event.process;
  const auto& args = event.args;
  auto arg = [&](size_t i) -> const Argument* { return i < args.size() ? &args[i] : nullptr; };
  // Go's `if len(kprobe.Args) > i { x = Cyan.Sprint(...) }`: the field is coloured when present,
  // empty (but still space-separated) when not.
  auto cyan_if = [&](bool present, std::string_view s) {
    if (present) {
      field(s, Color::kCyan, out);
    } else {
      out.push_back(' ');
    }
  };
  size_t start = 0;
  switch (const Line line = line_for(event.function_name)) {
  case Line::kWrite:
  case Line::kRead:
    start = begin_process(line == Line::kWrite ? kKindWrite : kKindRead, event.time_ns, p, out);
    cyan_if(is_file(arg(0)), is_file(arg(0)) ? std::string_view(args[0].s) : "");
    out.push_back(' ');
    if (arg(2) != nullptr) {
      open(Color::kCyan, out);
      put_number(out, size_arg(arg(2)));
      out.append(" bytes");
      close(out);
    }
    break;
  case Line::kFdInstall:
    start = begin_process(kKindFdInstall, event.time_ns, p, out);
    cyan_if(is_file(arg(1)), is_file(arg(1)) ? std::string_view(args[1].s) : "");
    break;
  case Line::kOpenat:
  case Line::kOpen:
    start = begin_process(line == Line::kOpenat ? kKindOpenat : kKindOpen, event.time_ns, p, out);
    cyan_if(arg(1) != nullptr, string_arg(arg(1)));
    break;
  case Line::kClose:
    start = begin_process(kKindClose, event.time_ns, p, out);
    cyan_if(is_file(arg(0)), is_file(arg(0)) ? std::string_view(args[0].s) : "");
    break;
  case Line::kMount:
  case Line::kPivotRoot:
    start =
        begin_process(line == Line::kMount ? kKindMount : kKindPivotRoot, event.time_ns, p, out);
    cyan_if(arg(0) != nullptr, string_arg(arg(0)));
    cyan_if(arg(1) != nullptr, string_arg(arg(1)));
    break;
  case Line::kSetuid:
    start = begin_process(kKindSetuid, event.time_ns, p, out);
    out.push_back(' ');
    if (arg(0) != nullptr) {
      open(Color::kCyan, out);
      put_number(out, int_arg(arg(0)));
      close(out);
    }
    break;
  case Line::kClockSettime:
    start = begin_process(kKindClockSettime, event.time_ns, p, out);
    break;
  case Line::kProcExecConnector:
    start = begin_process(kKindProcExecConnector, event.time_ns, p, out);
    break;
  case Line::kSetns:
    start = begin_process(kKindSetns, event.time_ns, p, out);
    out.push_back(' ');
    if (arg(1) != nullptr)
      out.append(clone_ns_name(int_arg(arg(1))));
    break;
  case Line::kFilePermission: {
    // Read or write from the MAY_* mask in args[1]; otherwise Tetragon's fallback kind.
    std::string_view kind = "❓ security_file_permission";
    const bool known = arg(1) != nullptr;
    if (known && int_arg(arg(1)) == 0x02)
      kind = kKindWrite;
    else if (known && int_arg(arg(1)) == 0x04)
      kind = kKindRead;
    start = begin_process(kind, event.time_ns, p, out);
    cyan_if(known, is_file(arg(0)) ? std::string_view(args[0].s) : "");
    break;
  }
  case Line::kMmapFile: {
    // "mmap-" plus r/w/x from the PROT_* bits in args[1], padded to 7 runes.
    char kind[32] = "📝 mmap-";
    size_t n = sizeof("📝 mmap-") - 1;
    const bool known = arg(1) != nullptr;
    if (known) {
      const uint32_t prot = uint_arg(arg(1));
      if (prot & 0x1)
        kind[n++] = 'r';
      if (prot & 0x2)
        kind[n++] = 'w';
      if (prot & 0x4)
        kind[n++] = 'x';
      for (size_t runes = n - (sizeof("📝 ") - 1); runes < 7; ++runes)
        kind[n++] = ' ';
    }
    start = begin_process(known ? std::string_view(kind, n) : "❓ security_mmap_file", event.time_ns,
                          p, out);
    cyan_if(known, is_file(arg(0)) ? std::string_view(args[0].s) : "");
    break;
  }
  case Line::kPathTruncate: {
    const Argument* a0 = arg(0);
    start = begin_process(a0 != nullptr ? kKindTruncate : "❓ security_path_truncate", event.time_ns,
                          p, out);
    cyan_if(a0 != nullptr,
            a0 != nullptr && a0->kind == Argument::Kind::kPath ? std::string_view(a0->s) : "");
    break;
  }
  case Line::kOther: {
    std::string_view kind;
    std::string details;
    if (kobject_compact_line(event.function_name, args, kind, details)) {
      start = begin_process(kind, event.time_ns, p, out);
      out.push_back(' ');
      out.append(details);  // already terminal-safe
      break;
    }
    start = begin_process(kKindUnknownKprobe, event.time_ns, p, out);
    plain_field(event.function_name, out);
    break;
  }
  }
  finish(start, p, out);
  append_stack_traces(event, out);
}


void CompactEncoder::append_raw_syscall(const events::TracepointEvent& event, std::string& out) {
  // Tetragon assumes the id is the first argument: a long_arg (type int64/auto) or a syscall_id
  // (type syscall64, which carries the ABI). size_arg is accepted as well.
  const Argument* a = event.args.empty() ? nullptr : &event.args[0];
  std::string_view abi = "x64";
  int64_t id = 0;
  if (a != nullptr && a->kind == Argument::Kind::kLong) {
    id = a->i;
  } else if (a != nullptr && a->kind == Argument::Kind::kSize) {
    id = static_cast<int64_t>(a->u);
  } else if (a != nullptr && a->kind == Argument::Kind::kSyscallId) {
    id = static_cast<uint32_t>(a->u);
    if (!a->s.empty())
      abi = a->s;
  } else {
    out.append("unknown");
    return;
  }
  if (abi != "x64") { // Tetragon prefixes the non-default ABI: "i386/open"
    append_terminal_safe(out, abi);
    out.push_back('/');
  }
  const std::string_view name = id >= 0 ? syscall_name(abi, static_cast<uint64_t>(id)) : "";
  if (!name.empty()) {
    out.append(name);
  } else {
    put_number(out, id);
  }
}

void CompactEncoder::encode(const events::TracepointEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  const events::Process& p = *event.process;
  size_t start = 0;
  if (event.subsys == "raw_syscalls" && event.event == "sys_enter") {
    start = begin_process(kKindRawSyscall, event.time_ns, p, out);
    out.push_back(' ');
    append_raw_syscall(event, out);
  } else {
    start = begin_process(kKindTracepoint, event.time_ns, p, out);
    plain_field(event.subsys, out);
    plain_field(event.event, out);
  }
  finish(start, p, out);
}

void CompactEncoder::encode(const events::UprobeEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  const size_t start = begin_process(kKindUprobe, event.time_ns, *event.process, out);
  plain_field(event.path, out);
  plain_field(event.symbol, out);
  finish(start, *event.process, out);
}

void CompactEncoder::encode(const events::UsdtEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  const size_t start = begin_process(kKindUsdt, event.time_ns, *event.process, out);
  plain_field(event.path, out);
  plain_field(event.provider, out);
  plain_field(event.name, out);
  finish(start, *event.process, out);
}

// Tetragon prints the hashed file's path (the first file or linux_binprm argument) and the hash
// on a second line, indented by three spaces (tetra's --ima-hash, on by default).
void CompactEncoder::encode(const events::LsmEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  const size_t start = begin_process(kKindLsm, event.time_ns, *event.process, out);
  plain_field(event.function_name, out);
  if (!event.ima_hash.empty()) {
    std::string_view path;
    for (const Argument& a : event.args) {
      if (a.kind == Argument::Kind::kFile || a.kind == Argument::Kind::kLinuxBinprm) {
        path = a.s;
        break;
      }
    }
    out.append("\n  ");
    plain_field(path, out);
    plain_field(event.ima_hash, out);
  }
  finish(start, *event.process, out);
}

// The build id in lower-case hex (empty when the kernel sent none), then the mapped file.
void CompactEncoder::encode(const events::LoaderEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(event.buildid.size() * 2);
  for (unsigned char c : event.buildid) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 15]);
  }
  const size_t start = begin_process(kKindLoader, event.time_ns, *event.process, out);
  plain_field(hex, out);
  plain_field(event.path, out);
  finish(start, *event.process, out);
}

} // namespace octagon::exporters
