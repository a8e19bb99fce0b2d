#include "e2e/agent_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

namespace octagon::testing {

AgentProcess::AgentProcess(const std::string& dir, const std::vector<std::string>& args)
    : out_path_(dir + "/agent.out"), err_path_(dir + "/agent.err") {
  pid_ = fork();
  if (pid_ == 0) {
    int o = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(o, 1);
    dup2(e, 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(OCTAGON_BINARY));
    argv.push_back(const_cast<char*>("agent"));
    bool has_server_address = false;
    for (const auto& a : args) {
      argv.push_back(const_cast<char*>(a.c_str()));
      if (a.rfind("--server-address", 0) == 0) has_server_address = true;
    }
    // Each test agent gets its own gRPC socket unless the test chooses one, so test agents never
    // compete for the default socket (nor with an agent running on the machine).
    std::string flag = "--server-address=unix://" + dir + "/api.sock";
    if (!has_server_address) argv.push_back(const_cast<char*>(flag.c_str()));
    argv.push_back(nullptr);
    execv(OCTAGON_BINARY, argv.data());
    _exit(127);
  }
}

AgentProcess::~AgentProcess() {
  if (pid_ > 0) stop();
}

bool AgentProcess::wait_stderr(const std::string& needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (err().find(needle) != std::string::npos) return true;
    int st;
    if (pid_ > 0 && waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return err().find(needle) != std::string::npos;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int AgentProcess::stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGINT);
  for (int i = 0; i < 500; i++) {
    int st;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return st;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return -1;
}

int AgentProcess::wait() {
  int st = -1;
  if (pid_ <= 0) return st;
  // An agent that should have exited but keeps running fails the test instead of hanging it.
  for (int i = 0; i < 3000; i++) {
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return st;
    }
    usleep(10000);
  }
  ADD_FAILURE() << "the agent did not exit within 30 s; killed";
  kill(pid_, SIGKILL);
  waitpid(pid_, &st, 0);
  pid_ = -1;
  return -1;
}

std::string AgentProcess::out() const { return read_file(out_path_); }
std::string AgentProcess::err() const { return read_file(err_path_); }

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_with(const std::string& text, const std::string& key) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  std::string prefix = "{\"" + key + "\":";
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  return out;
}

}  // namespace octagon::testing
