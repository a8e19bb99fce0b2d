#include <octagon/events/procfs_files.h>

#include <octagon/base/fd.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace octagon::events::procfs {

int read_at(int dir, const char* name, std::string& out, size_t max, bool* cut) {
  out.clear();
  Fd fd(::openat(dir, name, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return 0;
    out.append(buf, static_cast<size_t>(n));
    if (max != 0 && out.size() > max) {
      out.resize(max);
      if (cut != nullptr) *cut = true;
      return 0;
    }
  }
}

int readlink_at(int dir, const char* name, std::string& out) {
  for (size_t size = 256; size <= 65536; size *= 4) {
    out.resize(size);
    ssize_t n = ::readlinkat(dir, name, out.data(), size);
    if (n < 0) {
      int err = errno;
      out.clear();
      return err;
    }
    if (static_cast<size_t>(n) < size) {
      out.resize(static_cast<size_t>(n));
      return 0;
    }
  }
  out.clear();
  return ENAMETOOLONG;
}

bool parse_stat(std::string_view text, Stat& st) {
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return false;
  }
  st.comm.assign(text.substr(open + 1, close - open - 1));
  std::string_view rest = text.substr(close + 1);
  // comm may hold spaces and ')': fields are counted after the last ')', where field 3 (state)
  // is token 0.
  constexpr size_t kState = 0, kPpid = 1, kFlags = 6, kStart = 19;
  size_t index = 0;
  bool have_start = false;
  while (!rest.empty() && !have_start) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    size_t end = std::min(rest.find(' '), rest.size());
    std::string_view tok = rest.substr(0, end);
    rest.remove_prefix(end);
    if (tok.empty()) break;
    if (index == kState) st.state = tok[0];
    if (index == kPpid && !parse_num(tok, st.ppid)) return false;
    if (index == kFlags && !parse_num(tok, st.flags)) return false;
    if (index == kStart) have_start = parse_num(tok, st.start_ticks);
    ++index;
  }
  return have_start;
}

int read_stat(int dir, Stat& st) {
  std::string text;
  if (int err = read_at(dir, "stat", text)) return err;
  return parse_stat(text, st) ? 0 : EINVAL;
}

std::string_view status_value(std::string_view status, std::string_view key) {
  size_t pos = 0;
  while (pos < status.size()) {
    size_t eol = std::min(status.find('\n', pos), status.size());
    std::string_view line = status.substr(pos, eol - pos);
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ':') {
      return line.substr(key.size() + 1);
    }
    pos = eol + 1;
  }
  return {};
}

bool status_ids(std::string_view value, std::array<uint32_t, 4>& out) {
  for (size_t i = 0; i < out.size(); ++i) {
    while (!value.empty() && (value.front() == '\t' || value.front() == ' '))
      value.remove_prefix(1);
    size_t end = std::min(value.find_first_of("\t "), value.size());
    if (!parse_num(value.substr(0, end), out[i])) return false;
    value.remove_prefix(end);
  }
  return true;
}

void parse_status(std::string_view status, Process& p, uint32_t& tgid) {
  std::array<uint32_t, 4> uid{}, gid{};
  if (status_ids(status_value(status, "Uid"), uid) &&
      status_ids(status_value(status, "Gid"), gid)) {
    p.creds = Credentials{uid[0], gid[0], uid[1], gid[1], uid[2], gid[2], uid[3], gid[3]};
  } else {
    p.flags |= kFlagErrorCreds;
  }
  parse_num(status_value(status, "CapInh"), p.cap.inheritable, 16);
  parse_num(status_value(status, "CapPrm"), p.cap.permitted, 16);
  parse_num(status_value(status, "CapEff"), p.cap.effective, 16);
  if (!parse_num(status_value(status, "Tgid"), tgid)) tgid = p.pid;
  std::string_view nspid = status_value(status, "NSpid");
  while (!nspid.empty() && (nspid.back() == ' ' || nspid.back() == '\t')) nspid.remove_suffix(1);
  size_t last = nspid.find_last_of("\t ");
  if (!parse_num(last == std::string_view::npos ? nspid : nspid.substr(last + 1), p.nspid)) {
    p.nspid = p.pid;  // kernels before 4.1 have no NSpid
  }
}

uint32_t ns_inode(std::string_view link) {
  size_t open = link.find('[');
  uint32_t inum = 0;
  if (open == std::string_view::npos || !parse_num(link.substr(open + 1), inum)) return 0;
  return inum;
}

uint32_t read_ns(int dir, const char* name) {
  std::string link;
  return readlink_at(dir, name, link) == 0 ? ns_inode(link) : 0;
}

}  // namespace octagon::events::procfs
