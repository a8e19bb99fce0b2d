// uprobes: and usdts: entries -> uprobe hook plans. Function arguments are read from the user
// task's registers (x86_64 calling convention, struct pt_regs offsets); USDT arguments where
// the probe's stapsdt note says they are (register, memory at register + displacement, or a
// constant). Binary facts (symbols, notes, digests) come through BinaryFacts.
#include <cerrno>
#include <cstdio>

#include <octagon/elf/usdt_args.h>
#include <octagon/policy/compile_internal.h>

#include "compile_user.h"

namespace octagon::policy::detail {

using events::Argument;

namespace {

// x86_64 struct pt_regs: di, si, dx, cx, r8, r9 (System V argument registers) and ax.
constexpr uint16_t kArgRegs[] = {112, 104, 96, 88, 72, 64};
constexpr uint16_t kRegsAx = 80;

std::string hex(uint64_t v) {
  char b[32];
  snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

std::string host_path(const std::string& path) {
  if (path.rfind("/procRoot/", 0) == 0) return "/proc/" + path.substr(10);
  return path;
}

Result<void> check_binary(const TracingPolicy& p, const SourcePos& hook, const std::string& path,
                          BinaryFacts& bin) {
  auto r = bin.check_binary(path);
  if (r) return ok();
  if (r.error().code() == ENOENT)
    return make_error(policy_error(p, field_pos(hook, "path"), "no file " + path));
  return make_error(policy_error(p, field_pos(hook, "path"), "cannot use " + path + ": " + r.error().describe()));
}

std::optional<ArgRender> integer_render(ArgType t, const std::string& label) {
  auto r = [&](Argument::Kind k, uint8_t bytes, bool is_signed) {
    return ArgRender{k, bytes, is_signed, false, label};
  };
  switch (t) {
    case ArgType::kInt: case ArgType::kSint32: return r(Argument::Kind::kInt, 4, true);
    case ArgType::kSint16: return r(Argument::Kind::kInt, 2, true);
    case ArgType::kSint8: return r(Argument::Kind::kInt, 1, true);
    case ArgType::kUint32: return r(Argument::Kind::kUint, 4, false);
    case ArgType::kUint16: return r(Argument::Kind::kUint, 2, false);
    case ArgType::kUint8: return r(Argument::Kind::kUint, 1, false);
    case ArgType::kSint64: return r(Argument::Kind::kLong, 8, true);
    case ArgType::kUint64: case ArgType::kSizeT: return r(Argument::Kind::kSize, 8, false);
    default: return std::nullopt;
  }
}

Result<void> refuse_arg_extras(const TracingPolicy& p, const KProbeArg& a) {
  if (!a.resolve.empty() || a.return_copy || a.max_data || !a.btf_type.empty() || !a.btf_type_module.empty())
    return make_error(policy_error(p, a.pos, "resolve, returnCopy, maxData and btfType are not supported on uprobes and usdts yet"));
  return ok();
}

void finish(const TracingPolicy& p, const HookCommon& spec, bool monitor, HookPlan& plan) {
  plan.render.policy_name = p.name;
  plan.render.message = spec.message;
  plan.render.tags = spec.tags;
  plan.enter.config.monitor = monitor;
  if (plan.exit) plan.exit->config.monitor = monitor;
  set_sock_owner_arg(plan);
}

namespace {

// Override on uprobes rewrites user registers or redirects the call; Octagon has no program
// that does this yet. Refused here with the uprobe reason (compile_selectors has the kprobe one).
Result<void> refuse_uprobe_override(const TracingPolicy& p, const HookCommon& hook) {
  for (const Selector& s : hook.selectors)
    for (const Action& a : s.match_actions)
      if (a.type == ActionType::kOverride)
        return make_error(policy_error(
            p, a.pos, "Override on uprobes (argRegs, argNewSymbol, argNewAddr, argNewOffset) is not supported by Octagon yet",
            "use Sigkill, which kills the process before the probed function runs"));
  return ok();
}

// A function argument (System V x86_64 registers) of a uprobe.
Result<void> uprobe_arg(const TracingPolicy& p, const KProbeArg& a, const std::vector<KProbeArg>& all,
                        oct_gen_arg& out, ArgRender& render, ArgSlot& slot) {
  OCTAGON_TRY(refuse_arg_extras(p, a));
  if (a.index >= std::size(kArgRegs))
    return make_error(policy_error(p, field_pos(a.pos, "index"),
                                   "index " + std::to_string(a.index) + ": only the first 6 function arguments are in registers",
                                   "uprobe arguments are read from rdi, rsi, rdx, rcx, r8, r9 (index 0-5)"));
  out.offset = kArgRegs[a.index];
  out.size = 8;
  if (auto r = integer_render(a.type, a.label)) {
    out.kind = OCT_GA_INT;
    out.size = r->bytes;
    out.is_signed = r->is_signed;
    render = *r;
  } else if (a.type == ArgType::kString || a.type == ArgType::kFilename) {
    out.kind = OCT_GA_STR_USER;
    out.max_data = OCT_GEN_ARG_MAX;
    render = {Argument::Kind::kString, 8, false, false, a.label};
    slot.is_string = true;
  } else if (a.type == ArgType::kCharBuf) {
    uint32_t pos = UINT32_MAX;
    for (size_t i = 0; i < all.size(); i++)
      if (a.size_arg_index && all[i].index == a.size_arg_index - 1) pos = uint32_t(i);
    if (pos == UINT32_MAX)
      return make_error(policy_error(p, field_pos(a.pos, "sizeArgIndex"),
                                     "char_buf needs sizeArgIndex naming an argument that is also listed in args"));
    out.kind = OCT_GA_BUF_USER;
    out.size_arg = uint8_t(pos);
    out.max_data = OCT_GEN_ARG_MAX;
    render = {Argument::Kind::kBytes, 8, false, false, a.label};
    slot.is_string = true;
  } else if (a.type == ArgType::kFd) {
    out.kind = OCT_GA_FD;
    out.size = 4;
    out.is_signed = 1;
    render = {Argument::Kind::kFile, 4, true, true, a.label};
    slot.is_fd = true;
  } else {
    return make_error(policy_error(p, field_pos(a.pos, "type"),
                                   "argument type " + a.type_name + " is not supported on uprobes",
                                   "uprobes read registers without BTF: use an integer type, string, char_buf or fd"));
  }
  slot.kind = out.kind;
  return ok();
}

// Digest check: the file must have one of the listed sha256 digests.
Result<void> check_digests(const TracingPolicy& p, const UProbeSpec& spec, const std::string& path,
                           BinaryFacts& bin, CompiledPolicy& out) {
  if (spec.binary_digests.empty()) return ok();
  for (const BinaryDigest& d : spec.binary_digests)
    if (d.algorithm != DigestAlgorithm::kSha256)
      return make_error(policy_error(p, d.pos, "only sha256 binary digests are supported by Octagon yet"));
  auto have = bin.sha256_hex(path);
  if (!have)
    return make_error(policy_error(p, field_pos(spec.pos, "path"), "cannot hash " + path + ": " + have.error().describe()));
  for (const BinaryDigest& d : spec.binary_digests)
    if (d.hex == *have) return ok();
  std::string what = "sha256 of " + path + " is " + *have + ", none of the binaryDigests";
  if (spec.ignore_digest_verification_failure) {
    out.notes.push_back(what + " (ignored: ignore.digestVerificationFailure)");
    return ok();
  }
  return make_error(policy_error(p, field_pos(spec.pos, "binaryDigests"), what,
                                 "the binary changed since the policy was written: update the digest"));
}

std::optional<ArgRender> uprobe_return(const UProbeSpec& spec) {
  if (!spec.return_probe || !spec.return_arg) return std::nullopt;
  ArgType t = spec.return_arg->type;
  if (t == ArgType::kString || t == ArgType::kFilename)  // e.g. readline's line
    return ArgRender{Argument::Kind::kString, 8, false, false, spec.return_arg->label};
  return integer_render(t == ArgType::kAuto ? ArgType::kInt : t, spec.return_arg->label);
}

// matchReturnArgs compare numbers in the kernel: not the string a returnArg string points to.
Result<void> refuse_string_return_filters(const TracingPolicy& p, const UProbeSpec& spec) {
  for (const Selector& s : spec.selectors)
    for (const ArgFilter& f : s.match_return_args)
      return make_error(policy_error(p, f.pos, "matchReturnArgs on a string returnArg is not supported yet",
                                     "filter on the arguments, or return the value as an integer"));
  return ok();
}

}  // namespace

Result<void> compile_uprobe(const TracingPolicy& p, const UProbeSpec& spec, KernelFacts& kernel,
                            bool monitor, CompiledPolicy& out) {
  if (!spec.btf_path.empty())
    return make_error(policy_error(p, field_pos(spec.pos, "btfPath"), "btfPath is not supported by Octagon yet",
                                   "read arguments as integers or strings without resolve"));
  if (!spec.data.empty())
    return make_error(policy_error(p, field_pos(spec.pos, "data"), "data is not supported on uprobes yet"));
  BinaryFacts* bin = kernel.binaries();
  if (!bin) return make_error(policy_error(p, spec.pos, "this host cannot read binaries for uprobes"));
  OCTAGON_TRY(refuse_uprobe_override(p, spec));
  const std::string path = host_path(spec.path);
  OCTAGON_TRY(check_binary(p, spec.pos, path, *bin));
  OCTAGON_TRY(check_digests(p, spec, path, *bin, out));

  HookPlan tmpl;
  tmpl.render.kind = EventKind::kUprobe;
  tmpl.render.path = spec.path;
  tmpl.enter.target.kind = AttachTarget::Kind::kUprobe;
  tmpl.enter.target.binary = path;
  std::vector<ArgSlot> slots;
  tmpl.enter.config.nargs = uint8_t(spec.args.size());
  for (size_t i = 0; i < spec.args.size(); i++) {
    ArgRender r;
    ArgSlot s;
    OCTAGON_TRY(uprobe_arg(p, spec.args[i], spec.args, tmpl.enter.config.args[i], r, s));
    tmpl.render.args.push_back(r);
    slots.push_back(s);
  }
  if (spec.return_probe) {
    auto r = uprobe_return(spec);
    if (!r)
      return make_error(policy_error(p, field_pos(spec.return_arg->pos, "type"),
                                     "returnArg type " + spec.return_arg->type_name + " is not supported on uprobes yet",
                                     "return values are read from rax as integers, or as the string it points to"));
    if (r->kind == Argument::Kind::kString) OCTAGON_TRY(refuse_string_return_filters(p, spec));
    tmpl.render.ret = r;
    tmpl.render.return_action = events::KprobeAction::kPost;
    tmpl.enter.config.mode = OCT_MODE_STORE;
  }
  OCTAGON_TRY(compile_selectors(p, spec, slots, spec.return_probe, kernel, tmpl.enter.config,
                                tmpl.render, tmpl.enter.inmap));
  if (spec.return_probe) {
    tmpl.exit = tmpl.enter;
    tmpl.exit->target.retprobe = true;
    tmpl.exit->config.mode = OCT_MODE_EXIT;
    tmpl.exit->config.ret_offset = kRegsAx;
    if (tmpl.render.ret->kind == Argument::Kind::kString) tmpl.exit->config.ret_kind = OCT_GA_STR_USER;
  }

  const size_t points = spec.symbols.size() + spec.offsets.size() + spec.addrs.size();
  for (size_t i = 0; i < points; i++) {
    HookPlan plan = tmpl;
    uint64_t off = 0;
    if (i < spec.symbols.size()) {
      const std::string& sym = spec.symbols[i];
      auto r = bin->symbol_offset(path, sym);
      if (!r)
        return make_error(policy_error(p, field_pos(spec.pos, "symbols[" + std::to_string(i) + "]"),
                                       r.error().code() == ENOENT
                                           ? "uprobe symbol " + sym + " not found in " + path
                                           : "uprobe symbol " + sym + " in " + path + ": " + r.error().describe(),
                                       "list the binary's symbols with 'nm -D' or 'readelf -s'"));
      off = *r;
      plan.render.symbol = sym;
    } else if (!spec.offsets.empty()) {
      off = spec.offsets[i];
    } else {
      auto r = bin->address_offset(path, spec.addrs[i]);
      if (!r)
        return make_error(policy_error(p, field_pos(spec.pos, "addrs[" + std::to_string(i) + "]"),
                                       "uprobe address " + hex(spec.addrs[i]) + " in " + path + ": " + r.error().describe()));
      off = *r;
    }
    uint64_t ref = i < spec.ref_ctr_offsets.size() ? spec.ref_ctr_offsets[i] : 0;
    plan.render.offset = off;
    plan.render.ref_ctr_offset = ref;
    plan.enter.target.offset = off;
    plan.enter.target.ref_ctr_offset = ref;
    if (plan.exit) {
      plan.exit->target.offset = off;
      plan.exit->target.ref_ctr_offset = ref;
    }
    std::string where = path + ":" + (plan.render.symbol.empty() ? hex(off) : plan.render.symbol + " (" + hex(off) + ")");
    plan.mechanism = std::string(spec.return_probe ? "uprobe+uretprobe " : "uprobe ") + where;
    finish(p, spec, monitor, plan);
    out.hooks.push_back(std::move(plan));
  }
  return ok();
}

}  // namespace octagon::policy::detail
