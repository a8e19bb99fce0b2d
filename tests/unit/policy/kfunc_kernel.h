// A fake kernel for kernel-function hook compile tests: the FakeBtf prototypes, one syscall
// tracepoint (dup), and the hook mechanisms a test gives it.
#pragma once

#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include "test_helpers.h"
#include "unit/policy/fake_btf.h"

namespace octagon::policy {

class KfuncKernel : public KernelFacts {
 public:
  Result<std::vector<FormatField>> tracepoint_fields(const std::string& sub, const std::string& ev) override {
    std::vector<FormatField> f = {{"common_type", "unsigned short", 0, 2, false},
                                  {"common_flags", "unsigned char", 2, 1, false},
                                  {"common_preempt_count", "unsigned char", 3, 1, false},
                                  {"common_pid", "int", 4, 4, true},
                                  {"__syscall_nr", "int", 8, 4, true}};
    if (sub == "syscalls" && ev == "sys_enter_dup") {
      f.push_back({"fildes", "unsigned int", 16, 8, false});
      return f;
    }
    return make_error(ENOENT, "no tracepoint " + sub + "/" + ev);
  }
  std::string syscall_prefix() const override { return "__x64_"; }
  std::optional<int> syscall_number(const std::string&) const override { return std::nullopt; }
  BtfFacts* btf() override { return &btf_; }
  HookSupport hook_support() override { return hs; }

  testing::FakeBtf btf_;
  HookSupport hs;
};

inline HookSupport with(bool kprobe, bool fentry, bool lsm) {
  HookSupport h;
  h.kprobe = kprobe;
  h.fentry = fentry;
  h.lsm = lsm;
  h.kprobe_why = kprobe ? "kprobes available" : "no kprobes (no perf kprobe PMU)";
  h.fentry_why = fentry ? "BPF trampolines available" : "no fentry/fexit (test program rejected: EPERM)";
  h.lsm_why = lsm ? "BPF-LSM available" : "no BPF-LSM (test program rejected: EPERM)";
  return h;
}

inline Result<CompiledPolicy> compile(const std::string& spec_body, HookSupport hs) {
  std::string yaml = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: p}\nspec:\n" + spec_body;
  OCTAGON_ASSIGN_OR_RETURN(TracingPolicy p, parse_policy(yaml, "test.yaml"));
  KfuncKernel k;
  k.hs = hs;
  return compile_policy(p, k);
}

}  // namespace octagon::policy
