#include "e2e/kfunc_examples.h"

#include <fcntl.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace octagon::testing {

namespace fs = std::filesystem;
using nlohmann::json;

void KfuncExamplesBase::SetUp() {
  if (geteuid() != 0) GTEST_SKIP() << "loading policies needs root";
  dir_ = fs::temp_directory_path() / ("octagon-kex-" + std::to_string(getpid()));
  fs::create_directories(dir_);
}

void KfuncExamplesBase::TearDown() {
  if (!dir_.empty()) fs::remove_all(dir_);
}

std::string KfuncExamplesBase::example(const std::string& name,
                                       const std::vector<std::pair<std::string, std::string>>& edits) {
  std::string path = std::string(OCTAGON_SOURCE_DIR) + "/tests/fixtures/policies/tetragon-examples/" + name;
  if (edits.empty()) return path;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  for (const auto& [from, to] : edits) {
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << name << " has no " << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
  }
  std::string out = (dir_ / name).string();
  std::ofstream(out) << s;
  return out;
}

namespace {

// The kernel mechanism an agent's refusal says is missing, or "".
std::string missing_mechanism(const std::string& err) {
  if (err.find("needs kprobes or BPF trampolines") != std::string::npos) return "kprobe";
  if (err.find("needs BPF trampolines (fentry/fexit)") != std::string::npos) return "fentry";
  if (err.find("needs BPF-LSM") != std::string::npos) return "lsm";
  return "";
}

}  // namespace

std::string KfuncExamplesBase::policy_dir(
    const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>& examples) {
  fs::path d = dir_ / "policies";
  fs::create_directories(d);
  for (const auto& [name, edits] : examples) {
    std::string from = example(name, edits);
    fs::copy_file(from, d / name, fs::copy_options::overwrite_existing);
  }
  return d.string();
}

std::unique_ptr<AgentProcess> KfuncExamplesBase::start(const std::vector<std::string>& args) {
  missing_.clear();
  std::vector<std::string> all = args;
  all.insert(all.end(), {"--node-name", "vm"});
  auto agent = std::make_unique<AgentProcess>(dir_.string(), all);
  // Under the VM tier's emulation each BPF object takes seconds to verify.
  if (agent->wait_stderr("exporting events", std::chrono::seconds(300))) return agent;
  err_ = agent->err();
  missing_ = missing_mechanism(err_);
  return nullptr;
}

std::vector<json> KfuncExamplesBase::collect(AgentProcess& agent, const std::string& type,
                                             const std::function<bool(const json&)>& pred, size_t want) {
  auto found = [&] {
    std::vector<json> out;
    for (const auto& line : lines_with(agent.out(), type)) {
      json j = json::parse(line);
      if (pred(j[type])) out.push_back(j[type]);
    }
    return out;
  };
  std::vector<json> events;
  for (int i = 0; i < 200 && events.size() < want; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    events = found();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  events = found();
  err_ = agent.err();
  return events;
}

int run_child(const std::function<int()>& body, pid_t* pid_out) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  if (pid_out) *pid_out = pid;
  int st = 0;
  waitpid(pid, &st, 0);
  return st;
}

int run_program(const std::vector<std::string>& args, pid_t* pid_out) {
  return run_child(
      [&] {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        return 127;
      },
      pid_out);
}

std::string testprog(const std::string& name) { return std::string(OCTAGON_TESTPROGS_DIR) + "/" + name; }

}  // namespace octagon::testing
