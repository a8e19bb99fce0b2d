// EventProcessor driven by hand-made records (a fake event source): cache bookkeeping,
// parents, clones, exits, and loss counting, without a kernel.
#include <octagon/daemon/event_processor.h>
#include <octagon/events/exec_id.h>

#include "unit/sensors/record_builder.h"
#include "test_helpers.h"

namespace octagon::daemon {
namespace {

using testing::build_clone;
using testing::build_exec;
using testing::build_exit;
using testing::ExecSpec;

class FixedClock : public BootClock {
 public:
  uint64_t boot_now_ns() const override { return 1000; }
  uint64_t wall_now_ns() const override { return 1700000000000000000ull; }
};

struct Seen {
  std::string kind, binary, exec_id, parent_exec_id, parent_binary;
  uint32_t pid = 0, status = 0, flags = 0;
  int signal = 0;
  uint64_t time = 0;
};

class Collect : public EventSink {
 public:
  void on_exec(const events::ExecEvent& e) override { add("exec", *e.process, e.parent, 0, 0, e.time_ns); }
  void on_exit(const events::ExitEvent& e) override {
    add("exit", *e.process, e.parent, e.status, e.signal, e.time_ns);
  }
  std::vector<Seen> seen;

 private:
  void add(const char* k, const events::Process& p, const events::Process* parent, uint32_t st,
           int sig, uint64_t t) {
    seen.push_back({k, p.binary, p.exec_id, p.parent_exec_id, parent ? parent->binary : "",
                    p.pid, st, p.flags, sig, t});
  }
};

class ProcessorTest : public ::testing::Test {
 protected:
  ProcessorTest() : proc_({"node", true, 8}, cache_, clock_) { proc_.add_sink(&sink_); }
  void feed(const std::vector<uint8_t>& rec) { proc_.on_record(rec.data(), rec.size()); }
  void seed_parent() {
    events::Process init;
    init.key = {1, 1000};
    init.pid = 1;
    init.binary = "/sbin/init";
    init.flags = events::kFlagProcFS;
    std::vector<events::Process> v;
    v.push_back(init);
    proc_.seed(std::move(v));
  }
  FixedClock clock_;
  events::ProcessCache cache_{64};
  Collect sink_;
  EventProcessor proc_;
};

TEST_F(ProcessorTest, ExecResolvesParentAndExitReleases) {
  seed_parent();
  feed(build_exec(ExecSpec{}));
  ASSERT_EQ(sink_.seen.size(), 1u);
  EXPECT_EQ(sink_.seen[0].kind, "exec");
  EXPECT_EQ(sink_.seen[0].exec_id, events::make_exec_id("node", 5000, 100));
  EXPECT_EQ(sink_.seen[0].parent_exec_id, events::make_exec_id("node", 1000, 1));
  EXPECT_EQ(sink_.seen[0].parent_binary, "/sbin/init");
  EXPECT_EQ(sink_.seen[0].time, 1700000000000000000ull - 1000 + 5000);
  EXPECT_EQ(cache_.size(), 2u);

  feed(build_exit(100, 5000, 2 << 8));
  ASSERT_EQ(sink_.seen.size(), 2u);
  EXPECT_EQ(sink_.seen[1].kind, "exit");
  EXPECT_EQ(sink_.seen[1].binary, "/usr/bin/true");
  EXPECT_EQ(sink_.seen[1].status, 2u);
  EXPECT_EQ(cache_.size(), 1u);  // the exited process is gone, init stays
  EXPECT_EQ(proc_.stats().exit_unknown.load(), 0u);
}

TEST_F(ProcessorTest, CloneInheritsParentUntilExec) {
  seed_parent();
  feed(build_exec(ExecSpec{}));                  // pid 100 runs /usr/bin/true
  feed(build_clone(101, 6000, 100, 5000));       // it forks 101
  feed(build_exit(101, 6000, 0));                // 101 exits without exec
  ASSERT_EQ(sink_.seen.size(), 2u);              // clone itself is not exported
  EXPECT_EQ(sink_.seen[1].binary, "/usr/bin/true");
  EXPECT_TRUE(sink_.seen[1].flags & events::kFlagClone);
  EXPECT_FALSE(sink_.seen[1].flags & events::kFlagExecve);
  EXPECT_EQ(sink_.seen[1].parent_binary, "/usr/bin/true");
}

TEST_F(ProcessorTest, ExecReplacesPreviousIdentity) {
  seed_parent();
  feed(build_clone(200, 7000, 1, 1000));
  ExecSpec s;
  s.pid = 200;
  s.ktime = 8000;
  s.prev_pid = 200;
  s.prev_ktime = 7000;
  feed(build_exec(s));
  EXPECT_FALSE(cache_.contains({200, 7000}));  // the clone identity was released
  EXPECT_TRUE(cache_.contains({200, 8000}));
}

TEST_F(ProcessorTest, UnknownExitIsReportedAndCounted) {
  feed(build_exit(555, 42, 9));
  ASSERT_EQ(sink_.seen.size(), 1u);
  EXPECT_EQ(sink_.seen[0].signal, 9);
  EXPECT_TRUE(sink_.seen[0].flags & events::kFlagUnknown);
  EXPECT_EQ(sink_.seen[0].exec_id, events::make_exec_id("node", 42, 555));
  EXPECT_EQ(proc_.stats().exit_unknown.load(), 1u);
}

TEST_F(ProcessorTest, MalformedRecordsAreCountedNotDelivered) {
  std::vector<uint8_t> junk(4, 0xff);
  feed(junk);
  auto rec = build_exec(ExecSpec{});
  rec.resize(sizeof(oct_exec_event) - 1);
  feed(rec);
  EXPECT_TRUE(sink_.seen.empty());
  EXPECT_EQ(proc_.stats().decode_errors.load(), 2u);
}

TEST_F(ProcessorTest, ChurnKeepsCacheBounded) {
  seed_parent();
  for (uint32_t i = 0; i < 20000; i++) {
    ExecSpec s;
    s.pid = 1000 + i;
    s.ktime = 10000 + i;
    feed(build_exec(s));
    feed(build_exit(s.pid, s.ktime, 0));
  }
  EXPECT_EQ(cache_.size(), 1u);
  EXPECT_EQ(sink_.seen.size(), 40000u);
}

}  // namespace
}  // namespace octagon::daemon
