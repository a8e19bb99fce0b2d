// Tetragon-compatible process identifiers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace octagon::events {

// base64 (standard alphabet, padded) of `in`.
std::string base64_encode(std::string_view in);

// exec_id = base64("<node>:<ktime>:<pid>"), Tetragon's process identifier.
std::string make_exec_id(std::string_view node, uint64_t ktime, uint32_t pid);

}  // namespace octagon::events
