#include <octagon/sensors/generic/generic_decoder.h>

#include <abi/generic.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include <octagon/sensors/generic/ima_hash.h>
#include <octagon/sensors/generic/kobject_decoder.h>
#include <octagon/sensors/generic/object_decoder.h>
#include <octagon/sensors/process/decoder.h>

namespace octagon::sensors {
namespace {

using events::Argument;

int64_t read_int(std::string_view raw, uint8_t bytes, bool is_signed) {
  uint64_t v = 0;
  memcpy(&v, raw.data(), std::min<size_t>(raw.size(), 8));
  if (bytes < 8) {
    uint64_t mask = (uint64_t{1} << (bytes * 8)) - 1;
    v &= mask;
    if (is_signed && (v >> (bytes * 8 - 1)) & 1) v |= ~mask;
  }
  return static_cast<int64_t>(v);
}

Argument render_one(std::string_view raw, uint8_t flags, uint32_t orig_size, const policy::ArgRender& r) {
  Argument a;
  a.label = r.label;
  if (flags & OCT_GAF_ERROR) {
    a.kind = Argument::Kind::kError;
    a.s = "argument could not be read";
    return a;
  }
  a.kind = r.kind;
  switch (r.capture) {
    case OCT_GA_FILE:
    case OCT_GA_PATH:
    case OCT_GA_DENTRY:
    case OCT_GA_BINPRM:
      decode_file_arg(raw, flags, a);
      return a;
    case OCT_GA_CRED:
      decode_cred_arg(raw, a);
      return a;
    case OCT_GA_SOCKADDR:
      decode_sockaddr_arg(raw, a);
      return a;
    default:
      if (decode_kobject_arg(raw, r.capture, a)) return a;
      break;
  }
  switch (r.kind) {
    case Argument::Kind::kInt:
    case Argument::Kind::kLong:
      a.i = read_int(raw, r.bytes, r.is_signed);
      break;
    case Argument::Kind::kUint:
    case Argument::Kind::kSize:
      a.u = static_cast<uint64_t>(read_int(raw, r.bytes, false));
      break;
    case Argument::Kind::kSyscallId:
      a.u = static_cast<uint64_t>(read_int(raw, 8, true));
      a.s = "x64";
      break;
    case Argument::Kind::kFile:
    case Argument::Kind::kPath:
      assemble_path(raw, a.s);
      break;
    case Argument::Kind::kBytes:
      a.s.assign(raw);
      if (flags & OCT_GAF_TRUNCATED) {
        a.kind = Argument::Kind::kTruncatedBytes;
        a.u = orig_size;
      }
      break;
    case Argument::Kind::kCapability:
      a.i = read_int(raw, 4, true);
      break;
    case Argument::Kind::kKernelCapT:
    case Argument::Kind::kCapInheritable:
    case Argument::Kind::kCapPermitted:
    case Argument::Kind::kCapEffective:
      decode_cap_set_arg(raw, a);
      break;
    default:
      a.s.assign(raw);
      break;
  }
  return a;
}

void decode_ima(const oct_gen_event& ev, const void* data, DecodedGeneric& out) {
  out.ima_state = ev.ima_state;
  out.ima_algo = ev.ima_algo;
  const size_t len = ev.ima_state == OCT_IMA_OK ? ima_digest_size(ev.ima_algo) : 0;
  out.ima_digest = std::string_view(static_cast<const char*>(data) + offsetof(oct_gen_event, ima_digest), len);
}

}  // namespace

Result<void> decode_generic(const void* data, size_t size, DecodedGeneric& out) {
  if (size < sizeof(oct_gen_event))
    return make_error(EPROTO, "policy record too short: " + std::to_string(size) + " bytes");
  oct_gen_event ev;
  memcpy(&ev, data, sizeof(ev));
  if (ev.nargs > OCT_GEN_MAX_ARGS)
    return make_error(EPROTO, "policy record has " + std::to_string(ev.nargs) + " arguments");
  out.hook_id = ev.hook_id;
  out.key = {ev.key.pid, ev.key.ktime};
  out.known_process = !(ev.flags & OCT_GEF_NO_PROCESS);
  out.tid = ev.tid;
  out.selector = ev.selector;
  out.action = ev.action;
  out.action_done = ev.action_done;
  out.override_asked = ev.override;
  out.override_done = ev.override_done;
  out.override_ret = ev.override_ret;
  decode_ima(ev, data, out);
  out.has_ret = ev.flags & OCT_GEF_HAS_RET;
  out.ret = ev.ret;
  out.deferred = ev.flags & OCT_GEF_DEFERRED;
  out.ktime = ev.hdr.ktime;
  out.args.clear();
  out.arg_flags.clear();
  out.arg_size.clear();
  size_t off = sizeof(ev), end = std::min<size_t>(size, ev.hdr.size);
  const char* base = static_cast<const char*>(data);
  for (uint32_t i = 0; i < ev.nargs; i++) {
    if (off + ev.arg_len[i] > end)
      return make_error(EPROTO, "policy record argument " + std::to_string(i) + " overruns the record");
    out.args.emplace_back(base + off, ev.arg_len[i]);
    out.arg_flags.push_back(ev.arg_flags[i]);
    out.arg_size.push_back(ev.arg_size[i]);
    off += ev.arg_len[i];
  }
  if (off + ev.ret_len > end)
    return make_error(EPROTO, "policy record return string overruns the record");
  out.ret_data = std::string_view(base + off, ev.ret_len);
  out.ret_flags = ev.ret_flags;
  off += ev.ret_len;
  out.kernel_stack.clear();
  out.user_stack.clear();
  if (ev.kstack_len % 8 || ev.ustack_len % 8 || off + ev.kstack_len + ev.ustack_len > end)
    return make_error(EPROTO, "policy record stack traces overrun the record");
  out.kernel_stack.resize(ev.kstack_len / 8);
  if (ev.kstack_len) memcpy(out.kernel_stack.data(), base + off, ev.kstack_len);
  off += ev.kstack_len;
  out.user_stack.resize(ev.ustack_len / 8);
  if (ev.ustack_len) memcpy(out.user_stack.data(), base + off, ev.ustack_len);
  return ok();
}

void render_arguments(const DecodedGeneric& d, const policy::HookRender& render,
                      std::vector<events::Argument>& args, std::optional<events::Argument>& ret) {
  args.clear();
  for (size_t i = 0; i < d.args.size() && i < render.args.size(); i++)
    if (!render.args[i].nop)  // type nop: Tetragon keeps the slot but shows nothing
      args.push_back(render_one(d.args[i], d.arg_flags[i], i < d.arg_size.size() ? d.arg_size[i] : 0,
                              render.args[i]));
  ret.reset();
  if (d.has_ret && render.ret &&
      (render.ret->kind == events::Argument::Kind::kString || render.ret->kind == events::Argument::Kind::kSock)) {
    ret = render_one(d.ret_data, d.ret_flags, 0, *render.ret);  // what it points to
  } else if (d.has_ret && render.ret) {
    char raw[8];
    memcpy(raw, &d.ret, 8);
    ret = render_one(std::string_view(raw, 8), 0, 0, *render.ret);
  }
}

void render_data(const DecodedGeneric& d, const policy::HookRender& render,
                 std::vector<events::Argument>& data) {
  data.clear();
  for (size_t k = 0; k < render.data.size(); k++) {
    size_t i = render.args.size() + k;
    if (i >= d.args.size()) break;
    data.push_back(render_one(d.args[i], d.arg_flags[i], i < d.arg_size.size() ? d.arg_size[i] : 0,
                              render.data[k]));
  }
}

}  // namespace octagon::sensors
