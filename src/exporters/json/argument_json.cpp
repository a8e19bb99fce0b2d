#include <octagon/exporters/json/argument_json.h>

#include <octagon/exporters/json/capability_json.h>
#include <octagon/exporters/json/json_put.h>
#include <octagon/exporters/json/tetragon_names.h>

namespace octagon::exporters {

using namespace json_detail;
using events::Argument;

namespace {

// KprobeFile / KprobePath {mount=1, path=2, flags=3, permission=4}; KprobeLinuxBinprm
// {path=1, flags=2, permission=3} is the same without mount.
void put_file_fields(const Argument& a, bool with_mount, std::string& out) {
  FieldSep f(out);
  out.push_back('{');
  if (with_mount)
    f.string("\"mount\":", a.mount);
  f.string("\"path\":", a.s);
  f.string("\"flags\":", a.flags);
  f.string("\"permission\":", a.permission);
  out.push_back('}');
}

// ProcessCredentials{uid..fsgid (UInt32Value: always printed), securebits, caps, user_ns}.
void put_process_credentials(const Argument& a, std::string& out) {
  static constexpr std::string_view kSecureBits[] = {
      "SecBitNoRoot",         "SecBitNoRootLocked",          "SecBitNoSetUidFixup",
      "SecBitNoSetUidFixupLocked", "SecBitKeepCaps",         "SecBitKeepCapsLocked",
      "SecBitNoCapAmbientRaise",   "SecBitNoCapAmbientRaiseLocked"};
  const events::Credentials& c = a.creds;
  put(out, "{\"uid\":");
  put_uint(out, c.uid);
  put(out, ",\"gid\":");
  put_uint(out, c.gid);
  put(out, ",\"euid\":");
  put_uint(out, c.euid);
  put(out, ",\"egid\":");
  put_uint(out, c.egid);
  put(out, ",\"suid\":");
  put_uint(out, c.suid);
  put(out, ",\"sgid\":");
  put_uint(out, c.sgid);
  put(out, ",\"fsuid\":");
  put_uint(out, c.fsuid);
  put(out, ",\"fsgid\":");
  put_uint(out, c.fsgid);
  if (a.securebits != 0) {
    put(out, ",\"securebits\":[");
    bool first = true;
    for (unsigned bit = 0; bit < 8; bit++) {
      if (!(a.securebits & (1u << bit)))
        continue;
      if (!first)
        out.push_back(',');
      first = false;
      append_json_string(out, kSecureBits[bit]);
    }
    out.push_back(']');
  }
  if (a.caps.permitted | a.caps.effective | a.caps.inheritable) {
    put(out, ",\"caps\":{");
    bool first = true;
    put_cap_list(out, "\"permitted\":", a.caps.permitted, first);
    put_cap_list(out, "\"effective\":", a.caps.effective, first);
    put_cap_list(out, "\"inheritable\":", a.caps.inheritable, first);
    out.push_back('}');
  }
  // UserNamespace{level (Int32Value), uid, gid (UInt32Value), ns{inum, is_host}}: level 0 is
  // the initial user namespace, the host's.
  put(out, ",\"user_ns\":");
  put_user_namespace(a, out);
  out.push_back('}');
}

void put_base64_string(std::string& out, std::string_view bytes) {
  out.push_back('"');
  append_base64(out, bytes);
  out.push_back('"');
}

} // namespace

void append_base64(std::string& out, std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  const size_t start = out.size();
  out.resize(start + (n + 2) / 3 * 4);
  char* w = out.data() + start;
  size_t i = 0;
  for (; i + 2 < n; i += 3) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    *w++ = kAlphabet[(v >> 18) & 63];
    *w++ = kAlphabet[(v >> 12) & 63];
    *w++ = kAlphabet[(v >> 6) & 63];
    *w++ = kAlphabet[v & 63];
  }
  if (i < n) {
    const bool two = i + 1 < n;
    const uint32_t v = (uint32_t{in[i]} << 16) | (two ? uint32_t{in[i + 1]} << 8 : 0);
    *w++ = kAlphabet[(v >> 18) & 63];
    *w++ = kAlphabet[(v >> 12) & 63];
    *w++ = two ? kAlphabet[(v >> 6) & 63] : '=';
    *w++ = '=';
  }
}

