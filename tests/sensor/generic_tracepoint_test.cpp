// T3: the generic hook program on real syscall tracepoints with hand-compiled plans:
// argument capture, in-kernel filters, return values and signals.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <octagon/sensors/generic/generic_hook.h>

#include "sensor/sensor_fixture.h"

namespace octagon::testing {
namespace {

policy::AttachTarget tp(const char* subsystem, const char* event) {
  policy::AttachTarget t;
  t.subsystem = subsystem;
  t.event = event;
  return t;
}

struct Captured {
  oct_gen_event ev;
  std::vector<std::string> args;
};

class GenericReader : public bpf::RecordHandler {
 public:
  void on_record(const void* data, size_t size) override {
    auto op = sensors::record_op(data, size);
    if (!op || *op != OCT_MSG_GENERIC) return;
    Captured c;
    memcpy(&c.ev, data, sizeof(c.ev));
    const char* p = static_cast<const char*>(data) + sizeof(oct_gen_event);
    for (int i = 0; i < c.ev.nargs; i++) {
      c.args.emplace_back(p, c.ev.arg_len[i]);
      p += c.ev.arg_len[i];
    }
    got.push_back(std::move(c));
  }
  std::vector<Captured> got;
};

// sys_enter_openat: dfd @16, filename @24 (user string), flags @32.
oct_gen_config openat_plan(uint32_t hook_id) {
  oct_gen_config c{};
  c.hook_id = hook_id;
  c.nargs = 3;
  auto arg = [](uint16_t offset, uint8_t size, uint8_t kind, uint8_t is_signed, uint16_t max_data, uint8_t user) {
    oct_gen_arg a{};
    a.offset = offset;
    a.size = size;
    a.kind = kind;
    a.is_signed = is_signed;
    a.max_data = max_data;
    a.user = user;
    return a;
  };
  c.args[0] = arg(16, 4, OCT_GA_INT, 1, 0, 0);  // "int": the low 4 bytes of the 8-byte slot
  c.args[1] = arg(24, 8, OCT_GA_STR_USER, 0, 4096, 1);
  c.args[2] = arg(32, 4, OCT_GA_INT, 1, 0, 0);
  return c;
}

void add_string_filter(oct_gen_selector& s, uint8_t arg, uint8_t op, const std::string& v) {
  oct_gen_filter& f = s.filters[s.nfilters++];
  f.arg = arg;
  f.op = op;
  f.is_string = 1;
  f.slen[f.nvals] = uint16_t(v.size());
  memcpy(f.svals[f.nvals], v.data(), v.size());
  f.nvals++;
}

struct Rig {
  bpf::FeatureProbe probe;
  std::unique_ptr<sensors::ProcessSensor> sensor;
  GenericReader reader;
  std::unique_ptr<bpf::RingBufferReader> rb;
  Rig() {
    sensors::ProcessSensorConfig cfg;
    auto s = sensors::ProcessSensor::create(cfg, probe);
    if (!s) ADD_FAILURE() << s.error().describe();
    sensor = std::move(*s);
    rb = std::move(*bpf::RingBufferReader::create(sensor->ring_buffer_fd(), reader));
  }
  void drain() { (void)rb->poll(0); }

  // sys_enter_openat + sys_exit_openat as one hook (entry deferred to exit on a user fault).
  Result<std::pair<std::unique_ptr<sensors::GenericHook>, std::unique_ptr<sensors::GenericHook>>>
  attach_openat(oct_gen_config plan, uint8_t exit_mode = OCT_MODE_EXIT_DEFER) {
    oct_gen_config enter = plan, exit = plan;
    enter.mode = exit_mode == OCT_MODE_EXIT ? OCT_MODE_STORE : OCT_MODE_ENTER_DEFER;
    exit.mode = exit_mode;
    exit.ret_offset = 16;  // sys_exit_*: long ret at 16
    OCTAGON_ASSIGN_OR_RETURN(auto e, sensors::GenericHook::create(tp("syscalls", "sys_enter_openat"), enter, *sensor));
    OCTAGON_ASSIGN_OR_RETURN(auto x, sensors::GenericHook::create(tp("syscalls", "sys_exit_openat"), exit, *sensor, e.get()));
    return std::make_pair(std::move(e), std::move(x));
  }
};

TEST(GenericTracepoint, CapturesArgsAndFiltersInKernel) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  oct_gen_config plan = openat_plan(7);
  plan.nselectors = 1;
  plan.selectors[0].action = OCT_ACT_POST;
  plan.selectors[0].post = 1;
  add_string_filter(plan.selectors[0], 1, OCT_OP_POSTFIX, "octagon-generic-probe");
  auto hooks = rig.attach_openat(plan);
  ASSERT_TRUE(hooks) << hooks.error().describe();

