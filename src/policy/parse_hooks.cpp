// spec.kprobes / fentries / tracepoints / uprobes / usdts / lsmhooks and their arguments.
#include <octagon/policy/numbers.h>
#include <octagon/policy/parse_internal.h>

#include <cctype>
#include <limits>

namespace octagon::policy::detail {
namespace {

constexpr int64_t kMaxIndex = std::numeric_limits<int32_t>::max();

const std::vector<std::string_view> kArgFields = {
    "index",   "type",  "resolve", "sizeArgIndex", "returnCopy",
    "maxData", "label", "source",  "btfType",      "btfTypeModule"};
const std::vector<std::string_view> kKprobeFields = {
    "call", "syscall",   "return",  "args", "returnArg", "returnArgAction",
    "data", "selectors", "message", "tags", "ignore"};
const std::vector<std::string_view> kTracepointFields = {"subsystem", "event",   "raw", "args",
                                                         "selectors", "message", "tags"};
const std::vector<std::string_view> kUprobeFields = {
    "path",      "symbols", "offsets",   "addrs",         "refCtrOffsets",
    "btfPath",   "return",  "returnArg", "args",          "data",
    "selectors", "message", "tags",      "binaryDigests", "ignore"};
const std::vector<std::string_view> kUsdtFields = {"path", "provider",  "name",    "btfPath",
                                                   "args", "selectors", "message", "tags"};
const std::vector<std::string_view> kLsmFields = {"hook", "args", "selectors", "message", "tags"};

// Appends `item` unless the list already holds `limit` entries.
template <typename T>
Result<void> push_limited(ParseContext& ctx, std::vector<T>& list, T item, size_t limit,
                          const SourcePos& pos, std::string_view what, std::string_view hint) {
  if (list.size() >= limit) {
    return ctx.fail(pos, "more than " + std::to_string(limit) + " " + std::string(what), hint);
  }
  list.push_back(std::move(item));
  return ok();
}

Result<void> parse_arg_list(MapReader& map, std::string_view key, ArgRole role, bool types,
                            std::vector<KProbeArg>& out) {
  return map.each(key, [&](const YAML::Node& n, SourcePos pos) -> Result<void> {
    OCTAGON_ASSIGN_OR_RETURN(KProbeArg arg, parse_arg(map.ctx(), n, pos, role, types));
    return push_limited(map.ctx(), out, std::move(arg), kMaxArgs, pos, "arguments",
                        "a hook reads at most 5 arguments (args and data together)");
  });
}

Result<std::optional<KProbeArg>> parse_return_arg(MapReader& map, bool return_probe) {
  if (!map.has("returnArg")) {
    if (return_probe) {
      return map.ctx().fail(map.field("returnArg"), "'return: true' needs a returnArg",
                            "add 'returnArg: {index: 0, type: int}'");
    }
    return std::optional<KProbeArg>();
  }
  OCTAGON_ASSIGN_OR_RETURN(
      KProbeArg ret,
      parse_arg(map.ctx(), map.node("returnArg"), map.field("returnArg"), ArgRole::kReturn, true));
  if (!return_probe) {
    map.ctx().warn(map.field("returnArg"), "ignored: the hook has no 'return: true'",
                   "add 'return: true' to read the return value");
  }
  return std::optional<KProbeArg>(std::move(ret));
}

Result<void> check_args_and_data(ParseContext& ctx, const std::vector<KProbeArg>& args,
                                 const std::vector<KProbeArg>& data, const SourcePos& hook) {
  if (args.size() + data.size() > kMaxArgs) {
    return ctx.fail(field_pos(hook, "data"),
                    "args and data hold " + std::to_string(args.size() + data.size()) +
                        " entries, more than 5",
                    "a hook reads at most 5 values (args and data together)");
  }
  return ok();
}

Result<KProbeSpec> parse_kprobe(ParseContext& ctx, const YAML::Node& node, SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kKprobeFields));
  KProbeSpec k;
  OCTAGON_ASSIGN_OR_RETURN(k.call, map.string("call", true,
                                              "name the kernel function, e.g. "
                                              "'call: sys_openat' or 'list:NAME'"));
  if (k.call.rfind("list:", 0) == 0)
    k.call_list = k.call.substr(5);
  OCTAGON_ASSIGN_OR_RETURN(k.syscall, map.boolean("syscall", true));
  OCTAGON_ASSIGN_OR_RETURN(k.return_probe, map.boolean("return", false));
  OCTAGON_TRY(parse_hook_common(map, k, true));
  OCTAGON_TRY(parse_arg_list(map, "data", ArgRole::kData, true, k.data));
  OCTAGON_TRY(check_args_and_data(ctx, k.args, k.data, map.pos()));
  OCTAGON_ASSIGN_OR_RETURN(k.return_arg, parse_return_arg(map, k.return_probe));
  OCTAGON_ASSIGN_OR_RETURN(std::string action, map.string("returnArgAction", false));
  if (action == "Post") {
    return ctx.fail(map.field("returnArgAction"), "'Post' is no longer a returnArgAction",
                    "the return value is posted anyway; remove the field");
  }
  std::optional<ReturnArgAction> ra = parse_enum<ReturnArgAction>(action);
  if (!ra) {
    return ctx.fail(map.field("returnArgAction"), "invalid value '" + action + "'",
                    suggest(action, {"TrackSock", "UntrackSock"}));
  }
  k.return_arg_action = *ra;
  if (map.has("ignore")) {
    OCTAGON_ASSIGN_OR_RETURN(
        MapReader ign,
        MapReader::open(ctx, map.node("ignore"), pos.path + ".ignore", {"callNotFound"}));
    OCTAGON_ASSIGN_OR_RETURN(k.ignore_call_not_found, ign.boolean("callNotFound", false));
  }
  k.pos = map.pos();
  return k;
}

