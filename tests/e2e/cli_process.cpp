#include "e2e/cli_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "e2e/agent_process.h"

namespace octagon::testing {
namespace {

pid_t spawn_cli(const std::vector<std::string>& args, const std::string& in, const std::string& out,
                const std::string& err) {
  pid_t pid = fork();
  if (pid == 0) {
    int i = open(in.c_str(), O_RDONLY);
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(i, 0);
    dup2(o, 1);
    dup2(e, 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(OCTAGON_BINARY));
    for (const auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(OCTAGON_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

int wait_or_kill(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid)
      return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

} // namespace

CliResult run_cli(const std::string& dir, const std::vector<std::string>& args,
                  const std::string& stdin_path, std::chrono::seconds timeout) {
  const std::string out = dir + "/cli.out", err = dir + "/cli.err";
  pid_t pid = spawn_cli(args, stdin_path, out, err);
  CliResult r;
  r.status = wait_or_kill(pid, timeout);
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

CliProcess::CliProcess(const std::string& dir, const std::string& name,
                       const std::vector<std::string>& args)
    : out_path_(dir + "/" + name + ".out"), err_path_(dir + "/" + name + ".err") {
  pid_ = spawn_cli(args, "/dev/null", out_path_, err_path_);
}

CliProcess::~CliProcess() {
  stop();
}

int CliProcess::stop() {
  if (pid_ <= 0)
    return -1;
  kill(pid_, SIGTERM);
  int st = wait_or_kill(pid_, std::chrono::seconds(5));
  pid_ = -1;
  return st;
}

std::string CliProcess::out() const {
  return read_file(out_path_);
}
std::string CliProcess::err() const {
  return read_file(err_path_);
}

} // namespace octagon::testing
