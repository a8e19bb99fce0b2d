// BtfFacts: what the policy compiler needs from the kernel's BTF (type information of raw
// tracepoint arguments and struct layouts for `resolve:` paths). An interface, so that the
// compiler stays pure: the agent reads /sys/kernel/btf/vmlinux with libbpf
// (sensors/generic/kernel_btf.h), unit tests describe a few types by hand (FakeBtf).
#pragma once

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include <octagon/base/result.h>

namespace octagon::policy {

// One BTF type, with typedefs and const/volatile/restrict qualifiers already looked through
// (`name` is the underlying type's, `typedef_name` the outermost typedef's, if any).
struct BtfType {
  enum class Kind { kVoid, kInt, kPointer, kArray, kStruct, kUnion, kEnum, kFuncProto, kOther };
  Kind kind = Kind::kOther;
  std::string name;          // "task_struct", "int", "" when anonymous
  std::string typedef_name;  // "pid_t", "kernel_cap_t", "" when none
  uint32_t size = 0;         // bytes (ints, enums, structs, unions; pointers: 8)
  bool is_signed = false;    // ints, enums
  bool is_char = false;      // 1-byte int named char / signed char / unsigned char
  uint32_t target = 0;       // pointer: pointee type id; array: element type id
  uint32_t nelems = 0;       // array
};

struct BtfMember {
  std::string name;  // "" for an anonymous struct/union member
  uint32_t type = 0;
  uint32_t bit_offset = 0;
  uint32_t bitfield_bits = 0;  // 0 = not a bitfield
};

// A kernel function's prototype (BTF_KIND_FUNC -> FUNC_PROTO).
struct BtfFunction {
  std::vector<uint32_t> params;     // type ids, in order
  std::vector<std::string> names;   // parameter names ("" when unnamed)
  uint32_t ret = 0;                 // return type id (0: void)
};

class BtfFacts {
 public:
  virtual ~BtfFacts() = default;
  // Type ids of the arguments of raw tracepoint `event` (the btf_trace_<event> prototype
  // without its leading `void *` context), in TP_PROTO order.
  virtual Result<std::vector<uint32_t>> raw_tracepoint_args(const std::string& event) = 0;
  virtual BtfType type(uint32_t id) const = 0;
  // Members of a struct or union (empty for other kinds).
  virtual std::vector<BtfMember> members(uint32_t id) const = 0;
  // Type id of `struct name` (data[] entries resolve from struct task_struct). Not pure, so
  // that facts without it keep compiling: they answer that they do not know.
  virtual Result<uint32_t> struct_id(const std::string& name) const {
    return make_error(ENOENT, "no BTF type information for struct " + name);
  }
  // The prototype of kernel function `name` (kprobes, fentry, lsm hooks as bpf_lsm_<hook>).
  // ENOENT when the BTF has no such function.
  virtual Result<BtfFunction> function(const std::string& name) const {
    return make_error(ENOENT, "no BTF function " + name);
  }
  // Whether the BTF has a function (BTF_KIND_FUNC) `name` (generated_syscalls lists).
  virtual bool has_function(const std::string& name) const {
    (void)name;
    return false;
  }
};

// C spelling of a type for messages: "struct file *", "int", "char[16]".
std::string btf_type_text(const BtfFacts& btf, uint32_t id);

}  // namespace octagon::policy
