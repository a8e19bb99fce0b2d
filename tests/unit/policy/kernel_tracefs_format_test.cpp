// tracefs format files: real ones (tests/fixtures/tracefs, copied from Linux 6.18), malformed
// ones, and the live tracefs when it is readable.
#include <octagon/policy/kernel/tracefs_format.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <unistd.h>
#include <utility>

#include "test_helpers.h"

namespace octagon::policy::kernel {
namespace {

#ifdef OCTAGON_SOURCE_DIR
const std::string kFixtures = OCTAGON_SOURCE_DIR "/tests/fixtures/tracefs/events/";
#else
const std::string kFixtures = "tests/fixtures/tracefs/events/";
#endif

TracepointFormat fixture(const std::string& tp) {
  auto r = load_tracepoint_format(kFixtures + tp + "/format");
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().describe());
  return r ? *r : TracepointFormat{};
}

void expect_common_fields(const TracepointFormat& f) {
  ASSERT_GE(f.fields.size(), 4u);
  EXPECT_EQ(f.common_count(), 4u);
  const char* names[] = {"common_type", "common_flags", "common_preempt_count", "common_pid"};
  const char* types[] = {"unsigned short", "unsigned char", "unsigned char", "int"};
  const uint32_t offsets[] = {0, 2, 3, 4}, sizes[] = {2, 1, 1, 4};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(f.fields[i].name, names[i]);
    EXPECT_EQ(f.fields[i].type, types[i]);
    EXPECT_EQ(f.fields[i].offset, offsets[i]);
    EXPECT_EQ(f.fields[i].size, sizes[i]);
    EXPECT_EQ(f.fields[i].is_signed, i == 3);
  }
}

TEST(TracefsFormat, SysEnterOpenat) {
  const TracepointFormat f = fixture("syscalls/sys_enter_openat");
  EXPECT_EQ(f.name, "sys_enter_openat");
  EXPECT_EQ(f.id, 782u);
  ASSERT_EQ(f.fields.size(), 9u);
  expect_common_fields(f);
  EXPECT_EQ(f.index_of("__syscall_nr"), 4u);
  EXPECT_EQ(f.index_of("dfd"), 5u);
  EXPECT_EQ(f.index_of("filename"), 6u);
  EXPECT_EQ(f.index_of("nope"), std::nullopt);
  const auto& nr = f.fields[4];
  EXPECT_EQ(nr.type, "int");
  EXPECT_EQ(nr.offset, 8u);
  EXPECT_TRUE(nr.is_signed);
  EXPECT_FALSE(nr.is_user);
  const auto& dfd = f.fields[5];
  EXPECT_EQ(dfd.type, "int");
  EXPECT_EQ(dfd.offset, 16u);
  EXPECT_EQ(dfd.size, 8u); // syscall arguments are longs in the record
  EXPECT_FALSE(dfd.is_pointer);
  EXPECT_FALSE(dfd.is_user);
  const auto& filename = f.fields[6];
  EXPECT_EQ(filename.type, "const char *");
  EXPECT_EQ(filename.offset, 24u);
  EXPECT_TRUE(filename.is_pointer);
  EXPECT_TRUE(filename.is_user); // a syscall tracepoint's pointer argument
  EXPECT_FALSE(filename.is_array);
  EXPECT_FALSE(filename.is_data_loc);
  EXPECT_EQ(f.fields[8].type, "umode_t");
  EXPECT_EQ(f.fields[8].name, "mode");
}

TEST(TracefsFormat, SysExitOpenat) {
  const TracepointFormat f = fixture("syscalls/sys_exit_openat");
  EXPECT_EQ(f.name, "sys_exit_openat");
  ASSERT_EQ(f.fields.size(), 6u);
  expect_common_fields(f);
  EXPECT_EQ(f.fields[5].name, "ret");
  EXPECT_EQ(f.fields[5].type, "long");
  EXPECT_TRUE(f.fields[5].is_signed);
  EXPECT_EQ(f.fields[5].size, 8u);
}

TEST(TracefsFormat, RawSyscallsSysEnterIdIsIndexFour) {
  const TracepointFormat f = fixture("raw_syscalls/sys_enter");
  EXPECT_EQ(f.name, "sys_enter");
  ASSERT_EQ(f.fields.size(), 6u);
  expect_common_fields(f);
  EXPECT_EQ(f.index_of("id"), 4u);
  EXPECT_EQ(f.fields[4].type, "long");
  EXPECT_EQ(f.fields[4].offset, 8u);
  const auto& args = f.fields[5];
  EXPECT_EQ(args.name, "args");
  EXPECT_EQ(args.type, "unsigned long");
  EXPECT_TRUE(args.is_array);
  EXPECT_EQ(args.array_len, 6u);
  EXPECT_EQ(args.size, 48u);
  EXPECT_FALSE(args.is_user); // raw values, not a syscalls/sys_enter_* pointer
}

