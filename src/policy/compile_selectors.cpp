#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

#include <octagon/policy/compile_internal.h>
#include <octagon/policy/net_values.h>
#include <octagon/policy/numbers.h>

namespace octagon::policy::detail {
namespace {

using events::KprobeAction;

Result<uint8_t> kernel_op(const TracingPolicy& p, const ArgFilter& f, bool is_string) {
  switch (f.op) {
    case ArgOperator::kEqual: return uint8_t(OCT_OP_EQ);
    case ArgOperator::kNotEqual: return uint8_t(OCT_OP_NEQ);
    case ArgOperator::kPrefix: return uint8_t(OCT_OP_PREFIX);
    case ArgOperator::kNotPrefix: return uint8_t(OCT_OP_NOTPREFIX);
    case ArgOperator::kPostfix: return uint8_t(OCT_OP_POSTFIX);
    case ArgOperator::kNotPostfix: return uint8_t(OCT_OP_NOTPOSTFIX);
    case ArgOperator::kGreaterThan: return uint8_t(OCT_OP_GT);
    case ArgOperator::kLessThan: return uint8_t(OCT_OP_LT);
    case ArgOperator::kMask: return uint8_t(OCT_OP_MASK);
    case ArgOperator::kInRange: return uint8_t(OCT_OP_INRANGE);
    case ArgOperator::kNotInRange: return uint8_t(OCT_OP_NOTINRANGE);
    case ArgOperator::kInMap: return uint8_t(OCT_OP_INMAP);
    case ArgOperator::kNotInMap: return uint8_t(OCT_OP_NOTINMAP);
    case ArgOperator::kSubString: return uint8_t(OCT_OP_SUBSTRING);
    case ArgOperator::kFileType: return uint8_t(OCT_OP_FILETYPE);
    case ArgOperator::kNotFileType: return uint8_t(OCT_OP_NOTFILETYPE);
    default: break;
  }
  (void)is_string;
  if (is_net_operator(f.op))  // arguments are compiled by compile_sockaddr_filter
    return make_error(policy_error(p, field_pos(f.pos, "operator"),
                                   "operator " + std::string(enum_name(f.op)) + " applies to sockaddr, sock, socket "
                                   "and skb arguments, not to return values"));
  return make_error(policy_error(p, field_pos(f.pos, "operator"),
                                 "operator " + std::string(enum_name(f.op)) +
                                     " is not supported by Octagon yet",
                                 "supported: Equal, NotEqual, Prefix, NotPrefix, Postfix, NotPostfix, "
                                 "GT, LT, Mask, InRange, NotInRange, InMap, NotInMap, SubString, FileType, NotFileType; "
                                 "SAddr, NotSAddr, SPort, NotSPort, SPortPriv, NotSPortPriv and Family on sockaddr; "
                                 "the network operators on sock, socket and skb"));
}

bool is_string_op(uint8_t op) {
  return op == OCT_OP_EQ || op == OCT_OP_NEQ || op == OCT_OP_PREFIX || op == OCT_OP_NOTPREFIX ||
         op == OCT_OP_POSTFIX || op == OCT_OP_NOTPOSTFIX || op == OCT_OP_SUBSTRING;
}

// FileType values: reg, dir, lnk, chr, blk, fifo, sock (or S_IFREG..., or the number).
std::optional<int64_t> file_type_value(std::string v) {
  static const std::pair<const char*, int64_t> kTypes[] = {
      {"reg", 0100000}, {"dir", 0040000}, {"lnk", 0120000}, {"chr", 0020000},
      {"blk", 0060000}, {"fifo", 0010000}, {"sock", 0140000}};
  for (char& c : v) c = char(tolower(static_cast<unsigned char>(c)));
  if (v.rfind("s_if", 0) == 0) v = v.substr(4);
  if (v == "ififo") v = "fifo";
  for (const auto& [name, mode] : kTypes)
    if (v == name) return mode;
  return std::nullopt;
}

// InMap / NotInMap: numbers, "min:max" ranges and "list:NAME" syscall lists become members of
// the set `set` in the hook's gen_inmap map.
Result<void> compile_set(const TracingPolicy& p, const ArgFilter& f, uint32_t set, KernelFacts& kernel,
                         std::vector<oct_gen_inmap_key>& inmap) {
  auto add = [&](uint64_t v, const SourcePos& vp) -> Result<void> {
    if (inmap.size() >= OCT_GEN_INMAP_MAX)
      return make_error(policy_error(p, vp, "more than " + std::to_string(OCT_GEN_INMAP_MAX) + " InMap values in one hook"));
    inmap.push_back({set, 0, v});
    return ok();
  };
  for (size_t i = 0; i < f.values.size(); i++) {
    const std::string& v = f.values[i];
    SourcePos vp = field_pos(f.pos, "values[" + std::to_string(i) + "]");
    if (v.rfind("list:", 0) == 0) {
      const ListSpec* l = find_list(p, v.substr(5));
      if (!l) return make_error(policy_error(p, vp, "no list " + v.substr(5)));
      if (l->type != ListType::kSyscalls && l->type != ListType::kGeneratedSyscalls)
        return make_error(policy_error(p, vp, "list " + l->name + " does not hold syscalls: InMap reads a list as syscall numbers",
                                       "give the list type syscalls or generated_syscalls"));
      OCTAGON_ASSIGN_OR_RETURN(std::vector<uint64_t> nrs, list_syscall_numbers(p, *l, kernel));
      for (uint64_t nr : nrs) OCTAGON_TRY(add(nr, vp));
    } else if (v.find(':') != std::string::npos) {
      auto r = parse_range(v, false);
      if (!r || r->max_unsigned - r->min_unsigned >= OCT_GEN_INMAP_MAX)
        return make_error(policy_error(p, vp, "'" + v + "' is not a range of at most " +
                                                  std::to_string(OCT_GEN_INMAP_MAX) + " values"));
      for (uint64_t x = r->min_unsigned; x <= r->max_unsigned; x++) OCTAGON_TRY(add(x, vp));
    } else {
      auto n = parse_int64(v);
      if (!n) return make_error(policy_error(p, vp, "'" + v + "' is not a number"));
      OCTAGON_TRY(add(uint64_t(*n), vp));
    }
  }
  return ok();
}

// InMap / NotInMap on a string argument: the values go to the hook's gen_binaries trie under
// set OCT_GEN_LPM_STRSET_BASE + set, each followed by a NUL (an exact match only).
Result<void> compile_string_set(const TracingPolicy& p, const ArgFilter& f, uint32_t set, bool buffer,
                                std::vector<oct_gen_lpm_key>* binaries) {
  if (!binaries)
    return make_error(policy_error(p, field_pos(f.pos, "operator"),
                                   "InMap on strings is not supported on this hook type"));
  if (buffer)
    return make_error(policy_error(p, field_pos(f.pos, "operator"),
                                   "InMap applies to strings, not to buffers (which may hold NUL bytes)"));
  if (f.values.empty())
    return make_error(policy_error(p, field_pos(f.pos, "values"), "needs at least one value"));
  for (size_t i = 0; i < f.values.size(); i++) {
    const std::string& v = f.values[i];
    SourcePos vp = field_pos(f.pos, "values[" + std::to_string(i) + "]");
    if (v.rfind("list:", 0) == 0)
      return make_error(policy_error(p, vp, "lists hold syscalls: they are InMap values of integer arguments only"));
    if (v.size() > OCT_GEN_LPM_DATA - 2)
      return make_error(policy_error(p, vp, "value is " + std::to_string(v.size()) + " bytes; InMap strings have at most " +
                                                std::to_string(OCT_GEN_LPM_DATA - 2)));
    if (binaries->size() >= OCT_GEN_BINARIES_MAX)
      return make_error(policy_error(p, vp, "more than " + std::to_string(OCT_GEN_BINARIES_MAX) +
                                                " InMap strings and binary paths in one hook"));
    oct_gen_lpm_key k{};
    k.prefixlen = uint32_t(v.size() + 2) * 8;
    k.data[0] = uint8_t(OCT_GEN_LPM_STRSET_BASE + set);
    memcpy(&k.data[1], v.data(), v.size());
    binaries->push_back(k);
  }
  return ok();
}

Result<void> compile_filter(const TracingPolicy& p, const ArgFilter& f, uint8_t arg, bool is_string,
                            bool is_fd, uint8_t path_str, KernelFacts& kernel, uint32_t set, oct_gen_filter& out,
                            std::vector<oct_gen_inmap_key>& inmap, bool buffer = false,
                            std::vector<oct_gen_lpm_key>* binaries = nullptr) {
  OCTAGON_ASSIGN_OR_RETURN(uint8_t op, kernel_op(p, f, is_string));
  out.arg = arg;
  out.op = op;
  out.is_string = is_string;
  // Path arguments (fd, file, path...): string operators compare the path, joined root first
  // in the kernel as the event shows it (lib/filter/path_match.bpf.h).
  if (is_fd && path_str && op != OCT_OP_FILETYPE && op != OCT_OP_NOTFILETYPE) {
    if (op == OCT_OP_SUBSTRING || !is_string_op(op))
      return make_error(policy_error(p, field_pos(f.pos, "operator"),
                                     std::string(enum_name(f.op)) + " does not apply to path arguments",
                                     "use Equal, NotEqual, Prefix, NotPrefix, Postfix or NotPostfix"));
    is_string = true;
    out.is_string = path_str;
  }
  if (op == OCT_OP_INMAP || op == OCT_OP_NOTINMAP) {
    if (is_string) {
      out.set = set;
      out.nvals = 1;
      return compile_string_set(p, f, set, buffer, binaries);
    }
    out.set = set;
    out.nvals = 1;
    return compile_set(p, f, set, kernel, inmap);
  }
  if (op == OCT_OP_FILETYPE || op == OCT_OP_NOTFILETYPE) {
    if (!is_fd)
      return make_error(policy_error(p, field_pos(f.pos, "operator"),
                                     std::string(enum_name(f.op)) + " applies to fd arguments only here"));
    if (f.values.empty() || f.values.size() > OCT_GEN_MAX_VALUES)
      return make_error(policy_error(p, field_pos(f.pos, "values"), "needs 1 to 4 file types"));
    for (size_t i = 0; i < f.values.size(); i++) {
      auto mode = file_type_value(f.values[i]);
      if (!mode)
        return make_error(policy_error(p, field_pos(f.pos, "values[" + std::to_string(i) + "]"),
                                       "unknown file type '" + f.values[i] + "'",
                                       "one of reg, dir, lnk, chr, blk, fifo, sock"));
      out.ivals[2 * i] = *mode;
    }
    out.is_string = 0;
    out.nvals = uint8_t(f.values.size());
    return ok();
  }
  if (op == OCT_OP_SUBSTRING && !is_string)
    return make_error(policy_error(p, field_pos(f.pos, "operator"), "SubString applies to string arguments"));
  if (op == OCT_OP_SUBSTRING) {
    for (size_t i = 0; i < f.values.size(); i++)
      if (f.values[i].empty())
        return make_error(policy_error(p, field_pos(f.pos, "values[" + std::to_string(i) + "]"),
                                       "an empty SubString value matches everything", "remove it"));
  }
  if (is_string && !is_string_op(op))
    return make_error(policy_error(p, field_pos(f.pos, "operator"),
                                   std::string(enum_name(f.op)) + " compares numbers, but this argument is a string"));
  if (f.values.empty() || f.values.size() > OCT_GEN_MAX_VALUES)
    return make_error(policy_error(p, field_pos(f.pos, "values"),
                                   "needs 1 to " + std::to_string(OCT_GEN_MAX_VALUES) + " values, has " +
                                       std::to_string(f.values.size())));
  for (size_t i = 0; i < f.values.size(); i++) {
    const std::string& v = f.values[i];
    SourcePos vp = field_pos(f.pos, "values[" + std::to_string(i) + "]");
    if (v.rfind("list:", 0) == 0)
      return make_error(policy_error(p, vp, "only InMap and NotInMap take list values, not " + std::string(enum_name(f.op)),
                                     "use operator InMap (or NotInMap) with \"" + v + "\""));
    if (is_string) {
      if (v.size() > OCT_GEN_STR_MAX)
        return make_error(policy_error(p, vp, "value is " + std::to_string(v.size()) + " bytes; at most " +
                                                  std::to_string(OCT_GEN_STR_MAX) + " are compared in the kernel"));
      out.slen[i] = uint16_t(v.size());
      memcpy(out.svals[i], v.data(), v.size());
    } else if (op == OCT_OP_INRANGE || op == OCT_OP_NOTINRANGE) {
      auto r = parse_range(v, true);
      if (!r) return make_error(policy_error(p, vp, "'" + v + "' is not a range min:max"));
      out.ivals[2 * i] = r->min_signed;
      out.ivals[2 * i + 1] = r->max_signed;
    } else {
      auto n = parse_int64(v);
      if (!n) {
        auto u = parse_uint64(v);
        if (!u) return make_error(policy_error(p, vp, "'" + v + "' is not a number"));
        n = static_cast<int64_t>(*u);
      }
      out.ivals[2 * i] = *n;
    }
  }
  out.nvals = uint8_t(f.values.size());
  return ok();
}

}  // namespace

Result<void> compile_selectors(const TracingPolicy& p, const HookCommon& hook,
                               const std::vector<ArgSlot>& slots, bool has_return,
                               KernelFacts& kernel, oct_gen_config& cfg, HookRender& render,
                               std::vector<oct_gen_inmap_key>& inmap,
                               std::vector<oct_gen_lpm_key>* binaries) {
  cfg.nselectors = uint8_t(hook.selectors.size());
  render.selector_actions.clear();
  render.selectors.clear();
  for (size_t si = 0; si < hook.selectors.size(); si++) {
    const Selector& s = hook.selectors[si];
    oct_gen_selector& out = cfg.selectors[si];
    auto unsupported = [&](bool present, const char* field) -> Result<void> {
      if (!present) return ok();
      return make_error(policy_error(p, field_pos(s.pos, field),
                                     std::string(field) + " is not supported by Octagon yet"));
    };
    OCTAGON_TRY(unsupported(!s.match_workloads.empty(), "matchWorkloads"));
    OCTAGON_TRY(unsupported(!s.match_return_actions.empty(), "matchReturnActions"));
    OCTAGON_TRY(compile_process_filters(p, s, si, kernel, cfg, binaries));
    size_t nf = s.match_args.size() + s.match_data.size() + s.match_return_args.size();
    if (nf > OCT_GEN_MAX_FILTERS)
      return make_error(policy_error(p, s.pos, "at most 5 matchArgs, matchData and matchReturnArgs per selector"));
    // matchData targets are positions in data[], whose slots follow the hook's args.
    std::vector<std::pair<const ArgFilter*, size_t>> arg_filters;
    for (const ArgFilter& f : s.match_args) arg_filters.push_back({&f, 0});
    for (const ArgFilter& f : s.match_data) arg_filters.push_back({&f, hook.args.size()});
    for (const auto& [fp, base] : arg_filters) {
      const ArgFilter& f = *fp;
      for (const std::string& v : f.values) {
        const ListSpec* l = v.rfind("list:", 0) == 0 ? find_list(p, v.substr(5)) : nullptr;
        std::string note = l ? list_i386_note(p, *l) : "";
        if (!note.empty() && std::find(render.notes.begin(), render.notes.end(), note) == render.notes.end())
          render.notes.push_back(note);
      }
      if (f.targets.size() != 1)
        return make_error(policy_error(p, f.pos, "a filter on several args is not supported yet"));
      uint32_t t = uint32_t(base + f.targets[0]);
      if (t >= slots.size())
        return make_error(policy_error(p, f.pos, base ? "no such data entry on this hook" : "no such argument"));
      uint32_t set = uint32_t(si * OCT_GEN_MAX_FILTERS + out.nfilters);
      if (!slots[t].no_filters.empty())
        return make_error(policy_error(p, f.pos, std::string(base ? "matchData" : "matchArgs") + " on " +
                                                     slots[t].no_filters + " is not supported by Octagon yet",
                                       "filter on an integer or string field of it, captured with resolve:"));
      uint8_t path_str = slots[t].kind == OCT_GA_FD ? OCT_GEN_STR_PATH : OCT_GEN_STR_FILE;
      bool buffer = slots[t].kind == OCT_GA_BUF_USER || slots[t].kind == OCT_GA_IOVEC ||
                    slots[t].kind == OCT_GA_BUF_RET;
      if (is_net_operator(f.op) || slots[t].kind == OCT_GA_SOCKADDR || !slots[t].net_type.empty()) {
        OCTAGON_TRY(compile_sockaddr_filter(p, f, uint8_t(t), slots[t], set, out.filters[out.nfilters++], inmap,
                                            binaries));
        continue;
      }
      OCTAGON_TRY(compile_filter(p, f, uint8_t(t), slots[t].is_string, slots[t].is_fd, path_str, kernel, set,
                                 out.filters[out.nfilters++], inmap, buffer, binaries));
    }
    for (const ArgFilter& f : s.match_return_args) {
      if (!has_return)
        return make_error(policy_error(p, f.pos, "matchReturnArgs needs return: true and a returnArg"));
      uint32_t set = uint32_t(si * OCT_GEN_MAX_FILTERS + out.nfilters);
      OCTAGON_TRY(compile_filter(p, f, OCT_GEN_RET_ARG, false, false, 0, kernel, set,
                                 out.filters[out.nfilters++], inmap));
    }
    OCTAGON_TRY(compile_actions(p, s, out, render));
  }
  return ok();
}

}  // namespace octagon::policy::detail