Result<TracepointSpec> parse_tracepoint(ParseContext& ctx, const YAML::Node& node, SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kTracepointFields));
  TracepointSpec t;
  OCTAGON_ASSIGN_OR_RETURN(t.subsystem, map.string("subsystem", true,
                                                   "e.g. 'subsystem: raw_syscalls' (the "
                                                   "directory under /sys/kernel/tracing/events)"));
  OCTAGON_ASSIGN_OR_RETURN(t.event, map.string("event", true, "e.g. 'event: sys_enter'"));
  OCTAGON_ASSIGN_OR_RETURN(t.raw, map.boolean("raw", false));
  OCTAGON_TRY(parse_hook_common(map, t, false));
  t.pos = map.pos();
  return t;
}

Result<std::vector<uint64_t>> number_list(MapReader& map, std::string_view key) {
  OCTAGON_ASSIGN_OR_RETURN(std::vector<std::string> texts, map.strings(key));
  std::vector<uint64_t> out;
  for (size_t i = 0; i < texts.size(); ++i) {
    std::optional<uint64_t> v = parse_uint64(texts[i]);
    if (!v) {
      return map.ctx().fail(map.field(std::string(key) + "[" + std::to_string(i) + "]"),
                            "expected a non-negative integer, got '" + texts[i] + "'",
                            "write a decimal or 0x hex number");
    }
    out.push_back(*v);
  }
  return out;
}

Result<BinaryDigest> parse_digest(ParseContext& ctx, const std::string& text, SourcePos pos) {
  const size_t colon = text.find(':');
  const std::string algo = colon == std::string::npos ? "" : text.substr(0, colon);
  std::optional<DigestAlgorithm> a = parse_enum<DigestAlgorithm>(algo);
  if (!a) {
    return ctx.fail(pos, "invalid digest '" + text + "'",
                    "write <algorithm>:<hex> with sha1, sha256, sha384, sha512 or build-id");
  }
  BinaryDigest d{pos, *a, text.substr(colon + 1)};
  for (char& c : d.hex)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t want = *a == DigestAlgorithm::kSha1     ? 40
                      : *a == DigestAlgorithm::kSha256 ? 64
                      : *a == DigestAlgorithm::kSha384 ? 96
                      : *a == DigestAlgorithm::kSha512 ? 128
                                                       : 0;
  bool hex_ok = !d.hex.empty() && d.hex.size() % 2 == 0 && (want == 0 || d.hex.size() == want) &&
                d.hex.size() <= 128;
  for (char c : d.hex)
    hex_ok = hex_ok && std::isxdigit(static_cast<unsigned char>(c));
  if (!hex_ok) {
    return ctx.fail(pos, "invalid " + algo + " digest",
                    want ? "expected " + std::to_string(want) + " hex digits"
                         : std::string("expected an even number of hex digits (at most 128)"));
  }
  return d;
}

