// The kernel's BPF objects (programs, maps, links) by id, system-wide: what a test takes as its
// baseline before loading policies, and what is still alive of the objects created since, for
// unload/reload leak tests.
#pragma once

#include <bpf/bpf.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <string>

namespace octagon::testing {

using BpfNextId = int (*)(__u32, __u32*);
using BpfFdById = int (*)(__u32);

inline uint32_t count_bpf_ids(BpfNextId next) {
  uint32_t id = 0, n = 0;
  while (next(id, &id) == 0) n++;
  return n;
}

inline std::set<uint32_t> bpf_ids(BpfNextId next) {
  std::set<uint32_t> out;
  uint32_t id = 0;
  while (next(id, &id) == 0) out.insert(id);
  return out;
}

// Objects of one kind created since `before` and still alive, as "id:name " each ("" if none).
inline std::string bpf_created_since(const std::set<uint32_t>& before, BpfNextId next, BpfFdById fd_by_id) {
  std::string out;
  for (uint32_t id : bpf_ids(next)) {
    if (before.count(id)) continue;
    out += std::to_string(id);
    int fd = fd_by_id(id);
    if (fd >= 0) {
      char name[BPF_OBJ_NAME_LEN + 1] = {};
      bpf_map_info mi{};
      bpf_prog_info pi{};
      uint32_t len = 0;
      if (next == bpf_map_get_next_id && (len = sizeof(mi), bpf_obj_get_info_by_fd(fd, &mi, &len) == 0))
        memcpy(name, mi.name, BPF_OBJ_NAME_LEN);
      else if (next == bpf_prog_get_next_id && (len = sizeof(pi), bpf_obj_get_info_by_fd(fd, &pi, &len) == 0))
        memcpy(name, pi.name, BPF_OBJ_NAME_LEN);
      out += std::string(":") + name;
      close(fd);
    }
    out += ' ';
  }
  return out;
}

// Every program, map and link alive now, to compare with after an unload.
struct BpfObjectIds {
  std::set<uint32_t> progs = bpf_ids(bpf_prog_get_next_id);
  std::set<uint32_t> maps = bpf_ids(bpf_map_get_next_id);
  std::set<uint32_t> links = bpf_ids(bpf_link_get_next_id);

  std::string progs_since() const { return bpf_created_since(progs, bpf_prog_get_next_id, bpf_prog_get_fd_by_id); }
  std::string maps_since() const { return bpf_created_since(maps, bpf_map_get_next_id, bpf_map_get_fd_by_id); }
  std::string links_since() const { return bpf_created_since(links, bpf_link_get_next_id, bpf_link_get_fd_by_id); }
  // Program, map and link ids are freed asynchronously (RCU, work queues): waits up to 5 s for
  // everything created since to go. True when it did.
  bool wait_all_gone() const {
    for (int i = 0; i < 250; i++) {
      if (progs_since().empty() && maps_since().empty() && links_since().empty()) return true;
      usleep(20000);
    }
    return false;
  }
};

}  // namespace octagon::testing
