// Processes shared by the exporter tests: the curl/bash pair from Tetragon's documented
// process_exec example (compat reference 2.3), with the pod data left out.
#pragma once

#include <octagon/events/exec_id.h>
#include <octagon/events/process.h>

#include <cstdint>

namespace octagon::exporters::fixtures {

inline constexpr char kDocNode[] = "gke-john-632-default-pool-7041cac0-9s95";
// Chosen so that the curl process' start_ktime maps to the documented start_time.
inline constexpr int64_t kDocBootToWall = 1696616289026006207;
inline constexpr uint64_t kDocEventTime = 1696629837700326678; // 2023-10-06T22:03:57.700326678Z

inline events::Process doc_curl() {
  events::Process p;
  p.key = {52699, 13548674321373};
  p.exec_id = events::make_exec_id(kDocNode, 13548674321373, 52699);
  p.parent_exec_id = events::make_exec_id(kDocNode, 13548670883299, 52699);
  p.pid = p.tid = 52699;
  p.auid = events::kInvalidUid;
  p.cwd = "/";
  p.binary = "/usr/bin/curl";
  p.arguments = "https://ebpf.io/applications/#tetragon";
  p.flags = events::kFlagExecve | events::kFlagRootCwd;
  p.start_ktime = 13548674321373; // 2023-10-06T22:03:57.700327580Z
  p.docker = "551e161c47d8ff0eb665438a7bcd5b4";
  return p;
}

inline events::Process doc_bash() {
  events::Process p;
  p.key = {52699, 13548670883299};
  p.exec_id = events::make_exec_id(kDocNode, 13548670883299, 52699);
  p.parent_exec_id = events::make_exec_id(kDocNode, 13548645245839, 52689);
  p.pid = p.tid = 52699;
  p.auid = events::kInvalidUid;
  p.cwd = "/";
  p.binary = "/bin/bash";
  p.arguments = "-c \"curl https://ebpf.io/applications/#tetragon\"";
  p.flags = events::kFlagExecve | events::kFlagRootCwd | events::kFlagClone;
  p.start_ktime = 13548670883605; // 2023-10-06T22:03:57.696889812Z
  p.docker = "551e161c47d8ff0eb665438a7bcd5b4";
  return p;
}

} // namespace octagon::exporters::fixtures
