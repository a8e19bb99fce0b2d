// Operator-versus-type and value-syntax checks of matchArgs / matchData / matchReturnArgs.
// Where the type is `auto` (tracepoints), only checks that do not depend on it are made; the
// compiler repeats them once the tracefs format is known.
#include <octagon/policy/net_values.h>
#include <octagon/policy/numbers.h>
#include <octagon/policy/parse_internal.h>

#include <cctype>

namespace octagon::policy::detail {
namespace {

using AO = ArgOperator;

enum class Family { kInt, kString, kPath, kNet, kSockaddr, kSockaddrUn, kNone, kUnknown };

Family family_of(ArgType t) {
  if (t == ArgType::kAuto)
    return Family::kUnknown;
  if (is_integer_type(t))
    return Family::kInt;
  if (is_string_type(t))
    return Family::kString;
  if (is_path_type(t))
    return Family::kPath;
  switch (t) {
  case ArgType::kSock:
  case ArgType::kSocket:
  case ArgType::kSkb:
    return Family::kNet;
  case ArgType::kSockaddr:
    return Family::kSockaddr;
  case ArgType::kSockaddrUn:
    return Family::kSockaddrUn;
  default:
    return Family::kNone;
  }
}

bool is_port_op(AO op) {
  return op == AO::kSPort || op == AO::kNotSPort || op == AO::kDPort || op == AO::kNotDPort;
}
bool is_priv_op(AO op) {
  return op == AO::kSPortPriv || op == AO::kNotSPortPriv || op == AO::kDPortPriv ||
         op == AO::kNotDPortPriv;
}
bool is_addr_op(AO op) {
  return op == AO::kSAddr || op == AO::kNotSAddr || op == AO::kDAddr || op == AO::kNotDAddr;
}
bool is_dest_op(AO op) {
  return op == AO::kDAddr || op == AO::kNotDAddr || op == AO::kDPort || op == AO::kNotDPort ||
         op == AO::kDPortPriv || op == AO::kNotDPortPriv;
}
bool is_prefix_op(AO op) {
  return op == AO::kPrefix || op == AO::kNotPrefix || op == AO::kPostfix || op == AO::kNotPostfix;
}

// Whether operator `op` applies to arguments of family `f` (reference sections 1.5 and 1.6).
bool applies(AO op, Family f, ArgType t) {
  if (op == AO::kCelExpr || f == Family::kUnknown)
    return true;
  switch (f) {
  case Family::kInt:
    if (op == AO::kCapabilitiesGained) {
      return t == ArgType::kKernelCapT || t == ArgType::kCapInheritable ||
             t == ArgType::kCapPermitted || t == ArgType::kCapEffective;
    }
    return op == AO::kEqual || op == AO::kNotEqual || op == AO::kMask || op == AO::kGreaterThan ||
           op == AO::kLessThan || op == AO::kInRange || op == AO::kNotInRange || op == AO::kInMap ||
           op == AO::kNotInMap;
  case Family::kString:
    return op == AO::kEqual || op == AO::kNotEqual || is_prefix_op(op) || op == AO::kSubString ||
           op == AO::kSubStringIgnCase;
  case Family::kPath:
    if (op == AO::kFileType || op == AO::kNotFileType) {
      return t == ArgType::kFd || t == ArgType::kFile || t == ArgType::kPath;
    }
    return op == AO::kEqual || op == AO::kNotEqual || is_prefix_op(op);
  case Family::kNet:
    if (op == AO::kFamily || op == AO::kState)
      return t != ArgType::kSkb;
    return is_addr_op(op) || is_port_op(op) || is_priv_op(op) || op == AO::kProtocol;
  case Family::kSockaddr: // a socket address is one endpoint: no D* operators
    return ((is_addr_op(op) || is_port_op(op) || is_priv_op(op)) && !is_dest_op(op)) ||
           op == AO::kFamily;
  case Family::kSockaddrUn:
    return op == AO::kEqual || op == AO::kNotEqual || op == AO::kPrefix || op == AO::kNotPrefix ||
           op == AO::kFamily;
  default:
    return false;
  }
}

} // namespace

Result<void> validate_filter_values(ParseContext& ctx, const TracingPolicy& policy,
                                    const ArgFilter& f, const KProbeArg* target) {
  const ArgType type = target != nullptr ? target->type : ArgType::kAuto;
  const Family fam = family_of(type);
  const SourcePos op_pos = field_pos(f.pos, "operator");
  const std::string op_name(enum_name(f.op));
  if (!applies(f.op, fam, type)) {
    if ((fam == Family::kSockaddr || fam == Family::kSockaddrUn) && is_net_operator(f.op)) {
      if (auto why = sockaddr_refusal(f.op, fam == Family::kSockaddrUn))
        return ctx.fail(op_pos, why->problem, why->hint);
    }
    if (fam == Family::kNone) {
      return ctx.fail(op_pos, "arguments of type " + target->type_name + " cannot be filtered",
                      "filter on a field of it instead, with 'resolve' and that field's type");
    }
    return ctx.fail(
        op_pos, "operator " + op_name + " does not apply to " + target->type_name + " arguments",
        fam == Family::kInt      ? "integers take Equal, NotEqual, Mask, GT, LT, "
                                   "InRange, NotInRange, InMap and NotInMap"
        : fam == Family::kString ? "strings take Equal, NotEqual, Prefix, Postfix "
                                   "(and Not*), SubString and SubStringIgnCase"
        : fam == Family::kPath   ? "paths take Equal, NotEqual, Prefix, Postfix (and "
                                   "Not*), and FileType for file and path"
        : fam == Family::kSockaddr ? "sockaddr arguments take SAddr, NotSAddr, SPort, NotSPort, "
                                     "SPortPriv, NotSPortPriv and Family"
                                 : "see the operators of this type in the reference");
  }
  if (f.values.empty() && !is_priv_op(f.op)) {
    return ctx.fail(field_pos(f.pos, "values"), "operator " + op_name + " needs values",
                    "list the values to compare with");
  }
  const bool numeric = fam == Family::kInt || f.op == AO::kMask || f.op == AO::kGreaterThan ||
                       f.op == AO::kLessThan || f.op == AO::kInRange || f.op == AO::kNotInRange;
  for (size_t i = 0; i < f.values.size(); ++i) {
    const std::string& v = f.values[i];
    const SourcePos at = field_pos(f.pos, "values[" + std::to_string(i) + "]");
    auto bad = [&](std::string_view expected, std::string_view hint) {
      return ctx.fail(at, "expected " + std::string(expected) + ", got '" + v + "'", hint);
    };
    if (f.op != AO::kInMap && f.op != AO::kNotInMap && v.rfind("list:", 0) == 0) {
      return ctx.fail(at, "only InMap and NotInMap take list values, not " + op_name,
                      "use operator InMap (or NotInMap) with '" + v + "'");
    }
    if (f.op == AO::kCelExpr || f.op == AO::kFileType || f.op == AO::kNotFileType ||
        f.op == AO::kCapabilitiesGained) {
      continue; // checked by the compiler (CEL syntax, file type and capability names)
    }
    if ((f.op == AO::kInMap || f.op == AO::kNotInMap) && v.rfind("list:", 0) == 0) {
      const ListSpec* list = find_list(policy, v.substr(5));
      if (list == nullptr) {
        std::vector<std::string_view> names;
        for (const ListSpec& l : policy.lists)
          names.push_back(l.name);
        return ctx.fail(at, "list '" + v.substr(5) + "' is not defined",
                        names.empty() ? std::string("define it under spec.lists")
                                      : suggest(v.substr(5), names));
      }
      if (list->type != ListType::kSyscalls && list->type != ListType::kGeneratedSyscalls) {
        return ctx.fail(at, "list '" + list->name + "' does not hold syscalls",
                        "InMap reads a list as syscall numbers: give it 'type: syscalls'");
      }
      continue;
    }
    if (f.op == AO::kInRange || f.op == AO::kNotInRange) {
      if (!parse_range(v, true) && !parse_range(v, false)) {
        return bad("a range 'min:max'", "both ends are numbers and min <= max, e.g. '100:200'");
      }
    } else if (is_addr_op(f.op) || is_port_op(f.op) || f.op == AO::kFamily || f.op == AO::kProtocol ||
               f.op == AO::kState) {
      NetValueError err;
      const bool good = is_addr_op(f.op)            ? parse_cidr(v, err).has_value()
                        : is_port_op(f.op)          ? parse_port(v, err).has_value()
                        : f.op == AO::kProtocol     ? parse_protocol(v, err).has_value()
                        : f.op == AO::kState        ? parse_tcp_state(v, err).has_value()
                                                    : parse_family(v, err).has_value();
      if (!good)
        return ctx.fail(at, err.problem, err.hint);
    } else if (is_priv_op(f.op)) {
      return ctx.fail(field_pos(f.pos, "values"), op_name + " takes no values (ports 0-1023)",
                      "remove the values, or use SPort with a range");
    } else if (numeric && f.op != AO::kInMap && f.op != AO::kNotInMap) {
      if (!parse_int64(v) && !parse_uint64(v)) {
        return bad("a number", "write a decimal, 0x hex or 0-prefixed octal number");
      }
    } else if (numeric) { // InMap / NotInMap on integers: numbers or ranges
      if (!parse_int64(v) && !parse_uint64(v) && !parse_range(v, true) && !parse_range(v, false)) {
        return bad("a number, a range 'min:max' or 'list:NAME'", "e.g. '59' or '0:10'");
      }
    } else if ((f.op == AO::kPrefix || f.op == AO::kNotPrefix) && v.size() > 256) {
      return ctx.fail(at, "a Prefix value is limited to 256 bytes", "shorten it");
    } else if ((f.op == AO::kPostfix || f.op == AO::kNotPostfix) && v.size() > 128) {
      return ctx.fail(at, "a Postfix value is limited to 128 bytes", "shorten it");
    } else if ((f.op == AO::kSubString || f.op == AO::kSubStringIgnCase) && v.size() >= 100) {
      return ctx.fail(at, "a SubString value is limited to 99 bytes", "shorten it");
    }
  }
  return ok();
}

} // namespace octagon::policy::detail
