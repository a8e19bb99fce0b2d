#include <octagon/api/event_to_proto.h>

#include <bit>

#include <octagon/exporters/json/escape.h>
#include <octagon/exporters/json/tetragon_names.h>

namespace octagon::api {
namespace {

using events::Argument;

void fill_caps(uint64_t mask, google::protobuf::RepeatedField<int>& out) {
  for (; mask != 0; mask &= mask - 1)
    out.Add(std::countr_zero(mask));
}

template <typename FileMsg> void fill_file(const Argument& a, FileMsg& f) {
  f.set_path(utf8(a.s));
  f.set_flags(utf8(a.flags));
  f.set_permission(utf8(a.permission));
}

void fill_credentials(const Argument& a, tetragon::ProcessCredentials& pc) {
  const events::Credentials& c = a.creds;
  pc.mutable_uid()->set_value(c.uid);
  pc.mutable_gid()->set_value(c.gid);
  pc.mutable_euid()->set_value(c.euid);
  pc.mutable_egid()->set_value(c.egid);
  pc.mutable_suid()->set_value(c.suid);
  pc.mutable_sgid()->set_value(c.sgid);
  pc.mutable_fsuid()->set_value(c.fsuid);
  pc.mutable_fsgid()->set_value(c.fsgid);
  for (unsigned bit = 0; bit < 8; bit++)
    if (a.securebits & (1u << bit))
      pc.add_securebits(static_cast<tetragon::SecureBitsType>(1u << bit));
  if (a.caps.permitted | a.caps.effective | a.caps.inheritable) {
    auto* caps = pc.mutable_caps();
    fill_caps(a.caps.permitted, *caps->mutable_permitted());
    fill_caps(a.caps.effective, *caps->mutable_effective());
    fill_caps(a.caps.inheritable, *caps->mutable_inheritable());
  }
  auto* ns = pc.mutable_user_ns();
  ns->mutable_level()->set_value(a.userns_level);
  ns->mutable_uid()->set_value(a.userns_uid);
  ns->mutable_gid()->set_value(a.userns_gid);
  auto* inner = ns->mutable_ns();
  inner->set_inum(a.userns_inum);
  inner->set_is_host(a.userns_level == 0);  // level 0: the initial user namespace
}

void fill_stack(const std::vector<events::StackTraceEntry>& frames,
                google::protobuf::RepeatedPtrField<tetragon::StackTraceEntry>& out) {
  for (const events::StackTraceEntry& f : frames) {
    auto* e = out.Add();
    e->set_address(f.address);
    e->set_offset(f.offset);
    e->set_symbol(utf8(f.symbol));
    e->set_module(utf8(f.module));
  }
}

} // namespace

std::string utf8(std::string_view s) {
  std::string fixed;
  if (exporters::to_valid_utf8(s, fixed))
    return fixed;
  return std::string(s);
}

void set_timestamp(uint64_t ns, google::protobuf::Timestamp& out) {
  out.set_seconds(static_cast<int64_t>(ns / 1000000000ull));
  out.set_nanos(static_cast<int32_t>(ns % 1000000000ull));
}

void fill_argument(const Argument& a, tetragon::KprobeArgument& out) {
  switch (a.kind) {
  case Argument::Kind::kInt:
    out.set_int_arg(static_cast<int32_t>(a.i));
    break;
  case Argument::Kind::kUint:
    out.set_uint_arg(static_cast<uint32_t>(a.u));
    break;
  case Argument::Kind::kLong:
    out.set_long_arg(a.i);
    break;
  case Argument::Kind::kSize:
    out.set_size_arg(a.u);
    break;
  case Argument::Kind::kString:
    out.set_string_arg(utf8(a.s));
    break;
  case Argument::Kind::kBytes:
    out.set_bytes_arg(a.s);
    break;
  case Argument::Kind::kTruncatedBytes: {
    auto* t = out.mutable_truncated_bytes_arg();
    t->set_bytes_arg(a.s);
    t->set_orig_size(a.u);
    break;
  }
  case Argument::Kind::kFile: {
    auto* f = out.mutable_file_arg();
    f->set_mount(utf8(a.mount));
    fill_file(a, *f);
    break;
  }
  case Argument::Kind::kPath: {
    auto* f = out.mutable_path_arg();
    f->set_mount(utf8(a.mount));
    fill_file(a, *f);
    break;
  }
  case Argument::Kind::kLinuxBinprm:
    fill_file(a, *out.mutable_linux_binprm_arg());
    break;
  case Argument::Kind::kSyscallId: {
    auto* s = out.mutable_syscall_id();
    s->set_id(static_cast<uint32_t>(a.u));
    s->set_abi(utf8(a.s));
    break;
  }
  case Argument::Kind::kSockaddr: {
    auto* s = out.mutable_sockaddr_arg();
    s->set_family(utf8(a.family));
    s->set_addr(utf8(a.s));
    s->set_port(static_cast<uint32_t>(a.u));
    break;
  }
  case Argument::Kind::kCapability: {
    auto* c = out.mutable_capability_arg();
    const auto value = static_cast<int32_t>(a.i);
    c->mutable_value()->set_value(value);
    c->set_name(!a.s.empty()
                    ? utf8(a.s)
                    : std::string(value >= 0
                                      ? exporters::capability_name(static_cast<unsigned>(value))
                                      : ""));
    break;
  }
  case Argument::Kind::kError:
    out.mutable_error_arg()->set_message(utf8(a.s));
    break;
  case Argument::Kind::kProcessCredentials:
    fill_credentials(a, *out.mutable_process_credentials_arg());
    break;
  case Argument::Kind::kSockaddrUn: {
    auto* s = out.mutable_sockaddrun_arg();
    s->set_family(utf8(a.family));
    s->set_path(utf8(a.s));
    break;
  }
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
    fill_kobject_argument(a, out);
    break;
  }
  // A kind outside the enum (corrupt value) leaves the oneof unset, as the JSON encoder does.
  out.set_label(utf8(a.label));
}

void EventToProto::fill_process(const events::Process& p, bool binary_properties,
                                tetragon::Process& out) const {
  out.set_exec_id(utf8(p.exec_id));
  out.mutable_pid()->set_value(p.pid);
  out.mutable_uid()->set_value(p.creds.euid);
  out.set_cwd(utf8(p.cwd));
  out.set_binary(utf8(p.binary));
  out.set_arguments(utf8(p.arguments));
  if (p.flags != 0) {
    std::string flags;
    exporters::append_process_flags(p.flags, flags);
    out.set_flags(std::move(flags));
  }
  const int64_t start = static_cast<int64_t>(p.start_ktime) + boot_to_wall_ns_;
  set_timestamp(start > 0 ? static_cast<uint64_t>(start) : 0, *out.mutable_start_time());
  out.mutable_auid()->set_value(p.auid);
  out.set_docker(utf8(p.docker));
  out.set_parent_exec_id(utf8(p.parent_exec_id));
  if (options_.include_refcnt)
    out.set_refcnt(p.refcnt);
  if (options_.include_cap) {
    auto* cap = out.mutable_cap();
    fill_caps(p.cap.permitted, *cap->mutable_permitted());
    fill_caps(p.cap.effective, *cap->mutable_effective());
    fill_caps(p.cap.inheritable, *cap->mutable_inheritable());
  }
  if (options_.include_ns) {
    auto* ns = out.mutable_ns();
    auto set = [&](tetragon::Namespace* n, uint32_t events::Namespaces::*field) {
      n->set_inum(p.ns.*field);
      n->set_is_host(p.ns.*field != 0 && have_host_ns_ && host_ns_.*field == p.ns.*field);
    };
    set(ns->mutable_uts(), &events::Namespaces::uts);
    set(ns->mutable_ipc(), &events::Namespaces::ipc);
    set(ns->mutable_mnt(), &events::Namespaces::mnt);
    set(ns->mutable_pid(), &events::Namespaces::pid);
    set(ns->mutable_pid_for_children(), &events::Namespaces::pid_for_children);
    set(ns->mutable_net(), &events::Namespaces::net);
    set(ns->mutable_time(), &events::Namespaces::time);
    set(ns->mutable_time_for_children(), &events::Namespaces::time_for_children);
    set(ns->mutable_cgroup(), &events::Namespaces::cgroup);
    set(ns->mutable_user(), &events::Namespaces::user);
  }
  out.mutable_tid()->set_value(p.tid);
  if (options_.include_creds) {
    const events::Credentials& c = p.creds;
    auto* pc = out.mutable_process_credentials();
    pc->mutable_uid()->set_value(c.uid);
    pc->mutable_gid()->set_value(c.gid);
    pc->mutable_euid()->set_value(c.euid);
    pc->mutable_egid()->set_value(c.egid);
    pc->mutable_suid()->set_value(c.suid);
    pc->mutable_sgid()->set_value(c.sgid);
    pc->mutable_fsuid()->set_value(c.fsuid);
    pc->mutable_fsgid()->set_value(c.fsgid);
  }
  const events::BinaryProperties& b = p.binary_properties;
  if (binary_properties && !b.empty()) {
    auto* bp = out.mutable_binary_properties();
    if (b.has_setuid)
      bp->mutable_setuid()->set_value(b.setuid);
    if (b.has_setgid)
      bp->mutable_setgid()->set_value(b.setgid);
    if (b.privileges_changed & events::kPrivRaisedExecFileCap)
      bp->add_privileges_changed(tetragon::PRIVILEGES_RAISED_EXEC_FILE_CAP);
    if (b.privileges_changed & events::kPrivRaisedExecFileSetuid)
      bp->add_privileges_changed(tetragon::PRIVILEGES_RAISED_EXEC_FILE_SETUID);
    if (b.privileges_changed & events::kPrivRaisedExecFileSetgid)
      bp->add_privileges_changed(tetragon::PRIVILEGES_RAISED_EXEC_FILE_SETGID);
    if (b.fileless) {
      auto* file = bp->mutable_file();
      file->mutable_inode()->set_number(b.inode);
      file->mutable_inode()->mutable_links()->set_value(b.links);
      file->set_path(utf8(b.path));
    }
  }
  out.mutable_in_init_tree()->set_value(p.in_init_tree);
}

void EventToProto::fill_tail(uint64_t time_ns, tetragon::GetEventsResponse& out) const {
  out.set_node_name(utf8(node_name_));
  set_timestamp(time_ns, *out.mutable_time());
}

template <typename Msg>
void EventToProto::fill_common(const events::PolicyEventCommon& event, Msg& out) const {
  fill_process(*event.process, false, *out.mutable_process());
  if (event.parent != nullptr)
    fill_process(*event.parent, false, *out.mutable_parent());
  for (const events::Argument& a : event.args)
    fill_argument(a, *out.add_args());
  out.set_policy_name(utf8(event.policy_name));
  out.set_action(static_cast<tetragon::KprobeAction>(event.action));
  out.set_message(utf8(event.message));
  for (const std::string& t : event.tags)
    out.add_tags(utf8(t));
  for (const events::Process* a : event.ancestors)
    if (a != nullptr)
      fill_process(*a, false, *out.add_ancestors());
}

bool EventToProto::convert(const events::ExecEvent& event, tetragon::GetEventsResponse& out) const {
  out.Clear();
  if (event.process == nullptr)
    return false;
  auto* m = out.mutable_process_exec();
  fill_process(*event.process, true, *m->mutable_process());
  if (event.parent != nullptr)
    fill_process(*event.parent, false, *m->mutable_parent());
  for (const events::Process* a : event.ancestors)
    if (a != nullptr)
      fill_process(*a, false, *m->add_ancestors());
  fill_tail(event.time_ns, out);
  return true;
}

bool EventToProto::convert(const events::ExitEvent& event, tetragon::GetEventsResponse& out) const {
  out.Clear();
  if (event.process == nullptr)
    return false;
  auto* m = out.mutable_process_exit();
  fill_process(*event.process, false, *m->mutable_process());
  if (event.parent != nullptr)
    fill_process(*event.parent, false, *m->mutable_parent());
  m->set_signal(std::string(exporters::signal_name(event.signal)));
  m->set_status(event.status);
  set_timestamp(event.time_ns, *m->mutable_time());
  for (const events::Process* a : event.ancestors)
    if (a != nullptr)
      fill_process(*a, false, *m->add_ancestors());
  fill_tail(event.time_ns, out);
  return true;
}

bool EventToProto::convert(const events::KprobeEvent& event,
                           tetragon::GetEventsResponse& out) const {
  out.Clear();
  if (event.process == nullptr)
    return false;
  auto* m = out.mutable_process_kprobe();
  fill_common(event, *m);
  m->set_function_name(utf8(event.function_name));
  if (event.return_arg)
    fill_argument(*event.return_arg, *m->mutable_return_());
  m->set_return_action(static_cast<tetragon::KprobeAction>(event.return_action));
  fill_stack(event.kernel_stack_trace, *m->mutable_kernel_stack_trace());
  fill_stack(event.user_stack_trace, *m->mutable_user_stack_trace());
  fill_tail(event.time_ns, out);
  return true;
}

bool EventToProto::convert(const events::TracepointEvent& event,
                           tetragon::GetEventsResponse& out) const {
  out.Clear();
  if (event.process == nullptr)
    return false;
  auto* m = out.mutable_process_tracepoint();
  fill_common(event, *m);
  m->set_subsys(utf8(event.subsys));
  m->set_event(utf8(event.event));
  fill_tail(event.time_ns, out);
  return true;
}

bool EventToProto::convert(const events::UprobeEvent& event,
                           tetragon::GetEventsResponse& out) const {
  out.Clear();
  if (event.process == nullptr)
    return false;
  auto* m = out.mutable_process_uprobe();
  fill_common(event, *m);
  m->set_path(utf8(event.path));
  m->set_symbol(utf8(event.symbol));
  m->set_offset(event.offset);
  m->set_ref_ctr_offset(event.ref_ctr_offset);
  // A uretprobe's value (JSON "return") has no field in ProcessUprobe: it is JSON-only.
  fill_tail(event.time_ns, out);
  return true;
}

bool EventToProto::convert(const events::UsdtEvent& event,
                           tetragon::GetEventsResponse& out) const {
  out.Clear();
  if (event.process == nullptr)
    return false;
  auto* m = out.mutable_process_usdt();
  fill_common(event, *m);
  m->set_path(utf8(event.path));
  m->set_provider(utf8(event.provider));
  m->set_name(utf8(event.name));
  fill_tail(event.time_ns, out);
  return true;
}

bool EventToProto::convert(const events::LsmEvent& event,
                           tetragon::GetEventsResponse& out) const {
  out.Clear();
  if (event.process == nullptr)
    return false;
  auto* m = out.mutable_process_lsm();
  fill_common(event, *m);
  m->set_function_name(utf8(event.function_name));
  m->set_ima_hash(utf8(event.ima_hash));
  fill_tail(event.time_ns, out);
  return true;
}

bool EventToProto::convert(const events::LoaderEvent& event,
                           tetragon::GetEventsResponse& out) const {
  out.Clear();
  if (event.process == nullptr)
    return false;
  auto* m = out.mutable_process_loader();
  fill_process(*event.process, false, *m->mutable_process());
  m->set_path(utf8(event.path));
  m->set_buildid(event.buildid);  // bytes: no UTF-8 repair
  if (event.parent != nullptr)
    fill_process(*event.parent, false, *m->mutable_parent());
  for (const events::Process* a : event.ancestors)
    if (a != nullptr)
      fill_process(*a, false, *m->add_ancestors());
  fill_tail(event.time_ns, out);
  return true;
}

} // namespace octagon::api
