#include <octagon/exporters/json/compact_encoder.h>

#include <octagon/exporters/json/escape.h>
#include <octagon/exporters/json/tetragon_names.h>

#include <charconv>

namespace octagon::exporters {
namespace {

// fatih/color sequences, as used by Tetragon's Colorer.
constexpr std::string_view kBlue = "\x1b[34m";
constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kMagenta = "\x1b[35m";
constexpr std::string_view kCyan = "\x1b[36m";
constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kYellow = "\x1b[33m";
constexpr std::string_view kReset = "\x1b[0m";

constexpr uint64_t kCapSysAdminBit = uint64_t{1} << kCapSysAdmin;
constexpr size_t kCapsPad = 120;
constexpr std::string_view kCapsMarker = "🛑 CAP_SYS_ADMIN";
// Go pads with %*s, counting runes: "🛑" is one rune.
constexpr size_t kCapsMarkerRunes = 15;

} // namespace

CompactEncoder::CompactEncoder(std::string_view node_name, bool timestamps, bool color, bool caps)
    : timestamps_(timestamps), color_(color), caps_(caps) {
  append_terminal_safe(source_, node_name);
}

void CompactEncoder::open(Color color, std::string& out) const {
  if (!color_)
    return;
  switch (color) {
  case Color::kBlue:
    out.append(kBlue);
    break;
  case Color::kGreen:
    out.append(kGreen);
    break;
  case Color::kMagenta:
    out.append(kMagenta);
    break;
  case Color::kCyan:
    out.append(kCyan);
    break;
  case Color::kRed:
    out.append(kRed);
    break;
  case Color::kYellow:
    out.append(kYellow);
    break;
  }
}

void CompactEncoder::close(std::string& out) const {
  if (color_)
    out.append(kReset);
}

size_t CompactEncoder::begin_process(std::string_view kind, uint64_t time_ns,
                                     const events::Process& p, std::string& out) {
  if (timestamps_) {
    time_.append(out, time_ns);
    out.push_back(' ');
  }
  const size_t body_start = out.size();
  open(Color::kBlue, out);
  out.append(kind);
  close(out);
  out.push_back(' ');
  open(Color::kGreen, out);
  out.append(source_);
  close(out);
  field(p.binary, Color::kMagenta, out);
  return body_start;
}

size_t CompactEncoder::begin(std::string_view kind, uint64_t time_ns, const events::Process& p,
                             std::string& out) {
  const size_t body_start = begin_process(kind, time_ns, p, out);
  field(p.arguments, Color::kCyan, out);
  return body_start;
}

void CompactEncoder::field(std::string_view s, Color color, std::string& out) const {
  out.push_back(' ');
  open(color, out);
  append_terminal_safe(out, s);
  close(out);
}

void CompactEncoder::plain_field(std::string_view s, std::string& out) {
  out.push_back(' ');
  append_terminal_safe(out, s);
}

// Tetragon's CapTrailorPrinter: padding = 120 - len(line) in bytes (colour codes included),
// then the marker right-aligned in a field of `padding` runes after one space.
void CompactEncoder::finish(size_t body_start, const events::Process& p, std::string& out) const {
  if (caps_ && (p.cap.effective & kCapSysAdminBit) != 0) {
    const size_t len = out.size() - body_start;
    const size_t padding = len < kCapsPad ? kCapsPad - len : 0;
    size_t marker_runes = kCapsMarkerRunes;
    if (color_)
      marker_runes += kMagenta.size() + kReset.size(); // ASCII: bytes == runes
    out.push_back(' ');
    if (padding > marker_runes)
      out.append(padding - marker_runes, ' ');
    open(Color::kMagenta, out);
    out.append(kCapsMarker);
    close(out);
  }
  out.push_back('\n');
}

void CompactEncoder::encode(const events::ExecEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  const size_t body_start = begin("🚀 process", event.time_ns, *event.process, out);
  finish(body_start, *event.process, out);
}

void CompactEncoder::encode(const events::ExitEvent& event, std::string& out) {
  if (event.process == nullptr)
    return;
  const size_t body_start = begin("💥 exit   ", event.time_ns, *event.process, out);
  out.push_back(' ');
  open(Color::kRed, out);
  const std::string_view sig = signal_name(event.signal);
  if (!sig.empty()) {
    out.append(sig);
  } else {
    char buf[10];
    const auto r = std::to_chars(buf, buf + sizeof(buf), event.status);
    out.append(buf, static_cast<size_t>(r.ptr - buf));
  }
  close(out);
  finish(body_start, *event.process, out);
}

} // namespace octagon::exporters
