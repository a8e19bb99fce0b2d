#include "sensor/selector_rig.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <sstream>

#include <octagon/daemon/policy_manager.h>
#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>
#include <octagon/sensors/process/decoder.h>

#include <gtest/gtest.h>

namespace octagon::testing {

SelectorRig::SelectorRig() {
  sensors::ProcessSensorConfig cfg;
  auto s = sensors::ProcessSensor::create(cfg, probe_);
  if (!s) {
    ADD_FAILURE() << s.error().describe();
    return;
  }
  sensor_ = std::move(*s);
  auto rb = bpf::RingBufferReader::create(sensor_->ring_buffer_fd(), reader_);
  if (!rb) {
    ADD_FAILURE() << rb.error().describe();
    return;
  }
  rb_ = std::move(*rb);
}

Result<void> SelectorRig::load(const std::string& yaml) {
  if (!sensor_) return make_error(EINVAL, "no process sensor");
  OCTAGON_ASSIGN_OR_RETURN(policy::TracingPolicy p, policy::parse_policy(yaml, "test.yaml"));
  OCTAGON_ASSIGN_OR_RETURN(auto kernel, daemon::TracefsKernelFacts::create());
  OCTAGON_ASSIGN_OR_RETURN(policy::CompiledPolicy c, policy::compile_policy(p, *kernel));
  for (policy::HookPlan& h : c.hooks) {
    OCTAGON_ASSIGN_OR_RETURN(auto enter, sensors::GenericHook::create(h.enter.target, h.enter.config, *sensor_,
                                                                       nullptr, h.enter.inmap, h.enter.binaries));
    const sensors::GenericHook* pair = enter.get();
    hooks_.push_back(std::move(enter));
    if (h.exit) {
      OCTAGON_ASSIGN_OR_RETURN(auto exit, sensors::GenericHook::create(h.exit->target, h.exit->config, *sensor_,
                                                                        pair, h.exit->inmap, h.exit->binaries));
      hooks_.push_back(std::move(exit));
    }
  }
  return ok();
}

std::vector<PolicyRecord> SelectorRig::of(pid_t pid) {
  if (rb_) (void)rb_->poll(0);
  std::vector<PolicyRecord> out;
  for (const auto& r : reader_.got)
    if (r.ev.key.pid == uint32_t(pid)) out.push_back(r);
  return out;
}

std::vector<int> SelectorRig::per_selector(pid_t pid) {
  std::vector<int> n(OCT_GEN_MAX_SELECTORS, 0);
  for (const auto& r : of(pid))
    if (r.ev.selector < OCT_GEN_MAX_SELECTORS) n[r.ev.selector]++;
  return n;
}

ChildRun run_child(const std::vector<std::string>& argv) {
  ChildRun out;
  int p[2];
  if (pipe(p) != 0) return out;
  out.pid = fork();
  if (out.pid == 0) {
    dup2(p[1], 1);
    close(p[0]);
    close(p[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(p[1]);
  std::string text;
  char buf[512];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof buf)) > 0) text.append(buf, size_t(n));
  close(p[0]);
  waitpid(out.pid, &out.status, 0);
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) out.pids[line.substr(0, eq)] = pid_t(std::stoi(line.substr(eq + 1)));
  }
  return out;
}

std::string openat_policy(const std::vector<std::pair<std::string, std::string>>& selectors) {
  std::string y =
      "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: selectors}\nspec:\n"
      "  kprobes:\n  - call: sys_openat\n    args: [{index: 1, type: string}]\n    selectors:\n";
  for (const auto& [filter, path] : selectors) {
    y += "    - matchArgs: [{index: 1, operator: Equal, values: [\"" + path + "\"]}]\n";
    if (!filter.empty()) y += "      " + filter + "\n";
  }
  return y;
}

}  // namespace octagon::testing
