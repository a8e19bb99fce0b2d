// Runs the real `octagon` binary as a child process for end-to-end tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace octagon::testing {

class AgentProcess {
 public:
  // Starts `octagon agent ARGS...` with stdout and stderr captured into files in `dir`. Without
  // a --server-address in ARGS, the gRPC API listens on unix://DIR/api.sock.
  AgentProcess(const std::string& dir, const std::vector<std::string>& args);
  ~AgentProcess();

  // Waits until stderr contains `needle` (true) or the child exits / time runs out (false).
  bool wait_stderr(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Sends SIGINT and waits; returns the exit status (or -1 on timeout, after SIGKILL).
  int stop();
  // Waits (at most 30 s, then kills it and fails the test) for the child to exit on its own;
  // returns the wait status, -1 when it had to be killed.
  int wait();

  std::string out() const;  // everything written to stdout so far
  std::string err() const;
  pid_t pid() const { return pid_; }

 private:
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
};

std::string read_file(const std::string& path);
// Lines of `text` that parse as JSON objects with the given top-level key.
std::vector<std::string> lines_with(const std::string& text, const std::string& key);

}  // namespace octagon::testing
