// Decodes generic (policy) hook records (abi/generic.h) into events::Argument values, using
// the hook's HookRender for what the record does not carry (types, labels).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <octagon/base/result.h>
#include <octagon/events/policy_event.h>
#include <octagon/events/process.h>
#include <octagon/policy/plan.h>

namespace octagon::sensors {

struct DecodedGeneric {
  uint32_t hook_id = 0;
  events::ProcessKey key;
  bool known_process = true;
  uint32_t tid = 0;
  uint8_t selector = 0;
  uint8_t action = 0;       // enum oct_gen_action
  bool action_done = false;
  bool has_ret = false;
  int64_t ret = 0;
  bool deferred = false;
  uint64_t ktime = 0;
  std::vector<std::string_view> args;  // raw captured bytes (views into the record)
  std::vector<uint8_t> arg_flags;
  std::vector<uint64_t> kernel_stack;  // return addresses, innermost first
  std::vector<uint64_t> user_stack;
  std::string_view ret_data;  // a returned string (config ret_kind), a view into the record
  uint8_t ret_flags = 0;
  std::vector<uint32_t> arg_size;  // buffers: bytes the argument had (truncated or chunked)
  // Override of the matched selector: asked for, returned (not in monitor mode or on an
  // observe-only hook), and the error it returns.
  bool override_asked = false;
  bool override_done = false;
  int32_t override_ret = 0;
  // Post imaHash: enum oct_gen_ima_state, the kernel's hash_algo id (or error) and the digest.
  uint8_t ima_state = 0;
  int32_t ima_algo = 0;
  std::string_view ima_digest;  // a view into the record, the algorithm's digest size
};

Result<void> decode_generic(const void* data, size_t size, DecodedGeneric& out);

// Turns the raw arguments into Tetragon KprobeArguments per the hook's render plan.
void render_arguments(const DecodedGeneric& d, const policy::HookRender& render,
                      std::vector<events::Argument>& args, std::optional<events::Argument>& ret);

// The data[] entries (render.data): the record's values after the hook's args.
// Post imaHash: "<algo>:<hex digest>" (Tetragon's ima_hash), "" when none was asked for or
// the kernel could not hash the file.
void render_ima_hash(const DecodedGeneric& d, std::string& out);
void render_data(const DecodedGeneric& d, const policy::HookRender& render,
                 std::vector<events::Argument>& data);

}  // namespace octagon::sensors
