// T3: process_exit from the real sensor: status, signals, thread groups, fork without exec.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

bool is_exit_of(const Recorded& r, pid_t pid) {
  return r.kind == Recorded::kExit && r.process.pid == uint32_t(pid);
}

TEST(ProcessExit, StatusCode) {
  OCTAGON_REQUIRE_SENSOR();
  auto& live = LiveSensor::instance();
  pid_t pid = spawn({testprog("exit_with"), "42"});
  ASSERT_EQ(WEXITSTATUS(wait_status(pid)), 42);
  auto e = live.sink().wait_for([pid](const Recorded& r) { return is_exit_of(r, pid); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 42u);
  EXPECT_EQ(e->signal, 0);
  // The exit carries the identity of the exec it ends.
  auto exec = live.sink().wait_for([pid](const Recorded& r) {
    return r.kind == Recorded::kExec && r.process.pid == uint32_t(pid);
  });
  ASSERT_TRUE(exec);
  EXPECT_EQ(e->process.exec_id, exec->process.exec_id);
  EXPECT_EQ(e->process.binary, exec->process.binary);
  EXPECT_EQ(e->process.arguments, "42");
}

TEST(ProcessExit, KilledBySignal) {
  OCTAGON_REQUIRE_SENSOR();
  auto& live = LiveSensor::instance();
  pid_t pid = spawn({testprog("idle"), "30"});
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(live.sink().wait_for([pid](const Recorded& r) {
    return r.kind == Recorded::kExec && r.process.pid == uint32_t(pid);
  }));
  kill(pid, SIGKILL);
  int st = wait_status(pid);
  ASSERT_TRUE(WIFSIGNALED(st));
  auto e = live.sink().wait_for([pid](const Recorded& r) { return is_exit_of(r, pid); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->signal, SIGKILL);
  EXPECT_EQ(e->status, 0u);
}

TEST(ProcessExit, MultiThreadedProcessExitsExactlyOnce) {
  OCTAGON_REQUIRE_SENSOR();
  auto& live = LiveSensor::instance();
  pid_t pid = spawn({testprog("threads_exit"), "8", "3"});
  ASSERT_EQ(WEXITSTATUS(wait_status(pid)), 3);
  auto e = live.sink().wait_for([pid](const Recorded& r) { return is_exit_of(r, pid); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 3u);
  // Give any (wrong) per-thread exits time to arrive, then count.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(live.sink().all([pid](const Recorded& r) { return is_exit_of(r, pid); }).size(), 1u);
}

TEST(ProcessExit, ForkWithoutExec) {
  OCTAGON_REQUIRE_SENSOR();
  auto& live = LiveSensor::instance();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t parent = fork();
  if (parent == 0) {
    dup2(fds[1], 1);
    execl(testprog("fork_noexec").c_str(), "fork_noexec", nullptr);
    _exit(127);
  }
  close(fds[1]);
  char buf[32] = {};
  ASSERT_GT(read(fds[0], buf, sizeof(buf) - 1), 0);
  close(fds[0]);
  pid_t child = atoi(buf);
  ASSERT_EQ(WEXITSTATUS(wait_status(parent)), 0);
  auto e = live.sink().wait_for([child](const Recorded& r) { return is_exit_of(r, child); });
  ASSERT_TRUE(e) << "no exit for forked child " << child;
  EXPECT_EQ(e->status, 7u);
  // A child that never exec'd runs its parent's binary; its identity comes from the fork.
  EXPECT_NE(e->process.binary.find("fork_noexec"), std::string::npos);
  EXPECT_TRUE(e->process.flags & events::kFlagClone);
  EXPECT_FALSE(e->process.flags & events::kFlagExecve);
  ASSERT_TRUE(e->parent);
  EXPECT_EQ(e->parent->pid, uint32_t(parent));
  // No exec event was made for the child.
  EXPECT_TRUE(live.sink().all([child](const Recorded& r) {
    return r.kind == Recorded::kExec && r.process.pid == uint32_t(child);
  }).empty());
}

TEST(ProcessSensorLoss, NoKernelSideLossUnderNormalLoad) {
  OCTAGON_REQUIRE_SENSOR();
  auto& live = LiveSensor::instance();
  for (int i = 0; i < 200; i++) wait_status(spawn({testprog("exit_with"), "0"}));
  auto missed = live.sensor().read_missed();
  for (int op = 0; op < OCT_MSG_OP_MAX; op++) {
    EXPECT_EQ(missed[op][OCT_MISS_RB_FULL], 0u) << sensors::msg_op_name(op);
    EXPECT_EQ(missed[op][OCT_MISS_NO_HEAP], 0u) << sensors::msg_op_name(op);
  }
  EXPECT_EQ(live.stats().decode_errors.load(), 0u);
}

}  // namespace
}  // namespace octagon::testing