TEST(TracefsFormat, SchedProcessExecDataLoc) {
  const TracepointFormat f = fixture("sched/sched_process_exec");
  ASSERT_EQ(f.fields.size(), 7u);
  const auto& filename = f.fields[4];
  EXPECT_EQ(filename.name, "filename");
  EXPECT_EQ(filename.type, "__data_loc char[]");
  EXPECT_TRUE(filename.is_data_loc);
  EXPECT_FALSE(filename.is_rel_loc);
  EXPECT_FALSE(filename.is_array);
  EXPECT_FALSE(filename.is_pointer);
  EXPECT_EQ(filename.size, 4u);
  EXPECT_EQ(f.fields[5].type, "pid_t");
  EXPECT_EQ(f.fields[6].name, "old_pid");
}

TEST(TracefsFormat, SchedSwitchCharArrays) {
  const TracepointFormat f = fixture("sched/sched_switch");
  ASSERT_EQ(f.fields.size(), 11u);
  const auto& prev = f.fields[4];
  EXPECT_EQ(prev.name, "prev_comm");
  EXPECT_EQ(prev.type, "char");
  EXPECT_TRUE(prev.is_array);
  EXPECT_EQ(prev.array_len, 16u);
  EXPECT_EQ(prev.size, 16u);
  EXPECT_EQ(f.index_of("next_comm"), 8u);
  EXPECT_EQ(f.fields[7].name, "prev_state");
  EXPECT_EQ(f.fields[7].type, "long");
  EXPECT_EQ(f.fields[10].name, "next_prio");
  EXPECT_EQ(f.fields[10].offset, 60u);
}

constexpr char kHeader[] = "name: t\nID: 7\nformat:\n"
                           "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n";

TracepointFormat parse_ok(const std::string& text) {
  auto r = parse_tracepoint_format(text, "t/format");
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().describe());
  return r ? *r : TracepointFormat{};
}

TEST(TracefsFormat, DeclarationShapes) {
  const TracepointFormat f = parse_ok(
      std::string(kHeader) +
      "\tfield:u8 saddr[sizeof(struct sockaddr_in6)];\toffset:8;\tsize:28;\tsigned:0;\n"
      "\tfield:unsigned long args[];\toffset:36;\tsize:0;\tsigned:0;\n"
      "\tfield:__rel_loc char[] name;\toffset:40;\tsize:4;\tsigned:0;\n"
      "\tfield:const char __user * p;\toffset:48;\tsize:8;\tsigned:0;\n"
      "\tfield:const struct landlock_ruleset_attr *const attr;\toffset:56;\tsize:8;\tsigned:0;\n"
      "\tfield:char *const * argv;\toffset:64;\tsize:8;\tsigned:0;\tfuture:1;\n"
      "  field:int  spaced ;  offset:72 ; size:4 ; signed:1 ;\r\n"
      "print fmt: \"x\"\n  continued print fmt, not a field\n");
  ASSERT_EQ(f.fields.size(), 8u);
  EXPECT_EQ(f.name, "t");
  EXPECT_EQ(f.id, 7u);
  EXPECT_TRUE(f.fields[1].is_array);
  EXPECT_EQ(f.fields[1].array_len, 0u); // symbolic length
  EXPECT_EQ(f.fields[1].type, "u8");
  EXPECT_TRUE(f.fields[2].is_array); // flexible array
  EXPECT_EQ(f.fields[2].name, "args");
  EXPECT_TRUE(f.fields[3].is_data_loc);
  EXPECT_TRUE(f.fields[3].is_rel_loc);
  EXPECT_TRUE(f.fields[4].is_user);
  EXPECT_TRUE(f.fields[4].is_pointer);
  EXPECT_EQ(f.fields[5].type, "const struct landlock_ruleset_attr *const");
  EXPECT_TRUE(f.fields[5].is_pointer);
  EXPECT_FALSE(f.fields[5].is_user); // not a syscall tracepoint
  EXPECT_EQ(f.fields[6].name, "argv");
  EXPECT_EQ(f.fields[7].name, "spaced");
  EXPECT_EQ(f.fields[7].type, "int");
  EXPECT_TRUE(f.fields[7].is_signed);
  EXPECT_EQ(f.common_count(), 1u);
}

