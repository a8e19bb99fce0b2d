// KernelBtf: policy::BtfFacts from the running kernel's BTF (/sys/kernel/btf/vmlinux), read
// with libbpf's btf API. Loaded once (a few MB), on first use by a policy that needs it.
#pragma once

#include <memory>
#include <string>

#include <octagon/policy/btf_facts.h>

struct btf;

namespace octagon::sensors {

class KernelBtf : public policy::BtfFacts {
 public:
  // `path` empty: the kernel's own BTF (libbpf's vmlinux lookup).
  static Result<std::unique_ptr<KernelBtf>> load(const std::string& path = "");
  ~KernelBtf() override;
  KernelBtf(const KernelBtf&) = delete;
  KernelBtf& operator=(const KernelBtf&) = delete;

  Result<std::vector<uint32_t>> raw_tracepoint_args(const std::string& event) override;
  policy::BtfType type(uint32_t id) const override;
  std::vector<policy::BtfMember> members(uint32_t id) const override;
  Result<uint32_t> struct_id(const std::string& name) const override;
  bool has_function(const std::string& name) const override;
  Result<policy::BtfFunction> function(const std::string& name) const override;

 private:
  explicit KernelBtf(struct btf* b) : btf_(b) {}
  struct btf* btf_;
};

}  // namespace octagon::sensors