Result<UProbeSpec> parse_uprobe(ParseContext& ctx, const YAML::Node& node, SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kUprobeFields));
  UProbeSpec u;
  OCTAGON_ASSIGN_OR_RETURN(u.path, map.string("path", true,
                                              "the binary to probe, e.g. "
                                              "'path: /bin/bash'"));
  OCTAGON_ASSIGN_OR_RETURN(u.symbols, map.strings("symbols"));
  OCTAGON_ASSIGN_OR_RETURN(u.offsets, number_list(map, "offsets"));
  OCTAGON_ASSIGN_OR_RETURN(u.addrs, number_list(map, "addrs"));
  OCTAGON_ASSIGN_OR_RETURN(u.ref_ctr_offsets, number_list(map, "refCtrOffsets"));
  std::vector<std::string_view> given;
  for (std::string_view k : {"symbols", "offsets", "addrs"}) {
    if (map.has(k))
      given.push_back(k);
  }
  if (given.empty()) {
    return ctx.fail(map.pos(), "needs one of symbols, offsets or addrs",
                    "e.g. 'symbols: [readline]'");
  }
  if (given.size() > 1) {
    return ctx.fail(map.field(given[1]),
                    std::string(given[0]) + " and " + std::string(given[1]) +
                        " cannot be used together",
                    "give the probe points in exactly one of symbols, offsets or addrs");
  }
  const size_t points = u.symbols.size() + u.offsets.size() + u.addrs.size();
  if (!u.ref_ctr_offsets.empty() && u.ref_ctr_offsets.size() != points) {
    return ctx.fail(map.field("refCtrOffsets"),
                    "has " + std::to_string(u.ref_ctr_offsets.size()) + " entries for " +
                        std::to_string(points) + " probe points",
                    "give one reference counter offset per symbol or offset");
  }
  OCTAGON_ASSIGN_OR_RETURN(u.btf_path, map.string("btfPath", false));
  OCTAGON_ASSIGN_OR_RETURN(u.return_probe, map.boolean("return", false));
  OCTAGON_TRY(parse_hook_common(map, u, true));
  OCTAGON_TRY(parse_arg_list(map, "data", ArgRole::kData, true, u.data));
  OCTAGON_TRY(check_args_and_data(ctx, u.args, u.data, map.pos()));
  OCTAGON_ASSIGN_OR_RETURN(u.return_arg, parse_return_arg(map, u.return_probe));
  OCTAGON_ASSIGN_OR_RETURN(std::vector<std::string> digests, map.strings("binaryDigests"));
  for (size_t i = 0; i < digests.size(); ++i) {
    OCTAGON_ASSIGN_OR_RETURN(
        BinaryDigest d,
        parse_digest(ctx, digests[i], map.field("binaryDigests[" + std::to_string(i) + "]")));
    u.binary_digests.push_back(std::move(d));
  }
  if (map.has("ignore")) {
    OCTAGON_ASSIGN_OR_RETURN(MapReader ign,
                             MapReader::open(ctx, map.node("ignore"), pos.path + ".ignore",
                                             {"digestVerificationFailure"}));
    OCTAGON_ASSIGN_OR_RETURN(u.ignore_digest_verification_failure,
                             ign.boolean("digestVerificationFailure", false));
  }
  u.pos = map.pos();
  return u;
}

