// Decodes the process sensor's abi records (abi/process.h) into the C++ event model.
// Pure code: no libbpf, so it is tested with hand-made records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <octagon/base/result.h>
#include <octagon/events/process.h>

namespace octagon::sensors {

struct DecodedExec {
  events::Process process;  // exec_id/parent_exec_id left empty (the node name is not known here)
  events::ProcessKey prev;  // identity this exec replaced (pid 0: none)
  uint64_t ktime = 0;
};

struct DecodedExit {
  events::ProcessKey key;
  uint32_t tid = 0;
  uint32_t exit_code = 0;  // wait status
  bool known = true;       // false: the kernel had no entry; key derived from start time
  uint64_t ktime = 0;
};

struct DecodedClone {
  events::ProcessKey key;
  events::ProcessKey parent;
  uint32_t tid = 0;
  uint64_t cgroup_id = 0;
  uint64_t ktime = 0;
};

// The record's operation (OCT_MSG_*), after checking header, size and ABI version.
Result<uint8_t> record_op(const void* data, size_t size);

Result<void> decode_exec(const void* data, size_t size, DecodedExec& out);
Result<void> decode_exit(const void* data, size_t size, DecodedExit& out);
Result<void> decode_clone(const void* data, size_t size, DecodedClone& out);

// Joins NUL-terminated path components given leaf first into an absolute path
// ("b\0a\0" -> "/a/b"; nothing -> "/").
void assemble_path(std::string_view components, std::string& out);

}  // namespace octagon::sensors
