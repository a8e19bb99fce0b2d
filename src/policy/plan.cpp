#include <octagon/policy/plan.h>

#include <cstdio>

namespace octagon::policy {

std::string describe(const AttachTarget& t) {
  switch (t.kind) {
    case AttachTarget::Kind::kTracepoint: return "tracepoint " + t.subsystem + "/" + t.event;
    case AttachTarget::Kind::kRawTracepoint: return "raw tracepoint " + t.event;
    case AttachTarget::Kind::kUprobe: {
      char off[32];
      snprintf(off, sizeof off, "0x%llx", static_cast<unsigned long long>(t.offset));
      return std::string(t.retprobe ? "uretprobe " : "uprobe ") + t.binary + ":" + off;
    }
    case AttachTarget::Kind::kKprobe: return std::string(t.retprobe ? "kretprobe " : "kprobe ") + t.function;
    case AttachTarget::Kind::kFentry: return "fentry " + t.function;
    case AttachTarget::Kind::kFexit: return "fexit " + t.function;
    case AttachTarget::Kind::kLsm: return "lsm " + t.function;
    case AttachTarget::Kind::kFmodRet: return "fmod_ret " + t.function;
    case AttachTarget::Kind::kKprobeOverride: return "kprobe (override_return) " + t.function;
    case AttachTarget::Kind::kKprobeMulti: {
      std::string out = "kprobe.multi ";
      for (size_t i = 0; i < t.functions.size(); i++) out += (i ? "," : "") + t.functions[i];
      return out;
    }
  }
  return "?";
}

}  // namespace octagon::policy
