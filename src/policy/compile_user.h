// Shared by the uprobe and usdt compilers (not a public header).
#pragma once

#include <optional>
#include <string>

#include <octagon/policy/compile_internal.h>

namespace octagon::policy::detail {

// Tetragon resolves /procRoot to its host /proc mount; Octagon runs on the host.
std::string host_path(const std::string& path);
// The binary must exist and be an ELF file: refused at the hook's `path` otherwise.
Result<void> check_binary(const TracingPolicy& p, const SourcePos& hook, const std::string& path,
                          BinaryFacts& bin);
// Integer rendering of a policy type; nullopt for non-integer types.
std::optional<ArgRender> integer_render(ArgType t, const std::string& label);
Result<void> refuse_arg_extras(const TracingPolicy& p, const KProbeArg& a);
// Policy name, message, tags and monitor mode of a finished plan.
void finish(const TracingPolicy& p, const HookCommon& spec, bool monitor, HookPlan& plan);

}  // namespace octagon::policy::detail