void append_argument_json(const Argument& a, std::string& out) {
  // A kind outside the enum (a corrupt value) renders as an empty KprobeArgument. New kinds are
  // caught by -Wswitch below, not here.
  if (static_cast<uint8_t>(a.kind) > static_cast<uint8_t>(Argument::Kind::kModule)) {
    out.push_back('{');
    put_string_field(out, "\"label\":", a.label);
    out.push_back('}');
    return;
  }
  switch (a.kind) {
  case Argument::Kind::kSock:
  case Argument::Kind::kSkb:
  case Argument::Kind::kUserNs:
  case Argument::Kind::kKernelCapT:
  case Argument::Kind::kCapInheritable:
  case Argument::Kind::kCapPermitted:
  case Argument::Kind::kCapEffective:
  case Argument::Kind::kBpfAttr:
  case Argument::Kind::kBpfProg:
  case Argument::Kind::kBpfMap:
  case Argument::Kind::kPerfEvent:
  case Argument::Kind::kModule:
    append_kobject_json(a, out);
    break;
  case Argument::Kind::kInt:
    put(out, "{\"int_arg\":");
    put_int(out, static_cast<int32_t>(a.i));
    break;
  case Argument::Kind::kUint:
    put(out, "{\"uint_arg\":");
    put_uint(out, static_cast<uint32_t>(a.u));
    break;
  case Argument::Kind::kLong:
    put(out, "{\"long_arg\":");
    put_quoted_int(out, a.i);
    break;
  case Argument::Kind::kSize:
    put(out, "{\"size_arg\":");
    put_quoted_uint(out, a.u);
    break;
  case Argument::Kind::kString:
    put(out, "{\"string_arg\":");
    append_json_string(out, a.s);
    break;
  case Argument::Kind::kBytes:
    put(out, "{\"bytes_arg\":");
    put_base64_string(out, a.s);
    break;
  case Argument::Kind::kTruncatedBytes: {
    put(out, "{\"truncated_bytes_arg\":{");
    FieldSep f(out);
    if (!a.s.empty()) {
      f.key("\"bytes_arg\":");
      put_base64_string(out, a.s);
    }
    if (a.u != 0) {
      f.key("\"orig_size\":");
      put_quoted_uint(out, a.u);
    }
    out.push_back('}');
    break;
  }
  case Argument::Kind::kFile:
    put(out, "{\"file_arg\":");
    put_file_fields(a, true, out);
    break;
  case Argument::Kind::kPath:
    put(out, "{\"path_arg\":");
    put_file_fields(a, true, out);
    break;
  case Argument::Kind::kLinuxBinprm:
    put(out, "{\"linux_binprm_arg\":");
    put_file_fields(a, false, out);
    break;
  case Argument::Kind::kSyscallId: {
    put(out, "{\"syscall_id\":{");
    FieldSep f(out);
    if (static_cast<uint32_t>(a.u) != 0) { // SyscallId.id is a uint32
      f.key("\"id\":");
      put_uint(out, static_cast<uint32_t>(a.u));
    }
    f.string("\"abi\":", a.s);
    out.push_back('}');
    break;
  }
  case Argument::Kind::kSockaddr: {
    put(out, "{\"sockaddr_arg\":{");
    FieldSep f(out);
    f.string("\"family\":", a.family);
    f.string("\"addr\":", a.s);
    if (static_cast<uint32_t>(a.u) != 0) {
      f.key("\"port\":");
      put_uint(out, static_cast<uint32_t>(a.u));
    }
    out.push_back('}');
    break;
  }
  case Argument::Kind::kCapability: {
    put(out, "{\"capability_arg\":{\"value\":"); // Int32Value: always printed
    const auto value = static_cast<int32_t>(a.i);
    put_int(out, value);
    const std::string_view name =
        !a.s.empty() ? std::string_view(a.s)
                     : (value >= 0 ? capability_name(static_cast<unsigned>(value)) : "");
    put_string_field(out, ",\"name\":", name);
    out.push_back('}');
    break;
  }
  case Argument::Kind::kProcessCredentials:
    put(out, "{\"process_credentials_arg\":");
    put_process_credentials(a, out);
    break;
  case Argument::Kind::kSockaddrUn: {
    put(out, "{\"sockaddrun_arg\":{");
    FieldSep f(out);
    f.string("\"family\":", a.family);
    f.string("\"path\":", a.s);
    out.push_back('}');
    break;
  }
  case Argument::Kind::kError:
    put(out, "{\"error_arg\":{");
    put_string_field(out, "\"Message\":", a.s);
    out.push_back('}');
    break;
  }
  put_string_field(out, ",\"label\":", a.label);
  out.push_back('}');
}

} // namespace octagon::exporters