Result<UsdtSpec> parse_usdt(ParseContext& ctx, const YAML::Node& node, SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kUsdtFields));
  UsdtSpec u;
  OCTAGON_ASSIGN_OR_RETURN(u.path, map.string("path", true, "the binary holding the probe"));
  OCTAGON_ASSIGN_OR_RETURN(
      u.provider, map.string("provider", true, "the stapsdt provider, e.g. 'provider: test'"));
  OCTAGON_ASSIGN_OR_RETURN(u.name, map.string("name", true, "the probe name, e.g. 'name: usdt3'"));
  OCTAGON_ASSIGN_OR_RETURN(u.btf_path, map.string("btfPath", false));
  OCTAGON_TRY(parse_hook_common(map, u, false));
  u.pos = map.pos();
  return u;
}

Result<LsmHookSpec> parse_lsm(ParseContext& ctx, const YAML::Node& node, SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kLsmFields));
  LsmHookSpec l;
  OCTAGON_ASSIGN_OR_RETURN(l.hook, map.string("hook", true, "e.g. 'hook: file_open'"));
  if (l.hook.rfind("security_", 0) == 0) {
    return ctx.fail(map.field("hook"), "LSM hook names have no 'security_' prefix",
                    "write 'hook: " + l.hook.substr(9) + "'");
  }
  OCTAGON_TRY(parse_hook_common(map, l, true));
  l.pos = map.pos();
  return l;
}

template <typename T, typename F>
Result<void> parse_hook_list(MapReader& spec, std::string_view key, std::vector<T>& out, F parse) {
  return spec.each(key, [&](const YAML::Node& n, SourcePos pos) -> Result<void> {
    OCTAGON_ASSIGN_OR_RETURN(T hook, parse(spec.ctx(), n, pos));
    out.push_back(std::move(hook));
    return ok();
  });
}

} // namespace

Result<void> parse_hook_common(MapReader& map, HookCommon& hook, bool types_required) {
  ParseContext& ctx = map.ctx();
  OCTAGON_TRY(parse_arg_list(map, "args", ArgRole::kArg, types_required, hook.args));
  OCTAGON_TRY(map.each("selectors", [&](const YAML::Node& n, SourcePos pos) -> Result<void> {
    OCTAGON_ASSIGN_OR_RETURN(Selector s, parse_selector(ctx, n, pos, false));
    return push_limited(ctx, hook.selectors, std::move(s), kMaxSelectors, pos, "selectors",
                        "a hook has at most 5 selectors; merge some, or add a second hook");
  }));
  OCTAGON_ASSIGN_OR_RETURN(hook.message, map.string("message", false));
  if (hook.message.size() > kMaxMessageBytes) {
    return ctx.fail(map.field("message"),
                    "message is " + std::to_string(hook.message.size()) + " bytes long",
                    "keep it to at most 256 bytes");
  }
  OCTAGON_ASSIGN_OR_RETURN(hook.tags, map.strings("tags"));
  if (hook.tags.size() > kMaxTags) {
    return ctx.fail(map.field("tags[16]"), "more than 16 tags", "keep at most 16 tags per hook");
  }
  for (size_t i = 0; i < hook.tags.size(); ++i) {
    if (hook.tags[i].empty()) {
      return ctx.fail(map.field("tags[" + std::to_string(i) + "]"), "empty tag",
                      "remove it or give it a name");
    }
  }
  return ok();
}

