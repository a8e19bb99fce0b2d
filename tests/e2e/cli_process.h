// Runs the `octagon` CLI (getevents, status, version) as a child process for end-to-end tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace octagon::testing {

struct CliResult {
  int status = -1; // wait status; -1 when it had to be killed
  std::string out, err;
};

// Runs `octagon ARGS...` to completion with stdin from `stdin_path`.
CliResult run_cli(const std::string& dir, const std::vector<std::string>& args,
                  const std::string& stdin_path = "/dev/null",
                  std::chrono::seconds timeout = std::chrono::seconds(20));

// `octagon ARGS...` in the background (e.g. a getevents stream), stdin /dev/null.
class CliProcess {
public:
  CliProcess(const std::string& dir, const std::string& name, const std::vector<std::string>& args);
  ~CliProcess();
  int stop(); // SIGTERM, wait; returns the wait status
  std::string out() const;
  std::string err() const;

private:
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
};

} // namespace octagon::testing
