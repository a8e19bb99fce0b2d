// Kernel-object KprobeArgument members for gRPC, as exporters/json/kobject_json.cpp renders
// them in JSON.
#include <octagon/api/event_to_proto.h>

#include <cinttypes>
#include <cstdio>

namespace octagon::api {

using events::Argument;

namespace {

std::string hex(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof(buf), "%" PRIx64, v);
  return buf;
}

void fill_sock(const Argument& a, tetragon::KprobeSock& s) {
  s.set_family(utf8(a.family));
  s.set_type(utf8(a.obj.type));
  s.set_protocol(utf8(a.obj.protocol));
  s.set_mark(a.obj.mark);
  s.set_priority(a.obj.priority);
  s.set_saddr(utf8(a.obj.saddr));
  s.set_daddr(utf8(a.obj.daddr));
  s.set_sport(a.obj.sport);
  s.set_dport(a.obj.dport);
  s.set_cookie(a.obj.cookie);
  s.set_state(utf8(a.obj.state));
}

void fill_skb(const Argument& a, tetragon::KprobeSkb& s) {
  s.set_hash(a.obj.hash);
  s.set_len(a.obj.len);
  s.set_priority(a.obj.priority);
  s.set_mark(a.obj.mark);
  s.set_saddr(utf8(a.obj.saddr));
  s.set_daddr(utf8(a.obj.daddr));
  s.set_sport(a.obj.sport);
  s.set_dport(a.obj.dport);
  s.set_proto(a.obj.proto);
  s.set_sec_path_len(a.obj.sec_path_len);
  s.set_sec_path_olen(a.obj.sec_path_olen);
  s.set_protocol(utf8(a.obj.protocol));
  s.set_family(utf8(a.family));
}

template <typename Msg>
void fill_prog(const Argument& a, Msg& m) {
  m.set_progtype(utf8(a.obj.type));
  m.set_insncnt(a.obj.insn_cnt);
  m.set_progname(utf8(a.s));
}

}  // namespace

bool fill_kobject_argument(const Argument& a, tetragon::KprobeArgument& out) {
  switch (a.kind) {
    case Argument::Kind::kSock: fill_sock(a, *out.mutable_sock_arg()); return true;
    case Argument::Kind::kSkb: fill_skb(a, *out.mutable_skb_arg()); return true;
    case Argument::Kind::kUserNs: {
      auto* ns = out.mutable_user_ns_arg();
      ns->mutable_level()->set_value(a.userns_level);
      ns->mutable_uid()->set_value(a.userns_uid);
      ns->mutable_gid()->set_value(a.userns_gid);
      ns->mutable_ns()->set_inum(a.userns_inum);
      ns->mutable_ns()->set_is_host(a.userns_level == 0);
      return true;
    }
    case Argument::Kind::kKernelCapT: out.set_kernel_cap_t_arg(hex(a.u)); return true;
    case Argument::Kind::kCapInheritable: out.set_cap_inheritable_arg(hex(a.u)); return true;
    case Argument::Kind::kCapPermitted: out.set_cap_permitted_arg(hex(a.u)); return true;
    case Argument::Kind::kCapEffective: out.set_cap_effective_arg(hex(a.u)); return true;
    case Argument::Kind::kBpfAttr: fill_prog(a, *out.mutable_bpf_attr_arg()); return true;
    case Argument::Kind::kBpfProg: fill_prog(a, *out.mutable_bpf_prog_arg()); return true;
    case Argument::Kind::kBpfMap: {
      auto* m = out.mutable_bpf_map_arg();
      m->set_maptype(utf8(a.obj.type));
      m->set_keysize(a.obj.key_size);
      m->set_valuesize(a.obj.value_size);
      m->set_maxentries(a.obj.max_entries);
      m->set_mapname(utf8(a.s));
      return true;
    }
    case Argument::Kind::kPerfEvent: {
      auto* p = out.mutable_perf_event_arg();
      p->set_kprobefunc(utf8(a.s));
      p->set_type(utf8(a.obj.type));
      p->set_config(a.obj.config);
      p->set_probeoffset(a.obj.probe_offset);
      return true;
    }
    case Argument::Kind::kModule: {
      auto* m = out.mutable_module_arg();
      m->set_name(utf8(a.s));
      if (a.obj.has_signature) m->mutable_signature_ok()->set_value(a.obj.signature_ok);
      for (unsigned bit = 0; bit < 64; bit++)
        if (a.obj.tainted & (uint64_t{1} << bit)) m->add_tainted(static_cast<tetragon::TaintedBitsType>(1u << bit));
      return true;
    }
    default:
      return false;
  }
}

}  // namespace octagon::api