Result<KProbeArg> parse_arg(ParseContext& ctx, const YAML::Node& node, SourcePos pos, ArgRole role,
                            bool type_required) {
  OCTAGON_ASSIGN_OR_RETURN(MapReader map, MapReader::open(ctx, node, pos.path, kArgFields));
  KProbeArg a;
  if (role != ArgRole::kReturn && !map.has("index")) {
    return ctx.fail(map.field("index"), "missing required field",
                    "give the argument's position, e.g. 'index: 0'");
  }
  OCTAGON_ASSIGN_OR_RETURN(std::optional<int64_t> index, map.integer("index", 0, kMaxIndex));
  a.index = static_cast<uint32_t>(index.value_or(0));
  OCTAGON_ASSIGN_OR_RETURN(a.type_name, map.string("type", false));
  if (a.type_name.empty())
    a.type_name = "auto";
  std::optional<ArgType> type = parse_enum<ArgType>(a.type_name);
  if (!type) {
    return ctx.fail(map.field("type"), "unknown argument type '" + a.type_name + "'",
                    suggest(a.type_name, enum_names<ArgType>()));
  }
  a.type = *type;
  if (type_required && a.type == ArgType::kAuto) {
    return ctx.fail(map.field("type"), "missing argument type",
                    "only tracepoints and USDTs infer types; write e.g. 'type: int'");
  }
  OCTAGON_ASSIGN_OR_RETURN(std::optional<int64_t> size_idx,
                           map.integer("sizeArgIndex", 0, kMaxIndex));
  a.size_arg_index = static_cast<uint32_t>(size_idx.value_or(0));
  if (a.size_arg_index != 0) {
    if (!is_buffer_type(a.type)) {
      return ctx.fail(map.field("sizeArgIndex"),
                      "only char_buf and char_iovec arguments have a size argument",
                      "remove sizeArgIndex or change the type");
    }
    if (a.size_arg_index > kMaxArgs) {
      return ctx.fail(map.field("sizeArgIndex"),
                      "sizeArgIndex " + std::to_string(a.size_arg_index) + " is out of range",
                      "it is 1-based: 1 names function argument 0, and at most 5 arguments "
                      "can be read");
    }
    if (a.size_arg_index == a.index + 1) {
      return ctx.fail(map.field("sizeArgIndex"), "the size argument is the buffer itself",
                      "sizeArgIndex is 1-based: the size of argument " + std::to_string(a.index) +
                          " in argument 2 is 'sizeArgIndex: 3'");
    }
  }
  OCTAGON_ASSIGN_OR_RETURN(a.return_copy, map.boolean("returnCopy", false));
  if (a.return_copy && (role != ArgRole::kArg || !is_buffer_type(a.type))) {
    return ctx.fail(map.field("returnCopy"),
                    "returnCopy applies to char_buf and char_iovec arguments only",
                    "remove returnCopy");
  }
  OCTAGON_ASSIGN_OR_RETURN(a.max_data, map.boolean("maxData", false));
  if (a.max_data && a.return_copy) {
    return ctx.fail(map.field("maxData"), "maxData cannot be combined with returnCopy",
                    "remove one of them");
  }
  if (a.max_data && a.type != ArgType::kCharBuf) {
    ctx.warn(map.field("maxData"), "ignored: maxData applies to char_buf arguments only");
  }
  OCTAGON_ASSIGN_OR_RETURN(std::string source, map.string("source", false));
  if (!source.empty() && role != ArgRole::kData) {
    return ctx.fail(map.field("source"), "only data[] entries have a source",
                    "move the entry to 'data:' or remove 'source'");
  }
  std::optional<DataSource> src = parse_enum<DataSource>(source);
  if (!src) {
    return ctx.fail(map.field("source"), "invalid source '" + source + "'",
                    suggest(source, {"current_task", "pt_regs"}));
  }
  a.source = *src;
  OCTAGON_ASSIGN_OR_RETURN(a.resolve, map.string("resolve", false));
  OCTAGON_ASSIGN_OR_RETURN(a.label, map.string("label", false));
  OCTAGON_ASSIGN_OR_RETURN(a.btf_type, map.string("btfType", false));
  OCTAGON_ASSIGN_OR_RETURN(a.btf_type_module, map.string("btfTypeModule", false));
  a.pos = map.pos();
  return a;
}

Result<void> parse_hooks(MapReader& spec, TracingPolicy& policy) {
  OCTAGON_TRY(parse_hook_list(spec, "kprobes", policy.kprobes, parse_kprobe));
  OCTAGON_TRY(parse_hook_list(spec, "fentries", policy.fentries, parse_kprobe));
  OCTAGON_TRY(parse_hook_list(spec, "tracepoints", policy.tracepoints, parse_tracepoint));
  OCTAGON_TRY(parse_hook_list(spec, "uprobes", policy.uprobes, parse_uprobe));
  OCTAGON_TRY(parse_hook_list(spec, "usdts", policy.usdts, parse_usdt));
  OCTAGON_TRY(parse_hook_list(spec, "lsmhooks", policy.lsmhooks, parse_lsm));
  return ok();
}

} // namespace octagon::policy::detail
