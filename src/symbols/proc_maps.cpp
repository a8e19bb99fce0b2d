#include <octagon/symbols/proc_maps.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <octagon/base/fd.h>

namespace octagon::symbols {
namespace {

bool hex_field(std::string_view& s, char stop, uint64_t& out) {
  out = 0;
  size_t i = 0;
  for (; i < s.size() && s[i] != stop; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0 || i >= 16)
      return false;
    out = (out << 4) | uint64_t(d);
  }
  if (i == 0 || i == s.size())
    return false;
  s.remove_prefix(i + 1);
  return true;
}

void skip_field(std::string_view& s) {
  size_t e = s.find(' ');
  s.remove_prefix(e == std::string_view::npos ? s.size() : e + 1);
}

} // namespace

std::vector<Mapping> parse_maps(std::string_view text) {
  // "7f1c2a000000-7f1c2a022000 r-xp 00028000 08:01 1234   /usr/lib/x86_64-linux-gnu/libc.so.6"
  std::vector<Mapping> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    Mapping m;
    if (!hex_field(line, '-', m.start) || !hex_field(line, ' ', m.end))
      continue;
    skip_field(line); // permissions
    if (!hex_field(line, ' ', m.offset))
      continue;
    skip_field(line); // device
    skip_field(line); // inode
    size_t b = line.find_first_not_of(' ');
    if (b != std::string_view::npos) {
      std::string_view path = line.substr(b);
      constexpr std::string_view kDeleted = " (deleted)";
      if (path.ends_with(kDeleted)) {
        path.remove_suffix(kDeleted.size());
        m.deleted = true;
      }
      m.path = std::string(path);
    }
    if (m.end > m.start)
      out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(),
            [](const Mapping& a, const Mapping& b) { return a.start < b.start; });
  return out;
}

Result<std::vector<Mapping>> read_maps(pid_t pid, const std::string& procfs) {
  std::string path = procfs + "/" + std::to_string(pid) + "/maps";
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid())
    return make_error(errno, "open " + path);
  std::string text;
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return make_error(errno, "read " + path);
    if (n == 0)
      break;
    text.append(buf, size_t(n));
    if (text.size() > (64u << 20))
      break; // a pathological listing: use what we have
  }
  return parse_maps(text);
}

const Mapping* find_mapping(const std::vector<Mapping>& maps, uint64_t address) {
  auto it = std::upper_bound(maps.begin(), maps.end(), address,
                             [](uint64_t a, const Mapping& m) { return a < m.start; });
  if (it == maps.begin())
    return nullptr;
  --it;
  return address < it->end ? &*it : nullptr;
}

} // namespace octagon::symbols
