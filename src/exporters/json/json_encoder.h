// Tetragon-compatible JSON lines (protojson with UseProtoNames) for process events.
#pragma once

#include <octagon/events/policy_event.h>
#include <octagon/events/process.h>
#include <octagon/exporters/json/time_format.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace octagon::exporters {

// Encodes events as one JSON object per line, byte-compatible with `tetra getevents -o json`
// for the fields Octagon knows (compat reference, sections 2.1-2.3):
//   {"process_exec":{"process":{…},"parent":{…},"ancestors":[…]},"node_name":"…","time":"…"}
//   {"process_exit":{"process":{…},"parent":{…},"signal":"SIGKILL","status":1,"time":"…",
//    "ancestors":[…]},"node_name":"…","time":"…"}
//   {"process_kprobe":{"process":{…},"parent":{…},"function_name":"…","args":[…],"return":{…},
//    "action":"KPROBE_ACTION_POST","policy_name":"…","return_action":"…","message":"…",
//    "tags":[…],"ancestors":[…]},"node_name":"…","time":"…"}
//   {"process_tracepoint":{…,"subsys":"…","event":"…","args":[…],"policy_name":"…","action":"…",
//    "message":"…","tags":[…],"ancestors":[…]},…}
//   {"process_uprobe":{…,"path":"…","symbol":"…","policy_name":"…","message":"…","args":[…],
//    "tags":[…],"ancestors":[…],"offset":"872080","action":"…"},…}
// (policy events: policy_json_encoder.cpp; arguments: argument_json.h).
// protojson rules: keys in proto declaration order; zero scalars and empty strings omitted;
// wrapper fields (pid, uid, auid, tid, credentials, setuid/setgid, links) always printed;
// 64-bit integers as JSON strings; enums by name; timestamps with 0/3/6/9 fraction digits.
//
// Hot path: encode() appends into the caller's reused buffer; no allocation once the buffer has
// grown to its working size. Not thread-safe (it owns timestamp caches); use one per thread.
class JsonEncoder {
public:
  JsonEncoder(std::string_view node_name, const events::RenderOptions& options);

  // wall-clock ns = boot-time ns + offset; used for start_time (Process::start_ktime).
  void set_boot_to_wall_ns(int64_t offset) { boot_to_wall_ns_ = offset; }

  // The host's namespaces: a process namespace with the same inum gets "is_host":true.
  void set_host_namespaces(const events::Namespaces& host) {
    host_ns_ = host;
    have_host_ns_ = true;
    for (auto& m : ns_memo_)
      m.valid = false; // is_host depends on it
  }

  // Each appends exactly one line ending in '\n'; nothing when event.process is null.
  void encode(const events::ExecEvent& event, std::string& out);
  void encode(const events::ExitEvent& event, std::string& out);
  void encode(const events::KprobeEvent& event, std::string& out);
  void encode(const events::TracepointEvent& event, std::string& out);
  void encode(const events::UprobeEvent& event, std::string& out);
  void encode(const events::UsdtEvent& event, std::string& out);
  void encode(const events::LsmEvent& event, std::string& out);
  void encode(const events::LoaderEvent& event, std::string& out);

private:
  // `open` (`{"process_kprobe":{"process":`), the process, and the parent when known.
  void append_policy_head(std::string_view open, const events::PolicyEventCommon& event,
                          std::string& out);
  // `binary_properties` is only rendered for the process of an exec event (as in Tetragon).
  void append_process(const events::Process& p, bool binary_properties, std::string& out);
  void append_ancestors(const std::vector<const events::Process*>& ancestors, std::string& out);
  void append_namespaces(const events::Namespaces& ns, std::string& out) const;
  static void append_caps(const events::Capabilities& cap, std::string& out);

  // The rendered "cap" and "ns" blocks of the last two sets seen. Processes mostly share them
  // (a root shell's children, a container's processes), and they are the longest part of a
  // process object; the memo strings keep their capacity, so hits and misses don't allocate.
  template <typename Key> struct Memo {
    Key key{};
    std::string json;
    bool valid = false;
  };
  template <typename Key, typename Render>
  static const std::string& memoized(Memo<Key> (&memo)[2], unsigned& next, const Key& key,
                                     Render&& render);
  void append_tail(uint64_t time_ns, std::string& out);

  events::RenderOptions options_;
  std::string node_tail_; // `},"node_name":"<escaped>","time":"`, written once
  int64_t boot_to_wall_ns_ = 0;
  events::Namespaces host_ns_;
  bool have_host_ns_ = false;
  Memo<events::Capabilities> cap_memo_[2];
  Memo<events::Namespaces> ns_memo_[2];
  unsigned cap_memo_next_ = 0;
  unsigned ns_memo_next_ = 0;
  TimeFormatter event_time_;
  TimeFormatter start_time_;
};

} // namespace octagon::exporters
