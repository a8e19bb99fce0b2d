#include <octagon/bpf/program_stats.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include <octagon/base/fd.h>

namespace octagon::bpf {
namespace {

std::string read_small(const char* path) {
  Fd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return {};
  char buf[1024];
  ssize_t n = read(fd.get(), buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// The "prog_id:" of a program or link fdinfo (0: neither).
uint32_t fdinfo_prog_id(const std::string& info) {
  if (info.find("prog_type:") == std::string::npos && info.find("link_type:") == std::string::npos)
    return 0;
  const size_t at = info.find("prog_id:");
  if (at == std::string::npos) return 0;
  return static_cast<uint32_t>(strtoul(info.c_str() + at + 8, nullptr, 10));
}

}  // namespace

bool bpf_stats_enabled() {
  std::string v = read_small("/proc/sys/kernel/bpf_stats_enabled");
  return !v.empty() && v[0] == '1';
}

std::vector<ProgramStats> own_program_stats() {
  std::set<uint32_t> ids;
  if (DIR* d = opendir("/proc/self/fdinfo")) {
    const int self = dirfd(d);
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.' || atoi(e->d_name) == self) continue;
      std::string path = std::string("/proc/self/fdinfo/") + e->d_name;
      if (uint32_t id = fdinfo_prog_id(read_small(path.c_str()))) ids.insert(id);
    }
    closedir(d);
  }
  std::vector<ProgramStats> out;
  for (uint32_t id : ids) {
    Fd fd(bpf_prog_get_fd_by_id(id));
    if (!fd.valid()) continue;  // unloaded meanwhile
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) continue;
    ProgramStats s;
    s.id = id;
    s.name = std::string(info.name, strnlen(info.name, sizeof(info.name)));
    const char* type = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(info.type));
    s.type = type ? type : std::to_string(info.type);
    s.run_count = info.run_cnt;
    s.run_time_ns = info.run_time_ns;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace octagon::bpf
