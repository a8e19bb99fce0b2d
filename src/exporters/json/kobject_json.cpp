// protojson of the kernel-object KprobeArgument members (field numbers from the compat
// reference: skb_arg=3, sock_arg=9, bpf_attr_arg=12, perf_event_arg=13, bpf_map_arg=14,
// user_ns_arg=20, module_arg=21, kernel_cap_t_arg=22, cap_inheritable_arg=23,
// cap_permitted_arg=24, cap_effective_arg=25, bpf_prog_arg=31). Sub-message fields are written
// in declaration order, zero values omitted (proto3), except wrapper fields (UserNamespace's
// level/uid/gid, KernelModule.signature_ok).
#include <octagon/exporters/json/argument_json.h>

#include <cinttypes>
#include <cstdio>

#include <octagon/exporters/json/json_put.h>

namespace octagon::exporters::json_detail {

using events::Argument;

namespace {

template <size_t N>
void put_u32(FieldSep& f, std::string& out, const char (&key)[N], uint32_t v) {
  if (v == 0) return;
  f.key(key);
  put_uint(out, v);
}

template <size_t N>
void put_u64(FieldSep& f, std::string& out, const char (&key)[N], uint64_t v) {
  if (v == 0) return;
  f.key(key);
  put_quoted_uint(out, v);
}

// KprobeSock{family=1, type=2, protocol=3, mark=4, priority=5, saddr=6, daddr=7, sport=8,
// dport=9, cookie=10, state=11}
void put_sock(const Argument& a, std::string& out) {
  const Argument::ObjectFields& o = a.obj;
  put(out, "{\"sock_arg\":{");
  FieldSep f(out);
  f.string("\"family\":", a.family);
  f.string("\"type\":", o.type);
  f.string("\"protocol\":", o.protocol);
  put_u32(f, out, "\"mark\":", o.mark);
  put_u32(f, out, "\"priority\":", o.priority);
  f.string("\"saddr\":", o.saddr);
  f.string("\"daddr\":", o.daddr);
  put_u32(f, out, "\"sport\":", o.sport);
  put_u32(f, out, "\"dport\":", o.dport);
  put_u64(f, out, "\"cookie\":", o.cookie);
  f.string("\"state\":", o.state);
  out.push_back('}');
}

// KprobeSkb{hash=1, len=2, priority=3, mark=4, saddr=5, daddr=6, sport=7, dport=8, proto=9,
// sec_path_len=10, sec_path_olen=11, protocol=12, family=13}
void put_skb(const Argument& a, std::string& out) {
  const Argument::ObjectFields& o = a.obj;
  put(out, "{\"skb_arg\":{");
  FieldSep f(out);
  put_u32(f, out, "\"hash\":", o.hash);
  put_u32(f, out, "\"len\":", o.len);
  put_u32(f, out, "\"priority\":", o.priority);
  put_u32(f, out, "\"mark\":", o.mark);
  f.string("\"saddr\":", o.saddr);
  f.string("\"daddr\":", o.daddr);
  put_u32(f, out, "\"sport\":", o.sport);
  put_u32(f, out, "\"dport\":", o.dport);
  put_u32(f, out, "\"proto\":", o.proto);
  put_u32(f, out, "\"sec_path_len\":", o.sec_path_len);
  put_u32(f, out, "\"sec_path_olen\":", o.sec_path_olen);
  f.string("\"protocol\":", o.protocol);
  f.string("\"family\":", a.family);
  out.push_back('}');
}

// KprobeBpfAttr / KprobeBpfProg{ProgType=1, InsnCnt=2, ProgName=3}
void put_bpf_prog(const Argument& a, std::string& out) {
  out.append(a.kind == Argument::Kind::kBpfAttr ? "{\"bpf_attr_arg\":{" : "{\"bpf_prog_arg\":{");
  FieldSep f(out);
  f.string("\"ProgType\":", a.obj.type);
  put_u32(f, out, "\"InsnCnt\":", a.obj.insn_cnt);
  f.string("\"ProgName\":", a.s);
  out.push_back('}');
}

// KprobeBpfMap{MapType=1, KeySize=2, ValueSize=3, MaxEntries=4, MapName=5}
void put_bpf_map(const Argument& a, std::string& out) {
  put(out, "{\"bpf_map_arg\":{");
  FieldSep f(out);
  f.string("\"MapType\":", a.obj.type);
  put_u32(f, out, "\"KeySize\":", a.obj.key_size);
  put_u32(f, out, "\"ValueSize\":", a.obj.value_size);
  put_u32(f, out, "\"MaxEntries\":", a.obj.max_entries);
  f.string("\"MapName\":", a.s);
  out.push_back('}');
}

// KprobePerfEvent{KprobeFunc=1, Type=2, Config=3, ProbeOffset=4}
void put_perf_event(const Argument& a, std::string& out) {
  put(out, "{\"perf_event_arg\":{");
  FieldSep f(out);
  f.string("\"KprobeFunc\":", a.s);
  f.string("\"Type\":", a.obj.type);
  put_u64(f, out, "\"Config\":", a.obj.config);
  put_u64(f, out, "\"ProbeOffset\":", a.obj.probe_offset);
  out.push_back('}');
}

// KernelModule{name=1, signature_ok=2 (BoolValue), tainted=3 (repeated TaintedBitsType)}
void put_module(const Argument& a, std::string& out) {
  static constexpr struct {
    unsigned bit;
    std::string_view name;
  } kTaints[] = {{0, "TAINT_PROPRIETARY_MODULE"},   {1, "TAINT_FORCED_MODULE"},
                 {3, "TAINT_FORCED_UNLOAD_MODULE"}, {10, "TAINT_STAGED_MODULE"},
                 {12, "TAINT_OUT_OF_TREE_MODULE"},  {13, "TAINT_UNSIGNED_MODULE"},
                 {15, "TAINT_KERNEL_LIVE_PATCH_MODULE"}, {18, "TAINT_TEST_MODULE"}};
  put(out, "{\"module_arg\":{");
  FieldSep f(out);
  f.string("\"name\":", a.s);
  if (a.obj.has_signature) {
    f.key("\"signature_ok\":");
    out.append(a.obj.signature_ok ? "true" : "false");
  }
  if (a.obj.tainted) {
    f.key("\"tainted\":[");
    bool first = true;
    for (const auto& t : kTaints) {
      if (!(a.obj.tainted & (uint64_t{1} << t.bit))) continue;
      if (!first) out.push_back(',');
      first = false;
      append_json_string(out, t.name);
    }
    out.push_back(']');
  }
  out.push_back('}');
}

void put_cap_set(const char* key, uint64_t v, std::string& out) {
  char hex[24];
  snprintf(hex, sizeof(hex), "%" PRIx64, v);
  out.append(key);
  append_json_string(out, hex);
}

}  // namespace

void put_user_namespace(const Argument& a, std::string& out) {
  put(out, "{\"level\":");
  put_int(out, a.userns_level);
  put(out, ",\"uid\":");
  put_uint(out, a.userns_uid);
  put(out, ",\"gid\":");
  put_uint(out, a.userns_gid);
  put(out, ",\"ns\":{");
  FieldSep ns(out);
  if (a.userns_inum != 0) {
    ns.key("\"inum\":");
    put_uint(out, a.userns_inum);
  }
  if (a.userns_level == 0) ns.key("\"is_host\":true");
  out.append("}}");
}

bool append_kobject_json(const Argument& a, std::string& out) {
  switch (a.kind) {
    case Argument::Kind::kSock: put_sock(a, out); return true;
    case Argument::Kind::kSkb: put_skb(a, out); return true;
    case Argument::Kind::kUserNs:
      put(out, "{\"user_ns_arg\":");
      put_user_namespace(a, out);
      return true;
    case Argument::Kind::kKernelCapT: put_cap_set("{\"kernel_cap_t_arg\":", a.u, out); return true;
    case Argument::Kind::kCapInheritable: put_cap_set("{\"cap_inheritable_arg\":", a.u, out); return true;
    case Argument::Kind::kCapPermitted: put_cap_set("{\"cap_permitted_arg\":", a.u, out); return true;
    case Argument::Kind::kCapEffective: put_cap_set("{\"cap_effective_arg\":", a.u, out); return true;
    case Argument::Kind::kBpfAttr:
    case Argument::Kind::kBpfProg: put_bpf_prog(a, out); return true;
    case Argument::Kind::kBpfMap: put_bpf_map(a, out); return true;
    case Argument::Kind::kPerfEvent: put_perf_event(a, out); return true;
    case Argument::Kind::kModule: put_module(a, out); return true;
    default: return false;
  }
}

}  // namespace octagon::exporters::json_detail
