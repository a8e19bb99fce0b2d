#include <octagon/events/container_id.h>

#include <array>

namespace octagon::events {
namespace {

// Prefixes of runtime-made cgroup names, longest first where one is a prefix of another.
constexpr std::array<std::string_view, 6> kPrefixes = {
    "cri-containerd-", "crio-conmon-", "crio-", "libpod-conmon-", "libpod-", "docker-",
};
constexpr std::string_view kScope = ".scope";

bool is_container_id(std::string_view s) {
  if (s.size() != kContainerIdLength) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string container_id_from_name(std::string_view name) {
  if (is_container_id(name)) return std::string(name);
  for (std::string_view prefix : kPrefixes) {
    if (!name.starts_with(prefix)) continue;
    std::string_view rest = name.substr(prefix.size());
    if (rest.ends_with(kScope)) rest.remove_suffix(kScope.size());
    if (is_container_id(rest)) return std::string(rest);
    return {};  // a known prefix followed by something else: not a container
  }
  return {};
}

std::string container_id_from_cgroup(std::string_view leaf, std::string_view parent) {
  std::string id = container_id_from_name(leaf);
  if (id.empty()) id = container_id_from_name(parent);
  return id;
}

std::string container_id_from_path(std::string_view cgroup_path) {
  // Walk the components from the leaf up to the root.
  std::string_view rest = cgroup_path;
  while (!rest.empty()) {
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    size_t slash = rest.rfind('/');
    std::string_view name = slash == std::string_view::npos ? rest : rest.substr(slash + 1);
    if (!name.empty()) {
      std::string id = container_id_from_name(name);
      if (!id.empty()) return id;
    }
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(0, slash);
  }
  return {};
}

std::string docker_field(std::string_view full_id) {
  return std::string(full_id.substr(0, kDockerFieldLength));
}

}  // namespace octagon::events
