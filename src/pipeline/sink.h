// Sink: where exported bytes end up (a rotating file, stdout, a test double).
// Lives in the pipeline layer so ExportWorker can drive it; exporters/sinks implements it.
#pragma once

#include <octagon/base/result.h>

#include <string_view>

namespace octagon::pipeline {

class Sink {
 public:
  virtual ~Sink() = default;

  // Writes all of `data` or returns an error (naming the sink and errno). Called from one
  // thread at a time; never throws. `data` is one or more whole newline-terminated records.
  [[nodiscard]] virtual Result<void> write(std::string_view data) = 0;

  // Short stable name for logs and the status report ("stdout", "file:/var/log/x.log").
  virtual const char* name() const = 0;
};

}  // namespace octagon::pipeline
