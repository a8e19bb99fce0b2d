// Test helper: the GNU build id of an ELF file (NT_GNU_BUILD_ID in a PT_NOTE segment), read
// independently of the agent, to check the build ids the kernel reports.
#pragma once

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace octagon::testing {

// Raw bytes; "" when the file is not a 64-bit ELF or has no build id note.
inline std::string elf_build_id(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::string img((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (img.size() < sizeof(Elf64_Ehdr) || img.compare(0, 4, ELFMAG) != 0) return "";
  Elf64_Ehdr eh;
  std::memcpy(&eh, img.data(), sizeof(eh));
  for (size_t i = 0; i < eh.e_phnum; i++) {
    Elf64_Phdr ph;
    const size_t at = eh.e_phoff + i * sizeof(ph);
    if (at + sizeof(ph) > img.size()) return "";
    std::memcpy(&ph, img.data() + at, sizeof(ph));
    if (ph.p_type != PT_NOTE || ph.p_offset + ph.p_filesz > img.size()) continue;
    size_t off = ph.p_offset;
    const size_t end = ph.p_offset + ph.p_filesz;
    while (off + sizeof(Elf64_Nhdr) <= end) {
      Elf64_Nhdr nh;
      std::memcpy(&nh, img.data() + off, sizeof(nh));
      const size_t name_at = off + sizeof(nh);
      const size_t desc_at = name_at + ((nh.n_namesz + 3) & ~size_t(3));
      if (desc_at + nh.n_descsz > end) break;
      if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
          img.compare(name_at, 4, std::string("GNU\0", 4)) == 0)
        return img.substr(desc_at, nh.n_descsz);
      off = desc_at + ((nh.n_descsz + 3) & ~size_t(3));
    }
  }
  return "";
}

inline std::string hex_of(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) out += {d[c >> 4], d[c & 15]};
  return out;
}

inline std::string base64_of(const std::string& s) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    const unsigned v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8 | (unsigned char)s[i + 2];
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
  }
  if (i + 1 == s.size()) {
    const unsigned v = (unsigned char)s[i] << 16;
    out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == s.size()) {
    const unsigned v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8;
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
  }
  return out;
}

}  // namespace octagon::testing
