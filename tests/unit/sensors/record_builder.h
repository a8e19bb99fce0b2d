// Builds process sensor records (abi/process.h) by hand, the way the BPF side lays them out,
// so decoding and event processing are tested without a kernel.
#pragma once

#include <abi/process.h>

#include <cstring>
#include <string>
#include <vector>

namespace octagon::testing {

struct ExecSpec {
  uint32_t pid = 100;
  uint64_t ktime = 5000;
  uint32_t ppid = 1;
  uint64_t pktime = 1000;
  uint32_t prev_pid = 0;
  uint64_t prev_ktime = 0;
  uint32_t flags = 0;
  std::string binary_components = std::string("true\0bin\0usr\0", 13);  // leaf first
  std::string cwd_components = std::string("tmp\0", 4);
  std::string args = std::string("/usr/bin/true\0a\0b c\0", 20);
  std::string cgroup = std::string("docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\0system.slice\0", 91);
  uint32_t uid = 1000, euid = 1000, file_mode = 0100755, file_uid = 0, nlink = 1;
};

inline std::vector<uint8_t> build_exec(const ExecSpec& s) {
  std::string data = s.binary_components + s.cwd_components + s.args + s.cgroup;
  std::vector<uint8_t> buf(sizeof(oct_exec_event) + data.size());
  oct_exec_event ev{};
  ev.hdr = {OCT_MSG_EXEC, OCTAGON_ABI_VERSION, 0, uint32_t(buf.size()), s.ktime};
  ev.key = {s.pid, 0, s.ktime};
  ev.parent = {s.ppid, 0, s.pktime};
  ev.prev = {s.prev_pid, 0, s.prev_ktime};
  ev.tid = s.pid;
  ev.flags = s.flags;
  ev.file_mode = s.file_mode;
  ev.file_uid = s.file_uid;
  ev.file_nlink = s.nlink;
  ev.file_ino = 4242;
  ev.creds.uid = s.uid;
  ev.creds.euid = s.euid;
  ev.creds.auid = 4294967295u;
  ev.creds.cap_effective = 1ull << 21;
  ev.binary_len = uint16_t(s.binary_components.size());
  ev.cwd_len = uint16_t(s.cwd_components.size());
  ev.args_len = uint16_t(s.args.size());
  ev.cgrp_len = uint16_t(s.cgroup.size());
  ev.args_total = ev.args_len;
  memcpy(buf.data(), &ev, sizeof(ev));
  memcpy(buf.data() + sizeof(ev), data.data(), data.size());
  return buf;
}

inline std::vector<uint8_t> build_exit(uint32_t pid, uint64_t ktime, uint32_t code, uint32_t flags = 0) {
  oct_exit_event ev{};
  ev.hdr = {OCT_MSG_EXIT, OCTAGON_ABI_VERSION, 0, sizeof(ev), ktime + 100};
  ev.key = {pid, 0, ktime};
  ev.tid = pid;
  ev.exit_code = code;
  ev.flags = flags;
  std::vector<uint8_t> buf(sizeof(ev));
  memcpy(buf.data(), &ev, sizeof(ev));
  return buf;
}

inline std::vector<uint8_t> build_clone(uint32_t pid, uint64_t ktime, uint32_t ppid, uint64_t pktime) {
  oct_clone_event ev{};
  ev.hdr = {OCT_MSG_CLONE, OCTAGON_ABI_VERSION, 0, sizeof(ev), ktime};
  ev.key = {pid, 0, ktime};
  ev.parent = {ppid, 0, pktime};
  ev.tid = pid;
  ev.flags = OCT_EF_CLONE;
  std::vector<uint8_t> buf(sizeof(ev));
  memcpy(buf.data(), &ev, sizeof(ev));
  return buf;
}

}  // namespace octagon::testing
