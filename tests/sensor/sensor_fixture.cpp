#include "sensor/sensor_fixture.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <octagon/bpf/libbpf_log.h>
#include <octagon/daemon/procfs_seed.h>

extern char** environ;

namespace octagon::testing {

void RecordingSink::on_exec(const events::ExecEvent& ev) {
  Recorded r{Recorded::kExec, *ev.process, std::nullopt, ev.ancestors.size(), 0, 0};
  if (ev.parent) r.parent = *ev.parent;
  std::lock_guard<std::mutex> l(mu_);
  events_.push_back(std::move(r));
  cv_.notify_all();
}

void RecordingSink::on_exit(const events::ExitEvent& ev) {
  Recorded r{Recorded::kExit, *ev.process, std::nullopt, ev.ancestors.size(), ev.status, ev.signal};
  if (ev.parent) r.parent = *ev.parent;
  std::lock_guard<std::mutex> l(mu_);
  events_.push_back(std::move(r));
  cv_.notify_all();
}

std::optional<Recorded> RecordingSink::wait_for(const std::function<bool(const Recorded&)>& pred,
                                                std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(mu_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t checked = 0;
  while (true) {
    for (; checked < events_.size(); checked++)
      if (pred(events_[checked])) return events_[checked];
    if (cv_.wait_until(l, deadline) == std::cv_status::timeout) {
      for (; checked < events_.size(); checked++)
        if (pred(events_[checked])) return events_[checked];
      return std::nullopt;
    }
  }
}

std::vector<Recorded> RecordingSink::all(const std::function<bool(const Recorded&)>& pred) {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<Recorded> out;
  for (const auto& e : events_)
    if (pred(e)) out.push_back(e);
  return out;
}

std::string LiveSensor::skip_reason() {
  if (geteuid() != 0) return "sensor tests need root (they load BPF programs)";
  if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) return "sensor tests need kernel BTF";
  return "";
}

LiveSensor& LiveSensor::instance() {
  static LiveSensor* s = [] {
    auto* ls = new LiveSensor();
    bpf::install_libbpf_logger();
    sensors::ProcessSensorConfig cfg;
    cfg.args_cap = 256;  // small, so tests can exceed it
    auto sensor = sensors::ProcessSensor::create(cfg, ls->probe_);
    if (!sensor) {
      ADD_FAILURE() << "sensor failed to start: " << sensor.error().describe();
      std::abort();
    }
    ls->sensor_ = std::move(*sensor);
    daemon::ProcessorOptions opts{"test-node", true, 16};
    ls->processor_ = std::make_unique<daemon::EventProcessor>(opts, ls->cache_, ls->clock_);
    ls->processor_->add_sink(&ls->sink_);
    if (auto seeded = daemon::seed_from_procfs(*ls->processor_, *ls->sensor_, "/proc", 256); !seeded) {
      ADD_FAILURE() << "procfs seed failed: " << seeded.error().describe();
      std::abort();
    }
    auto reader = bpf::RingBufferReader::create(ls->sensor_->ring_buffer_fd(), *ls->processor_);
    if (!reader) std::abort();
    ls->reader_ = std::move(*reader);
    ls->thread_ = std::thread([ls] {
      while (!ls->stop_.load()) (void)ls->reader_->poll(5);
    });
    return ls;
  }();
  return *s;
}

LiveSensor::~LiveSensor() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& cwd) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  int err = posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (err != 0) return -1;
  return pid;
}

int wait_status(pid_t pid) {
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return st;
}

std::string testprog(const std::string& name) { return std::string(OCTAGON_TESTPROGS_DIR) + "/" + name; }

}  // namespace octagon::testing
