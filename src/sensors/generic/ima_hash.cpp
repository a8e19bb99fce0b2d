#include <octagon/sensors/generic/ima_hash.h>

#include <octagon/sensors/generic/generic_decoder.h>

#include <abi/generic.h>

namespace octagon::sensors {
namespace {

struct Algo {
  std::string_view name;
  size_t size;
};

// Indexed by enum hash_algo (HASH_ALGO_MD4 = 0 ... HASH_ALGO_STREEBOG_512 = 19,
// HASH_ALGO_SHA3_256..512 = 20..22 on Linux 6.7+).
constexpr Algo kAlgos[] = {
    {"md4", 16},         {"md5", 16},         {"sha1", 20},      {"rmd160", 20},
    {"sha256", 32},      {"sha384", 48},      {"sha512", 64},    {"sha224", 28},
    {"rmd128", 16},      {"rmd256", 32},      {"rmd320", 40},    {"wp256", 32},
    {"wp384", 48},       {"wp512", 64},       {"tgr128", 16},    {"tgr160", 20},
    {"tgr192", 24},      {"sm3", 32},         {"streebog256", 32}, {"streebog512", 64},
    {"sha3-256", 32},    {"sha3-384", 48},    {"sha3-512", 64},
};

const Algo* find(int32_t algo) {
  if (algo < 0 || size_t(algo) >= std::size(kAlgos)) return nullptr;
  return &kAlgos[algo];
}

}  // namespace

std::string_view ima_algo_name(int32_t algo) {
  const Algo* a = find(algo);
  return a ? a->name : std::string_view();
}

size_t ima_digest_size(int32_t algo) {
  const Algo* a = find(algo);
  return a && a->size <= OCT_GEN_IMA_MAX ? a->size : 0;
}

std::string ima_hash_string(int32_t algo, std::string_view digest) {
  const Algo* a = find(algo);
  if (!a || digest.size() != a->size) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(a->name);
  out.push_back(':');
  for (unsigned char c : digest) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

void render_ima_hash(const DecodedGeneric& d, std::string& out) {
  out.clear();
  if (d.ima_state == OCT_IMA_OK) out = ima_hash_string(d.ima_algo, d.ima_digest);
}

}  // namespace octagon::sensors
