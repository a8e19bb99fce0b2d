// usdts: entries -> one uprobe hook plan per probe site of provider:name. Each site's stapsdt
// argument spec says where its arguments are; a site with a semaphore attaches with its file
// offset as ref_ctr_offset, so the kernel counts the probe as enabled while it is attached.
#include <cstdio>

#include <octagon/elf/usdt_args.h>
#include <octagon/policy/compile_internal.h>

#include "compile_user.h"

namespace octagon::policy::detail {
namespace {

using events::Argument;

// The plan argument for USDT argument `u` read as policy argument `a`.
Result<void> usdt_arg(const TracingPolicy& p, const KProbeArg& a, const elf::UsdtArg& u,
                      oct_gen_arg& out, ArgRender& render, ArgSlot& slot) {
  OCTAGON_TRY(refuse_arg_extras(p, a));
  out.size = u.size;
  out.is_signed = u.is_signed;
  out.offset = u.regs_offset;
  switch (u.kind) {
    case elf::UsdtArg::Kind::kRegister: out.kind = OCT_GA_INT; break;
    case elf::UsdtArg::Kind::kMemory: out.kind = OCT_GA_USER_DEREF; out.imm = u.value; break;
    case elf::UsdtArg::Kind::kConstant: out.kind = OCT_GA_CONST; out.imm = u.value; break;
  }
  ArgType t = a.type;
  if (t == ArgType::kAuto) {  // from the note: size and signedness
    if (u.size == 8) t = u.is_signed ? ArgType::kSint64 : ArgType::kUint64;
    else t = u.is_signed ? ArgType::kInt : ArgType::kUint32;
  }
  if (auto r = integer_render(t, a.label)) {
    render = *r;
  } else if ((t == ArgType::kString || t == ArgType::kFilename) &&
             u.kind == elf::UsdtArg::Kind::kRegister && u.size == 8) {
    out.kind = OCT_GA_STR_USER;
    out.max_data = OCT_GEN_ARG_MAX;
    render = {Argument::Kind::kString, 8, false, false, a.label};
    slot.is_string = true;
  } else {
    return make_error(policy_error(p, field_pos(a.pos, "type"),
                                   "argument type " + a.type_name + " cannot be read from USDT argument '" +
                                       u.text + "'",
                                   "USDT arguments are integers; string works for a pointer held in a register"));
  }
  slot.kind = out.kind;
  return ok();
}

std::string hex(uint64_t v) {
  char b[32];
  snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

Result<void> compile_usdt(const TracingPolicy& p, const UsdtSpec& spec, KernelFacts& kernel,
                          bool monitor, CompiledPolicy& out) {
  if (!spec.btf_path.empty())
    return make_error(policy_error(p, field_pos(spec.pos, "btfPath"), "btfPath is not supported by Octagon yet"));
  BinaryFacts* bin = kernel.binaries();
  if (!bin) return make_error(policy_error(p, spec.pos, "this host cannot read binaries for usdts"));
  const std::string path = host_path(spec.path);
  OCTAGON_TRY(check_binary(p, spec.pos, path, *bin));
  auto all = bin->usdt_probes(path);
  if (!all)
    return make_error(policy_error(p, field_pos(spec.pos, "path"), "cannot read the USDT notes of " + path + ": " +
                                                                       all.error().describe()));
  std::vector<UsdtProbe> sites;
  std::string known;
  for (const UsdtProbe& u : *all) {
    if (u.provider == spec.provider && u.name == spec.name) sites.push_back(u);
    else if (known.size() < 200) known += (known.empty() ? "" : ", ") + u.provider + ":" + u.name;
  }
  if (sites.empty())
    return make_error(policy_error(p, field_pos(spec.pos, "name"),
                                   "no USDT probe " + spec.provider + ":" + spec.name + " in " + path,
                                   known.empty() ? "the binary has no stapsdt notes" : "it has: " + known));

  for (const UsdtProbe& site : sites) {
    auto parsed = elf::parse_usdt_args(site.args);
    if (!parsed)
      return make_error(policy_error(p, field_pos(spec.pos, "name"),
                                     spec.provider + ":" + spec.name + " at " + hex(site.offset) + ": " +
                                         parsed.error().message()));
    HookPlan plan;
    plan.render.kind = EventKind::kUsdt;
    plan.render.path = spec.path;
    plan.render.provider = spec.provider;
    plan.render.probe_name = spec.name;
    plan.render.offset = site.offset;
    plan.enter.target.kind = AttachTarget::Kind::kUprobe;
    plan.enter.target.binary = path;
    plan.enter.target.offset = site.offset;
    plan.enter.target.ref_ctr_offset = site.semaphore_offset;
    plan.enter.config.nargs = uint8_t(spec.args.size());
    std::vector<ArgSlot> slots;
    for (size_t i = 0; i < spec.args.size(); i++) {
      const KProbeArg& a = spec.args[i];
      if (a.index >= parsed->size())
        return make_error(policy_error(p, field_pos(a.pos, "index"),
                                       "USDT probe " + spec.provider + ":" + spec.name + " has " +
                                           std::to_string(parsed->size()) + " arguments, index " +
                                           std::to_string(a.index) + " is past them"));
      ArgRender r;
      ArgSlot s;
      OCTAGON_TRY(usdt_arg(p, a, (*parsed)[a.index], plan.enter.config.args[i], r, s));
      plan.render.args.push_back(r);
      slots.push_back(s);
    }
    OCTAGON_TRY(compile_selectors(p, spec, slots, false, kernel, plan.enter.config, plan.render,
                                  plan.enter.inmap));
    plan.mechanism = "usdt " + spec.provider + ":" + spec.name + " uprobe " + path + ":" + hex(site.offset) +
                     (site.semaphore_offset ? " semaphore " + hex(site.semaphore_offset) : "");
    finish(p, spec, monitor, plan);
    out.hooks.push_back(std::move(plan));
  }
  return ok();
}

}  // namespace octagon::policy::detail
