// Container ids from cgroup names, for Tetragon's `docker` field and pod association.
//
// A container id is 64 lowercase hex digits. It is recognised in one cgroup directory name:
//   <id>                                     docker `/docker/<id>`, containerd `/<ns>/<id>`,
//                                            CRI cgroupfs `/kubepods/<qos>/pod<uid>/<id>`
//   docker-<id>.scope                        docker with the systemd cgroup driver
//   cri-containerd-<id>.scope                containerd CRI with the systemd driver
//   crio-<id>[.scope], crio-conmon-<id>.scope CRI-O (conmon is attributed to its container)
//   libpod-<id>[.scope], libpod-conmon-<id>[.scope]  podman
// Anything else (wrong length, non-hex, upper case, unknown prefix) yields no id. Containers
// that run systemd create sub-cgroups (`libpod-<id>.scope/init.scope`), so the parent name
// and, for whole paths, every component up to the root are tried, deepest first.
#pragma once

#include <string>
#include <string_view>

namespace octagon::events {

constexpr size_t kContainerIdLength = 64;
constexpr size_t kDockerFieldLength = 31;  // Tetragon's `docker` field keeps this many

// The container id in one cgroup directory name, or "".
std::string container_id_from_name(std::string_view name);

// The container id from the kernel side's leaf cgroup name and its parent's name, or "".
std::string container_id_from_cgroup(std::string_view leaf, std::string_view parent);

// The container id from a cgroup path (as in /proc/<pid>/cgroup), deepest match first, or "".
std::string container_id_from_path(std::string_view cgroup_path);

// Tetragon's `docker` field: the first 31 characters of the container id.
std::string docker_field(std::string_view full_id);

}  // namespace octagon::events
