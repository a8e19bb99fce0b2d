// matchActions[] / matchReturnActions[] entries.
#include <octagon/policy/numbers.h>
#include <octagon/policy/parse_internal.h>

#include <cctype>
#include <limits>

namespace octagon::policy::detail {
namespace {

constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kMaxSignal = 64; // SIGRTMAX

const std::vector<std::string_view> kActionFields = {
    "action",         "argError",     "argSig",    "argSock",        "argIndex",
    "argValue",       "argUrl",       "argFqdn",   "argRegs",        "argNewSymbol",
    "argNewAddr",     "argNewOffset", "rateLimit", "rateLimitScope", "kernelStackTrace",
    "userStackTrace", "imaHash"};
constexpr std::string_view kFdRemoved =
    "FollowFD, UnfollowFD and CopyFD were removed from Tetragon: an argument of type fd now "
    "resolves to its path by itself; remove this field";
constexpr std::string_view kFdActionRemoved =
    "Tetragon removed it: an argument of type fd now resolves to its path by itself; remove "
    "this action";
const std::vector<RetiredField> kRetiredActionFields = {{"argFd", kFdRemoved},
                                                        {"argName", kFdRemoved}};

// Which actions use each parameter; a parameter given to another action is reported.
struct ParamUse {
  std::string_view field;
  std::vector<ActionType> actions;
};
const std::vector<ParamUse> kParamUse = {
    {"argError", {ActionType::kOverride, ActionType::kNotifyEnforcer}},
    {"argSig", {ActionType::kSignal, ActionType::kNotifyEnforcer}},
    {"argSock", {ActionType::kTrackSock, ActionType::kUntrackSock}},
    {"argIndex", {ActionType::kSet}},
    {"argValue", {ActionType::kSet}},
    {"argUrl", {ActionType::kGetUrl}},
    {"argFqdn", {ActionType::kDnsLookup}},
    {"argRegs", {ActionType::kOverride}},
    {"argNewSymbol", {ActionType::kOverride}},
    {"argNewAddr", {ActionType::kOverride}},
    {"argNewOffset", {ActionType::kOverride}},
    {"rateLimit", {ActionType::kPost}},
    {"rateLimitScope", {ActionType::kPost}},
    {"kernelStackTrace", {ActionType::kPost}},
    {"userStackTrace", {ActionType::kPost}},
    {"imaHash", {ActionType::kPost}},
};

// Tetragon matches action names without regard to case ("sigkill" is Sigkill).
Result<ActionType> action_type(MapReader& map) {
  OCTAGON_ASSIGN_OR_RETURN(std::string text, map.string("action", true, "e.g. 'action: Post'"));
  std::string lower;
  for (char c : text)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "followfd" || lower == "unfollowfd" || lower == "copyfd") {
    return map.ctx().fail(map.field("action"), "action '" + text + "' was removed",
                          kFdActionRemoved);
  }
  for (const auto& s : enum_spellings<ActionType>()) {
    std::string name(s.name);
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == lower)
      return s.value;
  }
  return map.ctx().fail(map.field("action"), "unknown action '" + text + "'",
                        suggest(text, enum_names<ActionType>()));
}

Result<void> check_param_use(MapReader& map, const Action& a) {
  for (const ParamUse& use : kParamUse) {
    if (!map.has(use.field))
      continue;
    bool used = false;
    for (ActionType t : use.actions)
      used = used || t == a.type;
    if (!used) {
      std::string users;
      for (ActionType t : use.actions) {
        users += (users.empty() ? "" : " and ") + std::string(enum_name(t));
      }
      map.ctx().warn(map.field(use.field),
                     "ignored: action " + std::string(enum_name(a.type)) + " does not use " +
                         std::string(use.field),
                     "only " + users + " use it");
    }
  }
  return ok();
}

