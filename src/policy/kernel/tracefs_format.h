// The tracefs description of a perf tracepoint (events/<subsystem>/<event>/format), parsed.
//
//   name: sys_enter_openat
//   ID: 782
//   format:
//   	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
//   	...
//   	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
//   	field:const char * filename;	offset:24;	size:8;	signed:0;
//
//   print fmt: "dfd: 0x%08lx, filename: 0x%08lx, ...", ...
#pragma once

#include <octagon/base/result.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace octagon::policy::kernel {

struct TracepointFormat {
  struct Field {
    std::string type; // declaration without the name: "const char *", "unsigned long",
                      // "__data_loc char[]", "char" (for `char prev_comm[16]`)
    std::string name; // "filename", "prev_comm", "args"
    uint32_t offset = 0;
    uint32_t size = 0; // bytes in the record (a data_loc field: its 4-byte locator)
    bool is_signed = false;
    bool is_data_loc = false; // `__data_loc <type>[] name` or `__rel_loc <type>[] name`: the
                              // record holds (len << 16 | offset) of variable-length data
    bool is_rel_loc = false;  // the __rel_loc form: offset relative to the end of this field
    bool is_array = false;    // `name[N]`: a fixed-size array in the record
    uint32_t array_len = 0;   // N; 0 when not a plain number (`[sizeof(struct x)]`)
    bool is_pointer = false;  // the type ends in '*'
    bool is_user = false;     // user memory: `__user`/`__attribute__((user))` in the type, or
                              // a pointer argument of a syscalls/sys_enter_* tracepoint
  };

  std::string name; // "sys_enter_openat"
  uint32_t id = 0;  // perf event id (the ID: line)
  // Every field in file order, the common_* ones included: a field's position here is
  // Tetragon's `args[].index` (raw_syscalls/sys_enter `id` is index 4).
  std::vector<Field> fields;

  // Position of the field called `field_name`, if any.
  std::optional<size_t> index_of(std::string_view field_name) const;
  // Number of leading common_* fields (4 on current kernels).
  size_t common_count() const;
};

// Parses the text of a format file. `file_name` only names the source in error messages, which
// read "<file_name>:<line>: <what is wrong>" (EINVAL). Lines are LF-terminated; tabs and spaces
// are both accepted as separators. Parsing stops at "print fmt:" (or the end of the text).
[[nodiscard]] Result<TracepointFormat> parse_tracepoint_format(std::string_view text,
                                                               std::string_view file_name);

// Reads and parses the format file at `path` (tracefs files report size 0: read to EOF).
// Errors: the open/read errno (ENOENT, EACCES, ...) with the path, or the parse error.
[[nodiscard]] Result<TracepointFormat> load_tracepoint_format(const std::string& path);

} // namespace octagon::policy::kernel
