// Post imaHash: the kernel's hash algorithm ids (enum hash_algo, include/uapi/linux/hash_info.h)
// as bpf_ima_file_hash returns them, their names and digest sizes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace octagon::sensors {

// The algorithm's name as the kernel's hash_algo_name[] spells it ("sha256"); "" when unknown.
std::string_view ima_algo_name(int32_t algo);
// Its digest size in bytes (at most OCT_GEN_IMA_MAX); 0 when unknown.
size_t ima_digest_size(int32_t algo);
// Tetragon's ima_hash value: "<name>:<lowercase hex digest>"; "" for an unknown algorithm.
std::string ima_hash_string(int32_t algo, std::string_view digest);

}  // namespace octagon::sensors
