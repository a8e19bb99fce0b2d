#include <octagon/api/proto_to_event.h>

#include <octagon/exporters/json/tetragon_names.h>

namespace octagon::api {

using events::Argument;

uint64_t timestamp_ns(const google::protobuf::Timestamp& t) {
  if (t.seconds() < 0)
    return 0;
  return static_cast<uint64_t>(t.seconds()) * 1000000000ull + static_cast<uint64_t>(t.nanos());
}

namespace {

uint64_t cap_mask(const google::protobuf::RepeatedField<int>& caps) {
  uint64_t m = 0;
  for (int c : caps)
    if (c >= 0 && c < 64)
      m |= 1ull << c;
  return m;
}

int signal_number(const std::string& name) {
  for (int s = 1; s <= 64; s++)
    if (exporters::signal_name(s) == name)
      return s;
  return 0;
}

template <typename FileMsg> void file_from(const FileMsg& f, Argument& out) {
  out.s = f.path();
  out.flags = f.flags();
  out.permission = f.permission();
}

template <typename Msg>
void common_from(const Msg& m, events::Process& process, events::Process& parent,
                 events::PolicyEventCommon& out) {
  process_from_proto(m.process(), process);
  out.process = &process;
  out.parent = nullptr;
  if (m.has_parent()) {
    process_from_proto(m.parent(), parent);
    out.parent = &parent;
  }
  out.policy_name = m.policy_name();
  out.action = static_cast<events::KprobeAction>(m.action());
  out.message = m.message();
  out.tags.assign(m.tags().begin(), m.tags().end());
  out.args.clear();
  for (const auto& a : m.args())
    argument_from_proto(a, out.args.emplace_back());
}

} // namespace

void process_from_proto(const tetragon::Process& in, events::Process& out) {
  out = events::Process();
  out.exec_id = in.exec_id();
  out.parent_exec_id = in.parent_exec_id();
  out.pid = in.pid().value();
  out.tid = in.tid().value();
  out.auid = in.has_auid() ? in.auid().value() : events::kInvalidUid;
  out.creds.euid = in.uid().value();
  out.cwd = in.cwd();
  out.binary = in.binary();
  out.arguments = in.arguments();
  out.docker = in.docker();
  out.refcnt = in.refcnt();
  out.cap.permitted = cap_mask(in.cap().permitted());
  out.cap.effective = cap_mask(in.cap().effective());
  out.cap.inheritable = cap_mask(in.cap().inheritable());
}

void argument_from_proto(const tetragon::KprobeArgument& in, Argument& out) {
  out = Argument();
  out.label = in.label();
  switch (in.arg_case()) {
  case tetragon::KprobeArgument::kIntArg:
    out.kind = Argument::Kind::kInt;
    out.i = in.int_arg();
    break;
  case tetragon::KprobeArgument::kUintArg:
    out.kind = Argument::Kind::kUint;
    out.u = in.uint_arg();
    break;
  case tetragon::KprobeArgument::kLongArg:
    out.kind = Argument::Kind::kLong;
    out.i = in.long_arg();
    break;
  case tetragon::KprobeArgument::kSizeArg:
    out.kind = Argument::Kind::kSize;
    out.u = in.size_arg();
    break;
  case tetragon::KprobeArgument::kStringArg:
    out.kind = Argument::Kind::kString;
    out.s = in.string_arg();
    break;
  case tetragon::KprobeArgument::kBytesArg:
    out.kind = Argument::Kind::kBytes;
    out.s = in.bytes_arg();
    break;
  case tetragon::KprobeArgument::kTruncatedBytesArg:
    out.kind = Argument::Kind::kTruncatedBytes;
    out.s = in.truncated_bytes_arg().bytes_arg();
    out.u = in.truncated_bytes_arg().orig_size();
    break;
  case tetragon::KprobeArgument::kFileArg:
    out.kind = Argument::Kind::kFile;
    out.mount = in.file_arg().mount();
    file_from(in.file_arg(), out);
    break;
  case tetragon::KprobeArgument::kPathArg:
    out.kind = Argument::Kind::kPath;
    out.mount = in.path_arg().mount();
    file_from(in.path_arg(), out);
    break;
  case tetragon::KprobeArgument::kLinuxBinprmArg:
    out.kind = Argument::Kind::kLinuxBinprm;
    file_from(in.linux_binprm_arg(), out);
    break;
  case tetragon::KprobeArgument::kSyscallId:
    out.kind = Argument::Kind::kSyscallId;
    out.u = in.syscall_id().id();
    out.s = in.syscall_id().abi();
    break;
  case tetragon::KprobeArgument::kSockaddrArg:
    out.kind = Argument::Kind::kSockaddr;
    out.family = in.sockaddr_arg().family();
    out.s = in.sockaddr_arg().addr();
    out.u = in.sockaddr_arg().port();
    break;
  case tetragon::KprobeArgument::kCapabilityArg:
    out.kind = Argument::Kind::kCapability;
    out.i = in.capability_arg().value().value();
    out.s = in.capability_arg().name();
    break;
  case tetragon::KprobeArgument::kErrorArg:
    out.kind = Argument::Kind::kError;
    out.s = in.error_arg().message();
    break;
  case tetragon::KprobeArgument::kSockArg:
  case tetragon::KprobeArgument::kSkbArg:
  case tetragon::KprobeArgument::kBpfAttrArg:
  case tetragon::KprobeArgument::kPerfEventArg:
  case tetragon::KprobeArgument::kBpfMapArg:
  case tetragon::KprobeArgument::kUserNsArg:
  case tetragon::KprobeArgument::kModuleArg:
  case tetragon::KprobeArgument::kKernelCapTArg:
  case tetragon::KprobeArgument::kCapInheritableArg:
  case tetragon::KprobeArgument::kCapPermittedArg:
  case tetragon::KprobeArgument::kCapEffectiveArg:
  case tetragon::KprobeArgument::kBpfProgArg:
    kobject_from_proto(in, out);
    break;
  case tetragon::KprobeArgument::kProcessCredentialsArg:
  case tetragon::KprobeArgument::kSockaddrunArg:
    // No event-model kind in this branch yet (main has them: map them at merge).
  case tetragon::KprobeArgument::ARG_NOT_SET:
    out.kind = Argument::Kind::kError; // an argument kind this build does not know
    out.s = "unknown argument";
    break;
  }
}

bool ProtoEvent::encode(const tetragon::GetEventsResponse& e, exporters::CompactEncoder& encoder,
                        std::string& out) {
  const uint64_t time = timestamp_ns(e.time());
  switch (e.event_case()) {
  case tetragon::GetEventsResponse::kProcessExec: {
    const auto& m = e.process_exec();
    process_from_proto(m.process(), process_);
    exec_.process = &process_;
    exec_.parent = m.has_parent() ? (process_from_proto(m.parent(), parent_), &parent_) : nullptr;
    exec_.time_ns = time;
    encoder.encode(exec_, out);
    return true;
  }
  case tetragon::GetEventsResponse::kProcessExit: {
    const auto& m = e.process_exit();
    process_from_proto(m.process(), process_);
    exit_.process = &process_;
    exit_.parent = m.has_parent() ? (process_from_proto(m.parent(), parent_), &parent_) : nullptr;
    exit_.status = m.status();
    exit_.signal = signal_number(m.signal());
    exit_.time_ns = time;
    encoder.encode(exit_, out);
    return true;
  }
  case tetragon::GetEventsResponse::kProcessKprobe: {
    const auto& m = e.process_kprobe();
    common_from(m, process_, parent_, kprobe_);
    kprobe_.function_name = m.function_name();
    kprobe_.return_arg.reset();
    if (m.has_return_())
      argument_from_proto(m.return_(), kprobe_.return_arg.emplace());
    kprobe_.time_ns = time;
    encoder.encode(kprobe_, out);
    return true;
  }
  case tetragon::GetEventsResponse::kProcessTracepoint: {
    const auto& m = e.process_tracepoint();
    common_from(m, process_, parent_, tracepoint_);
    tracepoint_.subsys = m.subsys();
    tracepoint_.event = m.event();
    tracepoint_.time_ns = time;
    encoder.encode(tracepoint_, out);
    return true;
  }
  case tetragon::GetEventsResponse::kProcessUprobe: {
    const auto& m = e.process_uprobe();
    common_from(m, process_, parent_, uprobe_);
    uprobe_.path = m.path();
    uprobe_.symbol = m.symbol();
    uprobe_.offset = m.offset();
    uprobe_.time_ns = time;
    encoder.encode(uprobe_, out);
    return true;
  }
  case tetragon::GetEventsResponse::kProcessLsm: {
    const auto& m = e.process_lsm();
    common_from(m, process_, parent_, lsm_);
    lsm_.function_name = m.function_name();
    lsm_.ima_hash = m.ima_hash();
    lsm_.time_ns = time;
    encoder.encode(lsm_, out);
    return true;
  }
  case tetragon::GetEventsResponse::kProcessLoader: {
    const auto& m = e.process_loader();
    process_from_proto(m.process(), process_);
    loader_.process = &process_;
    loader_.parent = nullptr;
    if (m.has_parent()) {
      process_from_proto(m.parent(), parent_);
      loader_.parent = &parent_;
    }
    loader_.path = m.path();
    loader_.buildid = m.buildid();
    loader_.time_ns = time;
    encoder.encode(loader_, out);
    return true;
  }
  default:
    return false;
  }
}

} // namespace octagon::api
