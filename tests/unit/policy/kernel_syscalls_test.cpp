// Syscall call names, the x86_64 syscall table, and KernelInfo over a fake tracefs (the
// fixtures directory, a temporary one) and over the real one when present.
#include <octagon/exporters/json/syscall_names.h>
#include <octagon/policy/kernel/syscalls.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "test_helpers.h"

namespace octagon::policy::kernel {
namespace {

#ifdef OCTAGON_SOURCE_DIR
const std::string kFakeTracefs = OCTAGON_SOURCE_DIR "/tests/fixtures/tracefs";
#else
const std::string kFakeTracefs = "tests/fixtures/tracefs";
#endif

TEST(SyscallCallNames, PrefixesAndAbis) {
  struct Case {
    const char* call;
    const char* name; // nullptr: not a syscall
    SyscallAbi abi;
  };
  const Case cases[] = {
      {"sys_openat", "openat", SyscallAbi::kNative},
      {"__x64_sys_openat", "openat", SyscallAbi::kX64},
      {"__arm64_sys_openat", "openat", SyscallAbi::kArm64},
      {"__ia32_sys_openat", "openat", SyscallAbi::kIa32},
      {"sys_clock_settime", "clock_settime", SyscallAbi::kNative},
      {"__x64_sys_newstat", "newstat", SyscallAbi::kX64},
      {"ksys_read", nullptr, {}},
      {"ksys_openat", nullptr, {}},
      {"__se_sys_openat", nullptr, {}},
      {"__do_sys_openat", nullptr, {}},
      {"compat_sys_openat", nullptr, {}},
      {"__x64_compat_sys_openat", nullptr, {}},
      {"__ia32_compat_sys_openat", nullptr, {}},
      {"do_sys_openat2", nullptr, {}},
      {"security_file_open", nullptr, {}},
      {"sys_", nullptr, {}},
      {"__x64_sys_", nullptr, {}},
      {"sys_open at", nullptr, {}},
      {"sys_../x", nullptr, {}},
      {"", nullptr, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.call);
    const auto parsed = parse_syscall_call(c.call);
    const auto name = syscall_tracepoint_name(c.call);
    if (c.name == nullptr) {
      EXPECT_FALSE(parsed.has_value());
      EXPECT_FALSE(name.has_value());
      continue;
    }
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->name, c.name);
    EXPECT_EQ(parsed->abi, c.abi);
    EXPECT_EQ(name, c.name);
  }
}

TEST(KernelInfoSyscalls, X64Table) {
  const KernelInfo k(kFakeTracefs);
  EXPECT_EQ(k.syscall_number("read"), 0);
  EXPECT_EQ(k.syscall_number("openat"), 257);
  EXPECT_EQ(k.syscall_number("execve"), 59);
  EXPECT_EQ(k.syscall_number("stat"), 4);
  EXPECT_EQ(k.syscall_number("mseal"), 462);            // newer than the installed uapi headers
  EXPECT_EQ(k.syscall_number("newstat"), std::nullopt); // the tracepoint name, not the uapi one
  EXPECT_EQ(k.syscall_number("sys_openat"), std::nullopt);
  EXPECT_EQ(k.syscall_number(""), std::nullopt);
  EXPECT_EQ(k.syscall_name(257), "openat");
  EXPECT_EQ(k.syscall_name(0), "read");
  EXPECT_EQ(k.syscall_name(435), "clone3");
  EXPECT_EQ(k.syscall_name(400), ""); // gap between 334 and 424
  EXPECT_EQ(k.syscall_name(-1), "");
  EXPECT_EQ(k.syscall_name(100000), "");
  // Round trip over the whole table.
  for (int nr = 0; nr < 600; ++nr) {
    const std::string name = k.syscall_name(nr);
    if (!name.empty()) {
      EXPECT_EQ(k.syscall_number(name), nr) << name;
    }
  }
}

// The exporters keep their own copy of the generated table (layers may not depend on each
// other); both copies must agree.
TEST(KernelInfoSyscalls, SameTableAsTheExporters) {
  const KernelInfo k(kFakeTracefs);
  for (int nr = -1; nr < 600; ++nr)
    EXPECT_EQ(k.syscall_name(nr), nr < 0 ? "" : exporters::syscall_name_x64(nr)) << nr;
}

TEST(KernelInfoSyscalls, ArchPrefix) {
  const KernelInfo k(kFakeTracefs);
#if defined(__x86_64__)
  EXPECT_EQ(k.arch_prefix(), "__x64_");
#elif defined(__aarch64__)
  EXPECT_EQ(k.arch_prefix(), "__arm64_");
#endif
}

TEST(KernelInfoTracefs, FakeTracefsDirectory) {
  const KernelInfo k(kFakeTracefs);
  EXPECT_EQ(k.tracefs_root(), kFakeTracefs);
  EXPECT_TRUE(k.has_tracepoint("syscalls", "sys_enter_openat"));
  EXPECT_TRUE(k.has_tracepoint("raw_syscalls", "sys_enter"));
  EXPECT_FALSE(k.has_tracepoint("syscalls", "sys_enter_nope"));
  EXPECT_FALSE(k.has_tracepoint("nope", "sys_enter"));
  auto f = k.tracepoint_format("raw_syscalls", "sys_enter");
  ASSERT_OK(f);
  EXPECT_EQ(f->index_of("id"), 4u);
  EXPECT_ERR(
      k.tracepoint_format("syscalls", "sys_enter_nope"), ENOENT,
      "^no tracepoint syscalls/sys_enter_nope \\(.*/events/syscalls/sys_enter_nope/format\\)$");
}

TEST(KernelInfoTracefs, NamesCannotLeaveTracefs) {
  const KernelInfo k(kFakeTracefs);
  for (const char* bad : {"..", ".", "", "a/b", "../syscalls", "sys enter", "x\n"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(k.has_tracepoint(bad, "sys_enter_openat"));
    EXPECT_FALSE(k.has_tracepoint("syscalls", bad));
    EXPECT_ERR(k.tracepoint_format("syscalls", bad), EINVAL, "^invalid tracepoint name");
    EXPECT_ERR(k.tracepoint_format(bad, "sys_enter"), EINVAL, "^invalid tracepoint name");
  }
  EXPECT_TRUE(k.has_tracepoint("sched", "sched_switch"));
}

// A temporary tracefs with a broken format file: the error names the file and the line.
TEST(KernelInfoTracefs, MalformedFormatFile) {
  char tmpl[] = "/tmp/octagon_tracefs_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::filesystem::path root = tmpl;
  std::filesystem::create_directories(root / "events/bad/ev");
  std::ofstream(root / "events/bad/ev/format") << "name: ev\nID: 1\nformat:\n\tfield:int;\n";
  const KernelInfo k(root.string());
  EXPECT_TRUE(k.has_tracepoint("bad", "ev"));
  EXPECT_ERR(k.tracepoint_format("bad", "ev"), EINVAL, "events/bad/ev/format:4: ");
  std::filesystem::remove_all(root);
}

struct FakeKernel : KernelInfo {
  FakeKernel() : KernelInfo("/nonexistent") {}
  bool has_tracepoint(std::string_view sub, std::string_view) const override {
    return sub == "fake";
  }
  std::string arch_prefix() const override { return "__arm64_"; }
};

TEST(KernelInfoTracefs, FakesOverride) {
  const FakeKernel fake;
  const KernelInfo& k = fake;
  EXPECT_TRUE(k.has_tracepoint("fake", "x"));
  EXPECT_EQ(k.arch_prefix(), "__arm64_");
  EXPECT_ERR(k.tracepoint_format("sched", "sched_switch"), ENOENT, "^no tracepoint sched/");
}

TEST(KernelInfoTracefs, RealTracefs) {
  const KernelInfo k;
  if (k.tracefs_root().empty())
    GTEST_SKIP() << "no tracefs on this system";
  EXPECT_TRUE(k.tracefs_root() == "/sys/kernel/tracing" ||
              k.tracefs_root() == "/sys/kernel/debug/tracing");
  auto f = k.tracepoint_format("sched", "sched_process_exec");
  if (!f && f.error().code() == EACCES) {
    EXPECT_FALSE(k.has_tracepoint("sched", "sched_process_exec")); // cannot tell
    GTEST_SKIP() << "tracefs not readable without privileges: " << f.error().describe();
  }
  ASSERT_OK(f);
  EXPECT_TRUE(k.has_tracepoint("sched", "sched_process_exec"));
  EXPECT_EQ(f->name, "sched_process_exec");
  EXPECT_EQ(f->index_of("filename"), 4u);
  EXPECT_TRUE(f->fields[4].is_data_loc);
  if (k.has_tracepoint("syscalls", "sys_enter_openat")) {
    auto o = k.tracepoint_format("syscalls", "sys_enter_openat");
    ASSERT_OK(o);
    EXPECT_TRUE(o->fields[*o->index_of("filename")].is_user);
  }
  EXPECT_FALSE(k.has_tracepoint("sched", "no_such_event"));
}

} // namespace
} // namespace octagon::policy::kernel