Result<void> check_required(MapReader& map, const Action& a) {
  ParseContext& ctx = map.ctx();
  auto missing = [&](std::string_view field, std::string_view hint) {
    return ctx.fail(map.field(field),
                    "action " + std::string(enum_name(a.type)) + " needs " + std::string(field),
                    hint);
  };
  switch (a.type) {
  case ActionType::kSignal:
    if (!a.arg_sig)
      return missing("argSig", "give the signal number, e.g. 'argSig: 9'");
    if (*a.arg_sig == 0) {
      return ctx.fail(map.field("argSig"), "signal 0 sends nothing", "use a signal from 1 to 64");
    }
    break;
  case ActionType::kGetUrl:
    if (a.arg_url.empty())
      return missing("argUrl", "give the URL to fetch");
    break;
  case ActionType::kDnsLookup:
    if (a.arg_fqdn.empty())
      return missing("argFqdn", "give the name to look up");
    break;
  default:
    break;
  }
  const int redirects =
      (a.arg_new_symbol.empty() ? 0 : 1) + (a.arg_new_addr ? 1 : 0) + (a.arg_new_offset ? 1 : 0);
  if (redirects > 1) {
    return ctx.fail(map.pos(), "argNewSymbol, argNewAddr and argNewOffset are exclusive",
                    "give the new target in exactly one of them");
  }
  if (map.has("rateLimitScope") && !a.rate_limit) {
    return ctx.fail(map.field("rateLimitScope"), "rateLimitScope without rateLimit",
                    "add a rateLimit, e.g. 'rateLimit: 1m'");
  }
  return ok();
}

} // namespace

Result<Action> parse_action(ParseContext& ctx, const YAML::Node& node, SourcePos pos) {
  OCTAGON_ASSIGN_OR_RETURN(
      MapReader map, MapReader::open(ctx, node, pos.path, kActionFields, kRetiredActionFields));
  Action a;
  OCTAGON_ASSIGN_OR_RETURN(a.type, action_type(map));
  OCTAGON_ASSIGN_OR_RETURN(std::optional<int64_t> err,
                           map.integer("argError", kInt32Min, kInt32Max));
  if (err)
    a.arg_error = static_cast<int32_t>(*err);
  OCTAGON_ASSIGN_OR_RETURN(std::optional<int64_t> sig, map.integer("argSig", 0, kMaxSignal));
  if (sig)
    a.arg_sig = static_cast<uint32_t>(*sig);
  OCTAGON_ASSIGN_OR_RETURN(std::optional<int64_t> sock, map.integer("argSock", 0, kInt32Max));
  if (sock)
    a.arg_sock = static_cast<uint32_t>(*sock);
  OCTAGON_ASSIGN_OR_RETURN(std::optional<int64_t> idx, map.integer("argIndex", 0, kInt32Max));
  if (idx)
    a.arg_index = static_cast<uint32_t>(*idx);
  OCTAGON_ASSIGN_OR_RETURN(std::optional<int64_t> val,
                           map.integer("argValue", kInt32Min, kInt32Max));
  if (val)
    a.arg_value = static_cast<int32_t>(*val);
  OCTAGON_ASSIGN_OR_RETURN(a.arg_url, map.string("argUrl", false));
  OCTAGON_ASSIGN_OR_RETURN(a.arg_fqdn, map.string("argFqdn", false));
  OCTAGON_ASSIGN_OR_RETURN(a.arg_regs, map.strings("argRegs"));
  OCTAGON_ASSIGN_OR_RETURN(a.arg_new_symbol, map.string("argNewSymbol", false));
  OCTAGON_ASSIGN_OR_RETURN(a.arg_new_addr, map.unsigned_integer("argNewAddr"));
  OCTAGON_ASSIGN_OR_RETURN(a.arg_new_offset, map.unsigned_integer("argNewOffset"));
  OCTAGON_ASSIGN_OR_RETURN(std::string rate, map.string("rateLimit", false));
  if (map.has("rateLimit")) {
    a.rate_limit = parse_rate_limit(rate);
    if (!a.rate_limit) {
      return ctx.fail(map.field("rateLimit"), "invalid rateLimit '" + rate + "'",
                      "write a positive number of seconds ('30' or '30s'), minutes ('1m') or "
                      "hours ('2h')");
    }
  }
  OCTAGON_ASSIGN_OR_RETURN(std::optional<RateLimitScope> scope,
                           map.enumerated<RateLimitScope>("rateLimitScope"));
  a.rate_limit_scope = scope.value_or(RateLimitScope::kThread);
  OCTAGON_ASSIGN_OR_RETURN(a.kernel_stack_trace, map.boolean("kernelStackTrace", false));
  OCTAGON_ASSIGN_OR_RETURN(a.user_stack_trace, map.boolean("userStackTrace", false));
  OCTAGON_ASSIGN_OR_RETURN(a.ima_hash, map.boolean("imaHash", false));
  OCTAGON_TRY(check_required(map, a));
  OCTAGON_TRY(check_param_use(map, a));
  a.pos = map.pos();
  return a;
}

} // namespace octagon::policy::detail
