#include <octagon/sensors/process/decoder.h>

#include <abi/process.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <octagon/events/args.h>
#include <octagon/events/container_id.h>

namespace octagon::sensors {
namespace {

using events::Process;

static_assert(sizeof(oct_exec_event) % 8 == 0, "exec record data must start 8-aligned");

template <typename T>
Result<const T*> view(const void* data, size_t size, const char* what) {
  if (size < sizeof(T))
    return make_error(EPROTO, std::string(what) + " record too short: " + std::to_string(size) +
                                  " < " + std::to_string(sizeof(T)) + " bytes");
  return static_cast<const T*>(data);
}

uint32_t map_flags(uint32_t k) {
  uint32_t f = events::kFlagExecve;
  if (k & OCT_EF_CLONE) f |= events::kFlagClone;
  if (k & OCT_EF_TRUNC_ARGS) f |= events::kFlagTruncArgs;
  if (k & OCT_EF_ERR_ARGS) f |= events::kFlagErrorArgs;
  if (k & OCT_EF_ERR_FILENAME) f |= events::kFlagErrorFilename;
  if (k & OCT_EF_TRUNC_FILENAME) f |= events::kFlagTruncFilename | events::kFlagErrorPathResolution;
  if (k & OCT_EF_ERR_CWD) f |= events::kFlagErrorCwd;
  if (k & (OCT_EF_TRUNC_CWD | OCT_EF_CWD_OUTSIDE_ROOT)) f |= events::kFlagErrorPathResolutionCwd;
  if (k & OCT_EF_ERR_CGROUP) f |= events::kFlagErrorCgroupName;
  if (k & OCT_EF_ERR_CREDS) f |= events::kFlagErrorCreds;
  return f;
}

void fill_binary_properties(const oct_exec_event& ev, Process& p) {
  auto& bp = p.binary_properties;
  bp = {};
  if ((ev.file_mode & S_ISUID) && ev.creds.euid == ev.file_uid && ev.creds.uid != ev.creds.euid) {
    bp.has_setuid = true;
    bp.setuid = ev.file_uid;
    bp.privileges_changed |= events::kPrivRaisedExecFileSetuid;
  }
  if ((ev.file_mode & S_ISGID) && ev.creds.egid == ev.file_gid && ev.creds.gid != ev.creds.egid) {
    bp.has_setgid = true;
    bp.setgid = ev.file_gid;
    bp.privileges_changed |= events::kPrivRaisedExecFileSetgid;
  }
  if (ev.file_nlink == 0) {
    bp.fileless = true;
    bp.inode = ev.file_ino;
    bp.links = 0;
    bp.path = p.binary;
  }
}

}  // namespace

void assemble_path(std::string_view components, std::string& out) {
  out.clear();
  // Components arrive leaf first; walk them from the end to emit root first.
  size_t end = components.size();
  while (end > 0 && components[end - 1] == '\0') end--;
  while (end > 0) {
    size_t start = components.rfind('\0', end - 1);
    start = (start == std::string_view::npos) ? 0 : start + 1;
    out += '/';
    out.append(components.data() + start, end - start);
    end = start > 0 ? start - 1 : 0;
  }
  if (out.empty()) out = "/";
}

Result<uint8_t> record_op(const void* data, size_t size) {
  OCTAGON_ASSIGN_OR_RETURN(const oct_msg_hdr* h, view<oct_msg_hdr>(data, size, "message"));
  if (h->abi_version != OCTAGON_ABI_VERSION)
    return make_error(EPROTO, "record ABI version " + std::to_string(h->abi_version) +
                                  ", agent expects " + std::to_string(OCTAGON_ABI_VERSION));
  if (h->size > size)
    return make_error(EPROTO, "record claims " + std::to_string(h->size) + " bytes, ring gave " +
                                  std::to_string(size));
  if (h->op == 0 || h->op >= OCT_MSG_OP_MAX)
    return make_error(EPROTO, "unknown record op " + std::to_string(h->op));
  return h->op;
}

Result<void> decode_exec(const void* data, size_t size, DecodedExec& out) {
  OCTAGON_ASSIGN_OR_RETURN(const oct_exec_event* ev, view<oct_exec_event>(data, size, "exec"));
  size_t data_len = std::min<size_t>(ev->hdr.size, size) - sizeof(*ev);
  size_t need = size_t(ev->binary_len) + ev->cwd_len + ev->args_len + ev->cgrp_len;
  if (need > data_len)
    return make_error(EPROTO, "exec record sections (" + std::to_string(need) +
                                  " bytes) exceed its data (" + std::to_string(data_len) + ")");
  const char* d = reinterpret_cast<const char*>(ev) + sizeof(*ev);
  std::string_view binary(d, ev->binary_len);
  std::string_view cwd(d + ev->binary_len, ev->cwd_len);
  std::string_view args(d + ev->binary_len + ev->cwd_len, ev->args_len);
  std::string_view cgroup(d + ev->binary_len + ev->cwd_len + ev->args_len, ev->cgrp_len);

  Process& p = out.process;
  p.key = {ev->key.pid, ev->key.ktime};
  p.parent_key = {ev->parent.pid, ev->parent.ktime};
  p.exec_id.clear();
  p.parent_exec_id.clear();
  p.pid = ev->key.pid;
  p.tid = ev->tid;
  p.nspid = ev->nspid;
  p.auid = ev->creds.auid;
  p.creds = {ev->creds.uid, ev->creds.gid, ev->creds.euid, ev->creds.egid,
             ev->creds.suid, ev->creds.sgid, ev->creds.fsuid, ev->creds.fsgid};
  p.cap = {ev->creds.cap_permitted, ev->creds.cap_effective, ev->creds.cap_inheritable};
  const auto& n = ev->ns;
  p.ns = {n.uts, n.ipc, n.mnt, n.pid, n.pid_for_children, n.net, n.time, n.time_for_children,
          n.cgroup, n.user};
  p.cgroup_id = ev->cgroup_id;
  p.start_ktime = ev->key.ktime;
  p.flags = map_flags(ev->flags);
  p.refcnt = 0;

  if (p.flags & events::kFlagErrorFilename) p.binary.clear();
  else assemble_path(binary, p.binary);
  if (ev->file_nlink == 0 && !p.binary.empty()) p.binary += " (deleted)";
  if (p.flags & events::kFlagErrorCwd) {
    p.cwd.clear();
    p.flags |= events::kFlagNoCwd;
  } else {
    assemble_path(cwd, p.cwd);
    if (p.cwd == "/") p.flags |= events::kFlagRootCwd;
  }
  p.arguments = events::join_arguments(args, /*skip_argv0=*/true);

  size_t leaf_end = cgroup.find('\0');
  std::string_view leaf = cgroup.substr(0, leaf_end);
  std::string_view parent = leaf_end == std::string_view::npos ? std::string_view{}
                                                               : cgroup.substr(leaf_end + 1);
  if (size_t e = parent.find('\0'); e != std::string_view::npos) parent = parent.substr(0, e);
  p.docker = events::docker_field(events::container_id_from_cgroup(leaf, parent));
  fill_binary_properties(*ev, p);

  out.prev = {ev->prev.pid, ev->prev.ktime};
  out.ktime = ev->hdr.ktime;
  return ok();
}

Result<void> decode_exit(const void* data, size_t size, DecodedExit& out) {
  OCTAGON_ASSIGN_OR_RETURN(const oct_exit_event* ev, view<oct_exit_event>(data, size, "exit"));
  out.key = {ev->key.pid, ev->key.ktime};
  out.tid = ev->tid;
  out.exit_code = ev->exit_code;
  out.known = !(ev->flags & OCT_EF_NO_ENTRY);
  out.ktime = ev->hdr.ktime;
  return ok();
}

Result<void> decode_clone(const void* data, size_t size, DecodedClone& out) {
  OCTAGON_ASSIGN_OR_RETURN(const oct_clone_event* ev, view<oct_clone_event>(data, size, "clone"));
  out.key = {ev->key.pid, ev->key.ktime};
  out.parent = {ev->parent.pid, ev->parent.ktime};
  out.tid = ev->tid;
  out.cgroup_id = ev->cgroup_id;
  out.ktime = ev->hdr.ktime;
  return ok();
}

}  // namespace octagon::sensors
