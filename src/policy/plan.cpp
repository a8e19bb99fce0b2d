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
  }
  return "?";
}

}  // namespace octagon::policy
