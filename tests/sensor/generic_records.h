// Collects the generic (policy) records a ring buffer delivers, with their argument bytes.
#pragma once

#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include <abi/generic.h>
#include <octagon/bpf/ring_buffer_reader.h>
#include <octagon/sensors/process/decoder.h>

namespace octagon::testing {

struct PolicyRecord {
  oct_gen_event ev;
  std::vector<std::string> args;
};

class PolicyRecordReader : public bpf::RecordHandler {
 public:
  void on_record(const void* data, size_t size) override {
    auto op = sensors::record_op(data, size);
    if (!op || *op != OCT_MSG_GENERIC || size < sizeof(oct_gen_event)) return;
    PolicyRecord r;
    memcpy(&r.ev, data, sizeof(r.ev));
    const char* p = static_cast<const char*>(data) + sizeof(oct_gen_event);
    const char* end = static_cast<const char*>(data) + size;
    for (int i = 0; i < r.ev.nargs && i < OCT_GEN_MAX_ARGS; i++) {
      size_t n = r.ev.arg_len[i];
      if (p + n > end) break;
      r.args.emplace_back(p, n);
      p += n;
    }
    got.push_back(std::move(r));
  }
  std::vector<PolicyRecord> got;
};

}  // namespace octagon::testing
