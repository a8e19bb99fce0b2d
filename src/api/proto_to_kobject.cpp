// Kernel-object KprobeArgument members back into the event model: the inverse of
// kobject_to_proto.cpp, so that the CLI's compact lines from a gRPC stream match the agent's.
#include <octagon/api/proto_to_event.h>

#include <cstdlib>

namespace octagon::api {

using events::Argument;

namespace {

uint64_t from_hex(const std::string& s) { return std::strtoull(s.c_str(), nullptr, 16); }

void sock_from(const tetragon::KprobeSock& s, Argument& a) {
  a.family = s.family();
  a.obj.type = s.type();
  a.obj.protocol = s.protocol();
  a.obj.mark = s.mark();
  a.obj.priority = s.priority();
  a.obj.saddr = s.saddr();
  a.obj.daddr = s.daddr();
  a.obj.sport = s.sport();
  a.obj.dport = s.dport();
  a.obj.cookie = s.cookie();
  a.obj.state = s.state();
}

void skb_from(const tetragon::KprobeSkb& s, Argument& a) {
  a.obj.hash = s.hash();
  a.obj.len = s.len();
  a.obj.priority = s.priority();
  a.obj.mark = s.mark();
  a.obj.saddr = s.saddr();
  a.obj.daddr = s.daddr();
  a.obj.sport = s.sport();
  a.obj.dport = s.dport();
  a.obj.proto = s.proto();
  a.obj.sec_path_len = s.sec_path_len();
  a.obj.sec_path_olen = s.sec_path_olen();
  a.obj.protocol = s.protocol();
  a.family = s.family();
}

template <typename Msg>
void prog_from(const Msg& m, Argument& a) {
  a.obj.type = m.progtype();
  a.obj.insn_cnt = m.insncnt();
  a.s = m.progname();
}

}  // namespace

bool kobject_from_proto(const tetragon::KprobeArgument& in, Argument& out) {
  using K = Argument::Kind;
  switch (in.arg_case()) {
    case tetragon::KprobeArgument::kSockArg: out.kind = K::kSock; sock_from(in.sock_arg(), out); return true;
    case tetragon::KprobeArgument::kSkbArg: out.kind = K::kSkb; skb_from(in.skb_arg(), out); return true;
    case tetragon::KprobeArgument::kUserNsArg: {
      const auto& ns = in.user_ns_arg();
      out.kind = K::kUserNs;
      out.userns_level = ns.level().value();
      out.userns_uid = ns.uid().value();
      out.userns_gid = ns.gid().value();
      out.userns_inum = ns.ns().inum();
      return true;
    }
    case tetragon::KprobeArgument::kKernelCapTArg: out.kind = K::kKernelCapT; out.u = from_hex(in.kernel_cap_t_arg()); return true;
    case tetragon::KprobeArgument::kCapInheritableArg:
      out.kind = K::kCapInheritable;
      out.u = from_hex(in.cap_inheritable_arg());
      return true;
    case tetragon::KprobeArgument::kCapPermittedArg: out.kind = K::kCapPermitted; out.u = from_hex(in.cap_permitted_arg()); return true;
    case tetragon::KprobeArgument::kCapEffectiveArg: out.kind = K::kCapEffective; out.u = from_hex(in.cap_effective_arg()); return true;
    case tetragon::KprobeArgument::kBpfAttrArg: out.kind = K::kBpfAttr; prog_from(in.bpf_attr_arg(), out); return true;
    case tetragon::KprobeArgument::kBpfProgArg: out.kind = K::kBpfProg; prog_from(in.bpf_prog_arg(), out); return true;
    case tetragon::KprobeArgument::kBpfMapArg: {
      const auto& m = in.bpf_map_arg();
      out.kind = K::kBpfMap;
      out.obj.type = m.maptype();
      out.obj.key_size = m.keysize();
      out.obj.value_size = m.valuesize();
      out.obj.max_entries = m.maxentries();
      out.s = m.mapname();
      return true;
    }
    case tetragon::KprobeArgument::kPerfEventArg: {
      const auto& p = in.perf_event_arg();
      out.kind = K::kPerfEvent;
      out.s = p.kprobefunc();
      out.obj.type = p.type();
      out.obj.config = p.config();
      out.obj.probe_offset = p.probeoffset();
      return true;
    }
    case tetragon::KprobeArgument::kModuleArg: {
      const auto& m = in.module_arg();
      out.kind = K::kModule;
      out.s = m.name();
      out.obj.has_signature = m.has_signature_ok();
      out.obj.signature_ok = m.signature_ok().value();
      for (int t : m.tainted()) out.obj.tainted |= uint64_t(uint32_t(t));
      return true;
    }
    default:
      return false;
  }
}

}  // namespace octagon::api
