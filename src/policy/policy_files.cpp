// Policies from files: --tracing-policy FILE and --tracing-policy-dir DIR.
#include <octagon/base/fd.h>
#include <octagon/policy/parser.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>

namespace octagon::policy {
namespace {

Result<std::string> read_policy_text(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid())
    return make_error(errno, "cannot open policy file " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return make_error(EISDIR, "policy file " + path + " is a directory (use a policy directory)");
  }
  std::string text;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return make_error(errno, "cannot read policy file " + path);
    if (n == 0)
      break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxPolicyFileBytes) {
      return make_error(EFBIG, "policy file " + path + " is larger than " +
                                   std::to_string(kMaxPolicyFileBytes >> 20) + " MiB");
    }
  }
  return text;
}

bool has_policy_suffix(const std::string& name) {
  auto ends_with = [&](std::string_view s) {
    return name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  return ends_with(".yaml") || ends_with(".yml");
}

enum class EntryKind { kFile, kDir, kOther };

// stat() follows symbolic links: ConfigMap mounts link every file into "..data".
EntryKind kind_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return EntryKind::kOther;
  if (S_ISREG(st.st_mode))
    return EntryKind::kFile;
  if (S_ISDIR(st.st_mode))
    return EntryKind::kDir;
  return EntryKind::kOther;
}

// The names in `dir`, without "." and "..", or an error.
Result<std::vector<std::string>> list_dir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr)
    return make_error(errno, "cannot open policy directory " + dir);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..")
      names.push_back(std::move(name));
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0)
    return make_error(err, "cannot read policy directory " + dir);
  return names;
}

// Policy files in `dir` (depth 0) and its subdirectories (depth 1), as paths relative to root.
Result<void> collect(const std::string& root, const std::string& rel, int depth,
                     std::vector<std::string>& out) {
  const std::string dir = rel.empty() ? root : root + "/" + rel;
  OCTAGON_ASSIGN_OR_RETURN(std::vector<std::string> names, list_dir(dir));
  for (const std::string& name : names) {
    if (name[0] == '.')
      continue; // hidden files, ConfigMap "..data" and "..<timestamp>"
    const std::string child = rel.empty() ? name : rel + "/" + name;
    switch (kind_of(root + "/" + child)) {
    case EntryKind::kFile:
      if (has_policy_suffix(name))
        out.push_back(child);
      break;
    case EntryKind::kDir:
      if (depth == 0)
        OCTAGON_TRY(collect(root, child, depth + 1, out));
      break;
    case EntryKind::kOther:
      break;
    }
  }
  return ok();
}

} // namespace

Result<TracingPolicy> load_policy_file(const std::string& path) {
  OCTAGON_ASSIGN_OR_RETURN(std::string text, read_policy_text(path));
  return parse_policy(text, path);
}

Result<std::vector<TracingPolicy>> load_policy_dir(const std::string& dir) {
  if (kind_of(dir) != EntryKind::kDir) {
    struct stat st {};
    const int err = ::stat(dir.c_str(), &st) != 0 ? errno : ENOTDIR;
    return make_error(err, "policy directory " + dir + " is not a readable directory");
  }
  std::vector<std::string> files;
  OCTAGON_TRY(collect(dir, "", 0, files));
  std::sort(files.begin(), files.end());
  std::vector<TracingPolicy> policies;
  std::map<std::string, std::string> owners; // policy name -> file
  for (const std::string& rel : files) {
    const std::string path = dir + "/" + rel;
    OCTAGON_ASSIGN_OR_RETURN(TracingPolicy p, load_policy_file(path));
    const std::string key = p.namespace_name + "/" + p.name;
    auto [it, inserted] = owners.emplace(key, path);
    if (!inserted) {
      return make_error(
          policy_error(path, field_pos(p.metadata_pos, "name"),
                       "policy name '" + p.name + "' is already used by " + it->second,
                       "policy names must be unique; rename one of them"));
    }
    policies.push_back(std::move(p));
  }
  return policies;
}

} // namespace octagon::policy