  int fd = open("/tmp/octagon-generic-probe", O_RDONLY | O_CREAT, 0600);
  close(fd);
  open("/tmp/not-matching-file", O_RDONLY);
  rig.drain();
  ASSERT_EQ(rig.reader.got.size(), 1u);
  const Captured& c = rig.reader.got[0];
  EXPECT_EQ(c.ev.hook_id, 7u);
  EXPECT_EQ(c.ev.key.pid, uint32_t(getpid()));
  EXPECT_EQ(c.args[1], "/tmp/octagon-generic-probe");
  int64_t dfd, flags;
  memcpy(&dfd, c.args[0].data(), 8);
  memcpy(&flags, c.args[2].data(), 8);
  EXPECT_EQ(dfd, AT_FDCWD);
  EXPECT_EQ(flags, O_RDONLY | O_CREAT);
  uint64_t stats[OCT_GEN_MAX_SELECTORS + 1][OCT_GS_MAX];
  hooks->first->read_stats(stats);
  EXPECT_EQ(stats[0][OCT_GS_POST], 1u);  // the string was paged in: handled at entry
  EXPECT_FALSE(c.ev.flags & OCT_GEF_DEFERRED);
  unlink("/tmp/octagon-generic-probe");
}

TEST(GenericTracepoint, PairSharesTheEntryMapAndCountsItOnce) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  auto hooks = rig.attach_openat(openat_plan(8));
  ASSERT_TRUE(hooks) << hooks.error().describe();
  bpf_map* pending = hooks->first->map("gen_pending");
  ASSERT_NE(pending, nullptr);
  auto bytes = [](bpf_map* m) {
    return uint64_t(bpf_map__max_entries(m)) * (bpf_map__key_size(m) + bpf_map__value_size(m));
  };
  // The entry map, its count and the rate-limit map belong to the enter half; the exit half
  // shares them.
  uint64_t shared_bytes = bytes(pending) + bytes(hooks->first->map("gen_pending_n")) +
                          bytes(hooks->first->map("gen_ratelimit"));
  auto map_id = [](bpf_map* m) {
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    return bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len) == 0 ? info.id : 0u;
  };
  EXPECT_NE(map_id(pending), 0u);
  EXPECT_EQ(map_id(hooks->second->map("gen_pending")), map_id(pending));  // one kernel map
  EXPECT_EQ(map_id(hooks->second->map("gen_pending_n")), map_id(hooks->first->map("gen_pending_n")));
  EXPECT_EQ(hooks->first->memory_bytes(), hooks->second->memory_bytes() + shared_bytes);
}

TEST(GenericTracepoint, MissingRawTracepointIsRefusedByName) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  policy::AttachTarget t;
  t.kind = policy::AttachTarget::Kind::kRawTracepoint;
  t.event = "octagon_no_such_event";
  auto hook = sensors::GenericHook::create(t, openat_plan(1), *rig.sensor);
  ASSERT_FALSE(hook);
  EXPECT_NE(hook.error().message().find("raw tracepoint octagon_no_such_event"), std::string::npos)
      << hook.error().message();
}

TEST(GenericTracepoint, UserMemoryNotPagedInAtEntryIsReadAtExit) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  oct_gen_config plan = openat_plan(9);
  plan.nselectors = 1;
  plan.selectors[0].action = OCT_ACT_POST;
  plan.selectors[0].post = 1;
  add_string_filter(plan.selectors[0], 1, OCT_OP_EQ, "/tmp/octagon-forbidden");
  auto hooks = rig.attach_openat(plan);
  ASSERT_TRUE(hooks) << hooks.error().describe();
  // A forked child has no page-table entries yet for the binary's read-only data: the entry
  // read faults, and the exit half finishes the job.
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open("/tmp/octagon-forbidden", O_RDONLY | O_CREAT, 0600);
    _exit(fd >= 0 ? 0 : 1);
  }
  EXPECT_EQ(WEXITSTATUS(wait_status(pid)), 0);
  rig.drain();
  ASSERT_EQ(rig.reader.got.size(), 1u);
  EXPECT_EQ(rig.reader.got[0].args[1], "/tmp/octagon-forbidden");
  EXPECT_EQ(rig.reader.got[0].ev.key.pid, uint32_t(pid));
  EXPECT_TRUE(rig.reader.got[0].ev.flags & OCT_GEF_DEFERRED);
  unlink("/tmp/octagon-forbidden");
}

