// CompactEncoder: the stack trace lines Tetragon prints after a kprobe event line
// (HumanStackTrace in pkg/encoder/encoder.go). Symbols and module paths are untrusted.
#include <octagon/exporters/json/compact_encoder.h>

#include <octagon/exporters/json/escape.h>

#include <charconv>

namespace octagon::exporters {

// As fatih/color's Fprintf: the colour wraps the whole formatted text, newline included.
void CompactEncoder::append_stack_traces(const events::KprobeEvent& event, std::string& out) const {
  auto hex = [](uint64_t v, std::string& o) {
    char buf[20];
    const auto r = std::to_chars(buf, buf + sizeof(buf), v, 16);
    o.append("0x");
    o.append(buf, static_cast<size_t>(r.ptr - buf));
  };
  if (!event.kernel_stack_trace.empty()) {
    out.append("Kernel:\n");
    for (const events::StackTraceEntry& f : event.kernel_stack_trace) {
      open(Color::kGreen, out);
      out.append("   ");
      hex(f.address, out);
      out.push_back(':');
      close(out);
      open(Color::kBlue, out);
      out.push_back(' ');
      append_terminal_safe(out, f.symbol);
      close(out);
      out.push_back('+');
      open(Color::kYellow, out);
      hex(f.offset, out);
      out.push_back('\n');
      close(out);
    }
  }
  if (!event.user_stack_trace.empty()) {
    out.append("User:\n");
    for (const events::StackTraceEntry& f : event.user_stack_trace) {
      open(Color::kGreen, out);
      out.append("   ");
      hex(f.address, out);
      out.push_back(':');
      close(out);
      if (!f.symbol.empty()) {
        open(Color::kBlue, out);
        out.push_back(' ');
        append_terminal_safe(out, f.symbol);
        close(out);
      }
      open(Color::kYellow, out);
      out.append(" (");
      append_terminal_safe(out, f.module);
      out.push_back('+');
      hex(f.offset, out);
      out.append(")\n");
      close(out);
    }
  }
}

} // namespace octagon::exporters
