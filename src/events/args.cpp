#include <octagon/events/args.h>

namespace octagon::events {

std::string join_arguments(std::string_view argv_bytes, bool skip_argv0) {
  std::string_view rest = argv_bytes;
  if (!rest.empty() && rest.back() == '\0') rest.remove_suffix(1);  // the terminator
  std::string out;
  if (rest.empty()) return out;
  out.reserve(rest.size() + 8);

  bool first = true;
  for (;;) {
    size_t nul = rest.find('\0');
    std::string_view arg = rest.substr(0, nul);
    if (first && skip_argv0) {
      // argv[0] is not part of `arguments`.
    } else if (arg.find(' ') != std::string_view::npos) {
      out += " \"";
      out += arg;
      out += '"';
    } else if (out.empty()) {
      out.assign(arg);
    } else {
      out += ' ';
      out += arg;
    }
    first = false;
    if (nul == std::string_view::npos) break;
    rest.remove_prefix(nul + 1);
  }
  return out;
}

}  // namespace octagon::events