TEST(TracefsFormat, MalformedInputNamesFileAndLine) {
  const std::string field = "\tfield:int a;\toffset:8;\tsize:4;\tsigned:1;\n";
  const std::pair<std::string, std::string> cases[] = {
      {"", R"(^t/format:1: unexpected end of file$)"},
      {"name: x\nID: 1\n", R"(^t/format:3: unexpected end of file$)"},
      {"nme: x\n", R"(^t/format:1: expected "name: <event>"$)"},
      {"name:\n", R"(^t/format:1: expected "name)"},
      {"name: x\nID: abc\n", R"(^t/format:2: expected "ID: <number>"$)"},
      {"name: x\nID: 99999999999\n", R"(^t/format:2: expected "ID)"},
      {"name: x\nID: 1\nformats:\n", R"(^t/format:3: expected "format:"$)"},
      {"name: x\nID: 1\nformat:\n", R"(^t/format:4: no fields$)"},
      {"name: x\nID: 1\nformat:\nprint fmt: \"\"\n", R"(^t/format:4: no fields$)"},
      {std::string(kHeader) + "\tfield:int a;\toffset:x;\tsize:4;\tsigned:1;\n",
       R"(^t/format:5: bad number in "offset:x"$)"},
      {std::string(kHeader) + "\tfield:int a;\toffset:8;\tsigned:1;\n",
       R"(^t/format:5: field "a" lacks offset or size$)"},
      {std::string(kHeader) + "\tfield:int a;\toffset:8;\tsize:4;\tsigned:2;\n",
       R"(^t/format:5: signed must be 0 or 1, got 2$)"},
      {std::string(kHeader) + "\tfield:int;\toffset:8;\tsize:4;\n",
       R"(^t/format:5: no type for field "int"$)"},
      {std::string(kHeader) + "\tfield: ;\toffset:8;\tsize:4;\n", R"(^t/format:5: no field name)"},
      {std::string(kHeader) + "\tfield:int a[;\toffset:8;\tsize:4;\n",
       R"(^t/format:5: no field name in "int a\[")"},
      {std::string(kHeader) + "\tfield:int a];\toffset:8;\tsize:4;\n",
       R"(^t/format:5: unbalanced '\]')"},
      {std::string(kHeader) + "\tfield:int 9;\toffset:8;\tsize:4;\n",
       R"(^t/format:5: no field name)"},
      {std::string(kHeader) + "\tfield:int a\toffset:8\n", R"(^t/format:5: missing ';')"},
      {std::string(kHeader) + "\toffset:8;\tfield:int a;\n", R"(^t/format:5: expected "field:")"},
      {std::string(kHeader) + field + "garbage;\n", R"(^t/format:6: expected key:value)"},
  };
  for (const auto& [text, re] : cases) {
    SCOPED_TRACE(text);
    EXPECT_ERR(parse_tracepoint_format(text, "t/format"), EINVAL, re);
  }
}

TEST(TracefsFormat, LoadErrors) {
  EXPECT_ERR(load_tracepoint_format(kFixtures + "nope/nope/format"), ENOENT, "nope/nope/format");
  EXPECT_ERR(load_tracepoint_format(kFixtures + "sched"), EISDIR, "read .*sched");
}

// The checked-in fixtures are what this kind of kernel prints; on the live system the same
// tracepoints must parse to the same fields (ids differ between boots and builds).
TEST(TracefsFormat, LiveTracefsMatchesFixtures) {
  const std::string live = "/sys/kernel/tracing/events/";
  if (::access((live + "sched/sched_switch/format").c_str(), R_OK) != 0)
    GTEST_SKIP() << "tracefs not readable here";
  for (const char* tp : {"syscalls/sys_enter_openat", "syscalls/sys_exit_openat",
                         "raw_syscalls/sys_enter", "sched/sched_process_exec"}) {
    SCOPED_TRACE(tp);
    auto r = load_tracepoint_format(live + tp + "/format");
    if (!r && r.error().code() == ENOENT)
      continue; // e.g. no CONFIG_FTRACE_SYSCALLS
    ASSERT_OK(r);
    const TracepointFormat want = fixture(tp);
    ASSERT_EQ(r->fields.size(), want.fields.size());
    for (size_t i = 0; i < want.fields.size(); ++i) {
      EXPECT_EQ(r->fields[i].name, want.fields[i].name);
      EXPECT_EQ(r->fields[i].type, want.fields[i].type);
    }
  }
}

// Every format file of the running kernel parses.
TEST(TracefsFormat, LiveTracefsEveryFormatParses) {
  const std::filesystem::path events = "/sys/kernel/tracing/events";
  if (::access("/sys/kernel/tracing/events/sched/sched_switch/format", R_OK) != 0)
    GTEST_SKIP() << "tracefs not readable here";
  size_t parsed = 0;
  std::error_code ec;
  for (const auto& sub : std::filesystem::directory_iterator(events, ec)) {
    if (!sub.is_directory())
      continue;
    for (const auto& ev : std::filesystem::directory_iterator(sub.path(), ec)) {
      const auto path = ev.path() / "format";
      if (!ev.is_directory() || ::access(path.c_str(), R_OK) != 0)
        continue;
      auto r = load_tracepoint_format(path.string());
      EXPECT_TRUE(r.has_value()) << r.error().describe();
      parsed += r.has_value();
    }
  }
  EXPECT_GT(parsed, 100u);
}

} // namespace
} // namespace octagon::policy::kernel
