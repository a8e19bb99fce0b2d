// T3: Post rateLimit, stack capture, user-space actions and Sigkill done by the generic hook
// program, with hand-made plans on sys_enter_openat / sys_exit_openat and real processes.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "sensor/generic_actions_rig.h"

namespace octagon::testing {
namespace {

void open_path(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd >= 0)
    close(fd);
}

void open_n(const std::string& path, int n) {
  for (int i = 0; i < n; i++)
    open_path(path);
}

template <typename F> void run_child(F&& body) {
  pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  int st = wait_status(pid);
  ASSERT_TRUE(WIFEXITED(st)) << "child status " << st;
}

oct_gen_config rate_limited_plan(uint32_t id, const std::string& prefix, uint64_t window_ns,
                                 uint8_t scope) {
  oct_gen_config plan = openat_path_plan(id, prefix);
  plan.selectors[0].rate_limit_ns = window_ns;
  plan.selectors[0].rate_limit_scope = scope;
  return plan;
}

TEST(GenericActions, RateLimitPostsOncePerWindowAndArguments) {
  OCTAGON_REQUIRE_SENSOR();
  ActionRig rig;
  auto r = rig.attach(rate_limited_plan(21, "/tmp/octagon-rl-", 1'000'000'000ull, OCT_RL_THREAD));
  ASSERT_TRUE(r) << r.error().describe();
  run_child([] {
    open_n("/tmp/octagon-rl-a", 5);
    open_n("/tmp/octagon-rl-b", 5); // other arguments: a key of their own
    usleep(1'300'000);              // the window has passed
    open_n("/tmp/octagon-rl-a", 5);
  });
  rig.drain();
  EXPECT_EQ(rig.count_path("/tmp/octagon-rl-a"), 2u);
  EXPECT_EQ(rig.count_path("/tmp/octagon-rl-b"), 1u);
  EXPECT_EQ(rig.reader.got.size(), 3u);
  EXPECT_EQ(rig.stat(OCT_GS_RATE_LIMITED), 12u); // every suppressed event is counted
  EXPECT_EQ(rig.stat(OCT_GS_POST), 3u);
}

// Two threads of one process, then two processes, open the same path 5 times each.
void threads_then_processes() {
  for (int p = 0; p < 2; p++) {
    pid_t pid = fork();
    if (pid == 0) {
      std::thread t([] { open_n("/tmp/octagon-rlscope-x", 5); });
      t.join();
      open_n("/tmp/octagon-rlscope-x", 5);
      _exit(0);
    }
    wait_status(pid);
  }
}

TEST(GenericActions, RateLimitScopes) {
  OCTAGON_REQUIRE_SENSOR();
  const std::pair<uint8_t, size_t> cases[] = {
      {OCT_RL_THREAD, 4u},  // 2 processes x 2 threads
      {OCT_RL_PROCESS, 2u}, // 2 processes
      {OCT_RL_GLOBAL, 1u},  // everyone shares the window
  };
  for (auto [scope, want] : cases) {
    ActionRig rig;
    auto r = rig.attach(rate_limited_plan(22, "/tmp/octagon-rlscope-", 60'000'000'000ull, scope));
    ASSERT_TRUE(r) << r.error().describe();
    threads_then_processes();
    rig.drain();
    EXPECT_EQ(rig.reader.got.size(), want) << "scope " << int(scope);
    EXPECT_EQ(rig.stat(OCT_GS_RATE_LIMITED), 20u - want) << "scope " << int(scope);
  }
}

TEST(GenericActions, StacksAreCapturedAfterTheArguments) {
  OCTAGON_REQUIRE_SENSOR();
  ActionRig rig;
  oct_gen_config plan = openat_path_plan(24, "/tmp/octagon-stack-");
  plan.selectors[0].stack = OCT_GEN_STACK_KERNEL | OCT_GEN_STACK_USER;
  ASSERT_TRUE(rig.attach(plan));
  std::string path = "/tmp/octagon-stack-probe";
  open_path(path);
  rig.drain();
  ASSERT_EQ(rig.reader.got.size(), 1u);
  const RawGeneric& g = rig.reader.got[0];
  EXPECT_EQ(g.args[0], path);
  ASSERT_GE(g.kstack.size(), 2u);
  for (uint64_t a : g.kstack)
    EXPECT_GE(a, 0xffff800000000000ull) << std::hex << a;
  // Frame 0 is the syscall instruction in libc; outer frames follow frame pointers, which
  // code built without them does not keep (they may be any word of the stack).
  ASSERT_GE(g.ustack.size(), 1u);
  EXPECT_LT(g.ustack[0], 0x0000800000000000ull) << std::hex << g.ustack[0];
  EXPECT_GT(g.ustack[0], 0u);
}

TEST(GenericActions, NoPostSendsTheRecordOnlyForAgentActions) {
  OCTAGON_REQUIRE_SENSOR();
  for (uint8_t user_action : {0, 1}) {
    ActionRig rig;
    oct_gen_config plan = openat_path_plan(25, "/tmp/octagon-nopost-");
    plan.selectors[0].post = 0;
    plan.selectors[0].user_action = user_action;
    ASSERT_TRUE(rig.attach(plan));
    std::string path = "/tmp/octagon-nopost-x";
    open_path(path);
    rig.drain();
    EXPECT_EQ(rig.reader.got.size(), size_t(user_action));
    EXPECT_EQ(rig.stat(OCT_GS_NOPOST), 1u);
    EXPECT_EQ(rig.stat(OCT_GS_POST), 0u);
  }
}

// The child opens the trigger, then writes to a marker it opened before: the kill must land
// before it returns to user space, whether the hook acted at entry or (path not paged in) at
// the syscall's exit.
TEST(GenericActions, SigkillLandsBeforeTheNextUserInstruction) {
  OCTAGON_REQUIRE_SENSOR();
  ActionRig rig;
  oct_gen_config plan = openat_path_plan(26, "/tmp/octagon-kill-trigger");
  plan.selectors[0].action = OCT_ACT_SIGKILL;
  plan.selectors[0].signal = SIGKILL;
  ASSERT_TRUE(rig.attach(plan));
  const char* marker = "/tmp/octagon-kill-marker";
  // The trigger path in a shared file mapping: fork does not copy its page-table entries, so
  // the child's path is not paged in at syscall entry and the exit half acts.
  const char kTrigger[] = "/tmp/octagon-kill-trigger";
  int pf = open("/tmp/octagon-kill-pathfile", O_RDWR | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(pf, 0);
  ASSERT_EQ(write(pf, kTrigger, sizeof kTrigger), ssize_t(sizeof kTrigger));
  void* mapped = mmap(nullptr, 4096, PROT_READ, MAP_SHARED, pf, 0);
  ASSERT_NE(mapped, MAP_FAILED);
  close(pf);
  for (int round = 0; round < 20; round++) {
    pid_t pid = fork();
    if (pid == 0) {
      std::string m = marker;
      int fd = open(m.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (round % 2) {
        open(static_cast<const char*>(mapped), O_RDONLY); // read at the exit half
      } else {
        std::string path = "/tmp/octagon-kill-trigger"; // on the stack: read at entry
        open(path.c_str(), O_RDONLY);
      }
      (void)!write(fd, "reached", 7);
      _exit(0);
    }
    int st = wait_status(pid);
    ASSERT_TRUE(WIFSIGNALED(st)) << "round " << round;
    EXPECT_EQ(WTERMSIG(st), SIGKILL);
    struct stat sb {};
    ASSERT_EQ(stat(marker, &sb), 0);
    EXPECT_EQ(sb.st_size, 0) << "round " << round << ": the child ran after the hooked syscall";
  }
  rig.drain();
  ASSERT_EQ(rig.reader.got.size(), 20u);
  size_t deferred = 0;
  for (const auto& g : rig.reader.got) {
    EXPECT_EQ(g.ev.action, OCT_ACT_SIGKILL);
    EXPECT_EQ(g.ev.action_done, 1);
    deferred += (g.ev.flags & OCT_GEF_DEFERRED) != 0;
  }
  EXPECT_GT(deferred, 0u); // both paths were exercised
  EXPECT_LT(deferred, 20u);
  EXPECT_EQ(rig.stat(OCT_GS_SIGNAL), 20u);
  EXPECT_EQ(rig.stat(OCT_GS_SIGNAL_FAILED), 0u);
  munmap(mapped, 4096);
  unlink(marker);
  unlink("/tmp/octagon-kill-pathfile");
}

} // namespace
} // namespace octagon::testing
