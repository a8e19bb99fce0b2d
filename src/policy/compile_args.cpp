// Perf tracepoint (and syscall) argument types beyond integers, strings, char_buf and fd:
// memory behind user pointers (sockaddr, iovec, returnCopy buffers), fixed arrays of the
// record (const_buf) and __data_loc strings.
#include <octagon/policy/compile_internal.h>

#include <algorithm>

namespace octagon::policy::detail {

using events::Argument;

Result<uint8_t> size_arg_position(const TracingPolicy& p, const KProbeArg& a,
                                  const std::vector<KProbeArg>& all) {
  uint32_t fn_index = a.size_arg_index - 1;
  for (size_t i = 0; i < all.size(); i++)
    if (all[i].index == fn_index) return uint8_t(i);
  return make_error(policy_error(p, field_pos(a.pos, "sizeArgIndex"),
                                 "the size argument (index " + std::to_string(fn_index) +
                                     ") must also be listed in args",
                                 "add {index: " + std::to_string(fn_index) + ", type: size_t}"));
}

Result<bool> choose_more_tp_arg(const TracingPolicy& p, const KProbeArg& a, const FormatField& field,
                                const std::vector<KProbeArg>& all, ArgPick& out) {
  bool data_loc = field.type.rfind("__data_loc", 0) == 0;
  bool array = !data_loc && (field.is_array || field.type.find('[') != std::string::npos);
  bool pointer = field.type.find('*') != std::string::npos;
  auto field_is = [&](bool good, const std::string& want) -> Result<void> {
    if (good) return ok();
    return make_error(policy_error(p, field_pos(a.pos, "type"),
                                   "type " + a.type_name + " needs " + want + ", but field " + field.name +
                                       " is '" + field.type + "'"));
  };
  if (field.type.rfind("__rel_loc", 0) == 0)
    return make_error(policy_error(p, a.pos, "field " + field.name + " is a __rel_loc field, which is not supported yet"));
  out.arg.offset = uint16_t(field.offset);
  out.arg.size = 8;
  out.render.label = a.label;
  ArgType t = a.type;
  if (t == ArgType::kAuto && data_loc) t = ArgType::kDataLoc;
  if (t == ArgType::kAuto && array) t = ArgType::kConstBuf;
  switch (t) {
    case ArgType::kDataLoc:
      OCTAGON_TRY(field_is(data_loc, "a __data_loc field"));
      out.arg.kind = OCT_GA_DATA_LOC;
      out.arg.size = 4;
      out.arg.max_data = OCT_GEN_ARG_MAX;
      out.render.kind = Argument::Kind::kString;
      out.slot.is_string = true;
      break;
    case ArgType::kConstBuf:
      OCTAGON_TRY(field_is(array, "an array field (its size is the buffer's)"));
      out.arg.kind = OCT_GA_CONST_BUF;
      out.arg.max_data = uint16_t(std::min<uint32_t>(field.size, OCT_GEN_ARG_MAX));
      out.render.kind = Argument::Kind::kBytes;
      break;
    case ArgType::kSockaddr:
    case ArgType::kSockaddrUn:
      OCTAGON_TRY(field_is(pointer || field.size == 8, "a pointer field"));
      out.arg.kind = OCT_GA_SOCKADDR;
      out.arg.user = 1;
      out.render.kind = t == ArgType::kSockaddr ? Argument::Kind::kSockaddr : Argument::Kind::kSockaddrUn;
      out.slot.user_memory = true;
      out.slot.sockaddr_un = t == ArgType::kSockaddrUn;
      break;
    case ArgType::kCharIovec: {
      OCTAGON_TRY(field_is(pointer || field.size == 8, "a pointer field"));
      if (a.return_copy)
        return make_error(policy_error(p, field_pos(a.pos, "returnCopy"),
                                       "returnCopy on char_iovec is not supported yet",
                                       "capture the iovec at entry (drop returnCopy) with sizeArgIndex"));
      if (a.size_arg_index == 0)
        return make_error(policy_error(p, a.pos, "char_iovec needs sizeArgIndex (the iovec count)"));
      OCTAGON_ASSIGN_OR_RETURN(out.arg.size_arg, size_arg_position(p, a, all));
      out.arg.kind = OCT_GA_IOVEC;
      out.arg.user = 1;
      out.arg.max_data = OCT_GEN_ARG_MAX;
      out.render.kind = Argument::Kind::kBytes;
      out.slot.is_string = true;
      out.slot.user_memory = true;
      break;
    }
    case ArgType::kCharBuf:
      if (!a.return_copy) return false;  // sizeArgIndex buffers: the common path
      OCTAGON_TRY(field_is(pointer || field.size == 8, "a pointer field"));
      out.arg.kind = OCT_GA_BUF_RET;
      out.arg.user = 1;
      out.arg.max_data = OCT_GEN_ARG_MAX;
      out.render.kind = Argument::Kind::kBytes;
      out.slot.is_string = true;
      out.slot.user_memory = true;
      break;
    case ArgType::kCapability:
      OCTAGON_TRY(field_is(!array && !data_loc && field.size <= 8, "an integer field"));
      out.arg.kind = OCT_GA_INT;
      out.arg.size = uint8_t(std::min<uint32_t>(field.size, 4));
      out.arg.is_signed = 1;
      out.render.kind = Argument::Kind::kCapability;
      out.render.bytes = 4;
      break;
    default:
      return false;
  }
  out.render.capture = out.arg.kind;
  out.slot.kind = out.arg.kind;
  return true;
}

}  // namespace octagon::policy::detail
