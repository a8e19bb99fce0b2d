// /proc/<pid>/maps: which file (and file offset) a user address of a process belongs to.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <octagon/base/result.h>

namespace octagon::symbols {

struct Mapping {
  uint64_t start = 0, end = 0; // [start, end)
  uint64_t offset = 0;         // file offset of start
  std::string path;            // as the process sees it; "" for anonymous memory
  bool deleted = false;        // the path had " (deleted)"
};

// Mappings of a maps listing, in address order. Lines that do not parse are skipped.
std::vector<Mapping> parse_maps(std::string_view text);
Result<std::vector<Mapping>> read_maps(pid_t pid, const std::string& procfs = "/proc");

// The mapping containing `address`, or null. `maps` must be sorted by start.
const Mapping* find_mapping(const std::vector<Mapping>& maps, uint64_t address);

} // namespace octagon::symbols
