// RAII owners for libbpf objects.
#pragma once

#include <bpf/libbpf.h>

#include <memory>

namespace octagon::bpf {

struct LinkDeleter {
  void operator()(bpf_link* l) const { bpf_link__destroy(l); }
};
// One attached program. Destroying it detaches the program.
using Link = std::unique_ptr<bpf_link, LinkDeleter>;

}  // namespace octagon::bpf