TEST(GenericTracepoint, ReturnValueAndReturnFilter) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  oct_gen_config plan = openat_plan(11);
  plan.nselectors = 1;
  plan.selectors[0].action = OCT_ACT_POST;
  plan.selectors[0].post = 1;
  add_string_filter(plan.selectors[0], 1, OCT_OP_PREFIX, "/tmp/octagon-ret-");
  oct_gen_filter& r = plan.selectors[0].filters[plan.selectors[0].nfilters++];
  r.arg = OCT_GEN_RET_ARG;
  r.op = OCT_OP_LT;
  r.nvals = 1;
  r.ivals[0] = 0;  // only failed opens
  auto hooks = rig.attach_openat(plan, OCT_MODE_EXIT);
  ASSERT_TRUE(hooks) << hooks.error().describe();
  int ok_fd = open("/tmp/octagon-ret-exists", O_RDONLY | O_CREAT, 0600);
  close(ok_fd);
  EXPECT_LT(open("/tmp/octagon-ret-missing/x", O_RDONLY), 0);
  rig.drain();
  ASSERT_EQ(rig.reader.got.size(), 1u);
  EXPECT_EQ(rig.reader.got[0].args[1], "/tmp/octagon-ret-missing/x");
  EXPECT_TRUE(rig.reader.got[0].ev.flags & OCT_GEF_HAS_RET);
  EXPECT_EQ(rig.reader.got[0].ev.ret, -ENOENT);
  unlink("/tmp/octagon-ret-exists");
}

TEST(GenericTracepoint, SigkillStopsTheProcess) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  oct_gen_config plan = openat_plan(9);
  plan.nselectors = 1;
  plan.selectors[0].action = OCT_ACT_SIGKILL;
  plan.selectors[0].signal = SIGKILL;
  plan.selectors[0].post = 1;
  add_string_filter(plan.selectors[0], 1, OCT_OP_EQ, "/tmp/octagon-forbidden");
  auto hook = sensors::GenericHook::create(tp("syscalls", "sys_enter_openat"), plan, *rig.sensor);
  ASSERT_TRUE(hook) << hook.error().describe();
  pid_t pid = fork();
  if (pid == 0) {
    std::string path = "/tmp/octagon-forbidden";  // on the stack: paged in at entry
    open(path.c_str(), O_RDONLY | O_CREAT, 0600);
    _exit(0);  // never reached
  }
  int st = wait_status(pid);
  EXPECT_TRUE(WIFSIGNALED(st));
  EXPECT_EQ(WTERMSIG(st), SIGKILL);
  rig.drain();
  ASSERT_EQ(rig.reader.got.size(), 1u);
  EXPECT_EQ(rig.reader.got[0].ev.action, OCT_ACT_SIGKILL);
  EXPECT_EQ(rig.reader.got[0].ev.action_done, 1);
  unlink("/tmp/octagon-forbidden");
}

// String Equal/Prefix/NotPrefix are judged on the first bytes of the argument before anything is
// captured: exact lengths, longer and shorter strings, negation and a value of the maximum
// length (256 bytes) keep the meaning they have after a full capture.
TEST(GenericTracepoint, StringFiltersJudgedBeforeCaptureKeepTheirMeaning) {
  OCTAGON_REQUIRE_SENSOR();
  Rig rig;
  const std::string longest = "/tmp/" + std::string(OCT_GEN_STR_MAX - 5, 'L');
  oct_gen_config plan = openat_plan(11);
  plan.nselectors = 4;
  for (int s = 0; s < 4; s++) {
    plan.selectors[s].action = OCT_ACT_POST;
    plan.selectors[s].post = 1;
  }
  add_string_filter(plan.selectors[0], 1, OCT_OP_EQ, "/tmp/oct-se-eq");
  add_string_filter(plan.selectors[1], 1, OCT_OP_PREFIX, "/tmp/oct-se-pre/");
  add_string_filter(plan.selectors[2], 1, OCT_OP_NOTPREFIX, "/");
  add_string_filter(plan.selectors[2], 1, OCT_OP_POSTFIX, "oct-se-rel");
  add_string_filter(plan.selectors[3], 1, OCT_OP_EQ, longest);
  auto hooks = rig.attach_openat(plan);
  ASSERT_TRUE(hooks) << hooks.error().describe();

  struct Case {
    std::string path;
    int selector;  // -1: no event
  };
  const std::vector<Case> cases = {
      {"/tmp/oct-se-eq", 0},          {"/tmp/oct-se-eqX", -1},   {"/tmp/oct-se-e", -1},
      {"/tmp/oct-se-pre/a/b", 1},     {"/tmp/oct-se-pre", -1},   {"oct-se-rel", 2},
      {"/tmp/x/oct-se-rel", -1},      {longest, 3},              {longest + "M", -1},
      {longest.substr(0, longest.size() - 1), -1},
  };
  for (const Case& c : cases) {
    std::string path = c.path;  // a fresh copy: paged in, so judged at entry
    int fd = open(path.c_str(), O_RDONLY);
    if (fd >= 0) close(fd);
  }
  rig.drain();
  std::vector<std::pair<std::string, int>> got;
  for (const Captured& c : rig.reader.got)
    if (c.ev.key.pid == uint32_t(getpid())) got.emplace_back(c.args[1], c.ev.selector);
  std::vector<std::pair<std::string, int>> want;
  for (const Case& c : cases)
    if (c.selector >= 0) want.emplace_back(c.path, c.selector);
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace octagon::testing
