#include <octagon/events/procfs_scanner.h>

#include <octagon/base/fd.h>
#include <octagon/events/args.h>
#include <octagon/events/container_id.h>
#include <octagon/events/procfs_files.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace octagon::events {
namespace {

using procfs::gone;
using procfs::parse_num;
using procfs::read_at;
using procfs::read_stat;
using procfs::readlink_at;
using procfs::Stat;

void read_namespaces(int dir, Namespaces& ns) {
  static constexpr std::pair<const char*, uint32_t Namespaces::*> kLinks[] = {
      {"ns/uts", &Namespaces::uts},
      {"ns/ipc", &Namespaces::ipc},
      {"ns/mnt", &Namespaces::mnt},
      {"ns/pid", &Namespaces::pid},
      {"ns/pid_for_children", &Namespaces::pid_for_children},
      {"ns/net", &Namespaces::net},
      {"ns/time", &Namespaces::time},
      {"ns/time_for_children", &Namespaces::time_for_children},
      {"ns/cgroup", &Namespaces::cgroup},
      {"ns/user", &Namespaces::user},
  };
  for (const auto& [name, field] : kLinks) ns.*field = procfs::read_ns(dir, name);
}

// Container id and cgroup id from "hierarchy:controllers:path" lines.
int read_cgroup(int dir, const ScanOptions& opts, Process& p) {
  std::string text;
  if (int err = read_at(dir, "cgroup", text)) return err;
  std::string_view view = text, unified;
  std::string id;
  bool have_unified = false;
  for (size_t pos = 0; pos < view.size();) {
    size_t eol = std::min(view.find('\n', pos), view.size());
    std::string_view line = view.substr(pos, eol - pos);
    pos = eol + 1;
    size_t c1 = line.find(':');
    size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    std::string_view path = line.substr(c2 + 1);
    if (line.starts_with("0::")) {
      unified = path;
      have_unified = true;
      std::string uid = container_id_from_path(path);
      if (!uid.empty()) id = std::move(uid);  // the unified hierarchy wins
    } else if (id.empty()) {
      id = container_id_from_path(path);
    }
  }
  if (!id.empty()) p.docker = docker_field(id);
  if (have_unified && !opts.cgroup2_root.empty()) {
    struct stat st {};
    std::string full = opts.cgroup2_root + std::string(unified);
    if (::stat(full.c_str(), &st) == 0) p.cgroup_id = st.st_ino;
  }
  return 0;
}

// argv[0] of raw cmdline bytes.
std::string_view first_arg(std::string_view cmdline) {
  return cmdline.substr(0, std::min(cmdline.find('\0'), cmdline.size()));
}

enum class Outcome { kOk, kVanished, kZombie, kNotLeader };

// Reads one process into `p`; parent_key.ktime is left for the caller to resolve.
Outcome read_process(int dir, uint32_t pid, const ScanOptions& opts, Process& p, bool& kthread) {
  Stat st;
  if (read_stat(dir, st) != 0) return Outcome::kVanished;
  if (st.state == 'Z' || st.state == 'X') return Outcome::kZombie;

  p = Process{};
  p.pid = p.tid = pid;
  p.key = ProcessKey{pid, ticks_to_ktime(st.start_ticks)};
  p.start_ktime = p.key.ktime;
  p.parent_key = st.ppid == 0 ? kKernelProcessKey : ProcessKey{st.ppid, 0};
  p.flags = kFlagProcFS;

  std::string text;
  int err = read_at(dir, "status", text);
  if (gone(err)) return Outcome::kVanished;
  uint32_t tgid = pid;
  if (err == 0) {
    procfs::parse_status(text, p, tgid);
  } else {
    p.flags |= kFlagErrorCreds;
  }
  if (tgid != pid) return Outcome::kNotLeader;

  bool saw_gone = false;
  kthread = (st.flags & procfs::kPfKthread) != 0;
  std::string cmdline;
  bool cut = false;
  if (!kthread) {
    err = read_at(dir, "cmdline", cmdline, opts.max_args_bytes, &cut);
    saw_gone |= gone(err);
    if (err != 0) p.flags |= kFlagErrorArgs;
    if (cut) p.flags |= kFlagTruncArgs;
    p.arguments = join_arguments(cmdline, true);
  }

  if (kthread) {
    p.binary = st.comm;
  } else if ((err = readlink_at(dir, "exe", p.binary)) != 0) {
    saw_gone |= gone(err);
    std::string_view argv0 = first_arg(cmdline);
    p.binary = argv0.empty() ? st.comm : std::string(argv0);
    p.flags |= kFlagErrorFilename;
  }

  if ((err = readlink_at(dir, "cwd", p.cwd)) != 0) {
    saw_gone |= gone(err);
    p.flags |= kFlagErrorCwd;
  } else if (p.cwd == "/") {
    p.flags |= kFlagRootCwd;
  }

  if (read_at(dir, "loginuid", text) == 0) {
    uint32_t auid = kInvalidUid;
    if (parse_num(text, auid)) p.auid = auid;
  }
  read_namespaces(dir, p.ns);
  if ((err = read_cgroup(dir, opts, p)) != 0) {
    saw_gone |= gone(err);
    p.flags |= kFlagErrorCgroupName;
  }

  // A missing file usually means the process exited while being read.
  if (saw_gone && read_stat(dir, st) != 0) return Outcome::kVanished;
  return Outcome::kOk;
}

Outcome read_pid(int proc_dir, uint32_t pid, const ScanOptions& opts, Process& p, bool& kthread) {
  std::string name = std::to_string(pid);
  // Everything is read through this directory fd: if the pid is reused meanwhile, reads fail
  // instead of mixing two processes.
  Fd dir(::openat(proc_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return Outcome::kVanished;
  return read_process(dir.get(), pid, opts, p, kthread);
}

// Start time of `pid` in boot ns, from its stat; 0 when unreadable.
uint64_t read_start_ktime(int proc_dir, uint32_t pid) {
  std::string name = std::to_string(pid);
  Fd dir(::openat(proc_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  Stat st;
  if (!dir.valid() || read_stat(dir.get(), st) != 0) return 0;
  return ticks_to_ktime(st.start_ticks);
}

void resolve_parent_ktime(int proc_dir, Process& p,
                          const std::unordered_map<uint32_t, uint64_t>& start_by_pid) {
  if (p.parent_key == kKernelProcessKey) return;
  auto it = start_by_pid.find(p.parent_key.pid);
  p.parent_key.ktime =
      it != start_by_pid.end() ? it->second : read_start_ktime(proc_dir, p.parent_key.pid);
}

constexpr uint32_t kErrorFlags =
    kFlagErrorFilename | kFlagErrorArgs | kFlagErrorCwd | kFlagErrorCgroupName | kFlagErrorCreds;

}  // namespace

Result<std::vector<Process>> scan_procfs(const std::string& proc_root, const ScanOptions& opts,
                                         ScanStats* stats) {
  ScanStats local;
  ScanStats& s = stats != nullptr ? *stats : local;
  s = ScanStats{};
  Fd proc_dir(::open(proc_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!proc_dir.valid()) return make_error(errno, "open " + proc_root);
  // fdopendir owns the fd it is given: hand it a duplicate and keep ours for openat.
  DIR* d = ::fdopendir(::fcntl(proc_dir.get(), F_DUPFD_CLOEXEC, 0));
  if (d == nullptr) return make_error(errno, "list " + proc_root);

  std::vector<Process> out;
  while (struct dirent* e = ::readdir(d)) {
    uint32_t pid = 0;
    std::string_view name = e->d_name;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec != std::errc() || end != name.data() + name.size() || pid == 0) continue;
    ++s.entries;
    Process proc;
    bool kthread = false;
    switch (read_pid(proc_dir.get(), pid, opts, proc, kthread)) {
      case Outcome::kVanished:
        ++s.vanished;
        continue;
      case Outcome::kZombie:
        ++s.zombies;
        continue;
      case Outcome::kNotLeader:
        ++s.not_leaders;
        continue;
      case Outcome::kOk:
        break;
    }
    if (kthread) ++s.kernel_threads;
    if ((proc.flags & kErrorFlags) != 0) ++s.field_errors;
    out.push_back(std::move(proc));
  }
  ::closedir(d);

  // Parent keys: the parent's start time, from this scan or, if it was not listed, its stat.
  std::unordered_map<uint32_t, uint64_t> start_by_pid;
  start_by_pid.reserve(out.size());
  for (const Process& proc : out) start_by_pid.emplace(proc.pid, proc.key.ktime);
  for (Process& proc : out) resolve_parent_ktime(proc_dir.get(), proc, start_by_pid);
  s.processes = out.size();
  return out;
}

std::optional<Process> scan_pid(const std::string& proc_root, uint32_t pid,
                                const ScanOptions& opts) {
  Fd proc_dir(::open(proc_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!proc_dir.valid()) return std::nullopt;
  Process proc;
  bool kthread = false;
  if (read_pid(proc_dir.get(), pid, opts, proc, kthread) != Outcome::kOk) return std::nullopt;
  resolve_parent_ktime(proc_dir.get(), proc, {});
  return proc;
}

void order_parents_first(std::vector<Process>& procs) {
  const size_t n = procs.size();
  std::unordered_map<ProcessKey, size_t, ProcessKeyHash> index;
  index.reserve(n);
  for (size_t i = 0; i < n; ++i) index.emplace(procs[i].key, i);

  // depth[i]: number of listed ancestors. Computed iteratively: walk up until a known depth,
  // the top or a cycle (a node already on the current walk), then unwind.
  constexpr int64_t kUnknown = -1, kOnPath = -2;
  std::vector<int64_t> depth(n, kUnknown);
  std::vector<size_t> path;
  for (size_t i = 0; i < n; ++i) {
    path.clear();
    size_t cur = i;
    int64_t base = 0;
    while (depth[cur] == kUnknown) {
      depth[cur] = kOnPath;
      path.push_back(cur);
      const Process& p = procs[cur];
      auto it = p.parent_key == p.key ? index.end() : index.find(p.parent_key);
      if (it == index.end()) {
        base = 0;
        break;
      }
      cur = it->second;
      if (depth[cur] == kOnPath) {  // cycle: treat its entry point as a root
        base = 0;
        break;
      }
      if (depth[cur] >= 0) {
        base = depth[cur] + 1;
        break;
      }
    }
    for (size_t k = path.size(); k-- > 0;) depth[path[k]] = base++;
  }

  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return depth[a] < depth[b]; });
  std::vector<Process> sorted;
  sorted.reserve(n);
  for (size_t i : order) sorted.push_back(std::move(procs[i]));
  procs = std::move(sorted);
}

Process make_kernel_process() {
  Process p;
  p.key = kKernelProcessKey;
  p.parent_key = ProcessKey{0, 0};
  p.pid = 0;
  p.tid = 0;
  p.nspid = 0;
  p.binary = "<kernel>";
  p.flags = kFlagProcFS;
  p.start_ktime = kKernelProcessKey.ktime;
  return p;
}

}  // namespace octagon::events
