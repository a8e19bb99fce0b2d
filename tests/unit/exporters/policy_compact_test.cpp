// Compact lines of policy events (compat reference 2.4, Tetragon's pkg/encoder/encoder.go).
#include <octagon/exporters/json/compact_encoder.h>
#include <octagon/exporters/json/syscall_names.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/exporters/policy_fixtures.h"

namespace octagon::exporters {
namespace {

using events::Argument;
using K = Argument::Kind;
using fixtures::Arg;

events::Process cat_process() {
  events::Process p;
  p.pid = p.tid = 10;
  p.binary = "/bin/cat";
  p.arguments = "/etc/shadow"; // never printed on policy lines
  return p;
}

Argument file(std::string path) {
  return Arg(K::kFile).s(std::move(path));
}
Argument str(std::string s) {
  return Arg(K::kString).s(std::move(s));
}
Argument int_arg(int64_t v) {
  return Arg(K::kInt).i(v);
}
Argument uint_arg(uint64_t v) {
  return Arg(K::kUint).u(v);
}
Argument size(uint64_t v) {
  return Arg(K::kSize).u(v);
}

class PolicyCompact : public ::testing::Test {
protected:
  std::string kprobe(std::string fn, std::vector<Argument> args) {
    events::KprobeEvent ev;
    ev.process = &proc_;
    ev.function_name = std::move(fn);
    ev.args = std::move(args);
    std::string out;
    enc_.encode(ev, out);
    return out;
  }
  std::string tracepoint(std::string subsys, std::string event, std::vector<Argument> args) {
    events::TracepointEvent ev;
    ev.process = &proc_;
    ev.subsys = std::move(subsys);
    ev.event = std::move(event);
    ev.args = std::move(args);
    std::string out;
    enc_.encode(ev, out);
    return out;
  }

  events::Process proc_ = cat_process();
  CompactEncoder enc_{"ns/pod", false, false};
};

TEST_F(PolicyCompact, Openat) {
  const std::string want = "📬️ openat  ns/pod /bin/cat /etc/shadow\n";
  EXPECT_EQ(kprobe("sys_openat", {int_arg(-100), str("/etc/shadow")}), want);
  EXPECT_EQ(kprobe("__x64_sys_openat", {int_arg(-100), str("/etc/shadow")}), want);
  EXPECT_EQ(kprobe("__arm64_sys_openat", {int_arg(-100), str("/etc/shadow")}), want);
  EXPECT_EQ(kprobe("__ia32_sys_openat", {int_arg(-100), str("/etc/shadow")}), want);
  EXPECT_EQ(kprobe("__x64_sys_open", {int_arg(0), str("/a")}),
            "📬️ open    ns/pod /bin/cat /a\n");
  // Missing or non-string args[1]: empty detail, separator kept (Go's "%s %s %s").
  EXPECT_EQ(kprobe("sys_openat", {int_arg(-100)}), "📬️ openat  ns/pod /bin/cat \n");
  EXPECT_EQ(kprobe("sys_openat", {int_arg(-100), int_arg(3)}),
            "📬️ openat  ns/pod /bin/cat \n");
  // Untrusted strings are quoted when they hold spaces or control bytes.
  EXPECT_EQ(kprobe("sys_openat", {int_arg(-100), str("/tmp/a b\n")}),
            "📬️ openat  ns/pod /bin/cat \"/tmp/a b\\n\"\n");
}

TEST_F(PolicyCompact, WriteAndRead) {
  EXPECT_EQ(kprobe("__x64_sys_write", {file("/etc/password"), Argument{}, size(1234)}),
            "📝 write   ns/pod /bin/cat /etc/password 1234 bytes\n");
  EXPECT_EQ(kprobe("sys_read", {file("/etc/password"), Argument{}, size(0)}),
            "📚 read    ns/pod /bin/cat /etc/password 0 bytes\n");
  // args[2] present but not a size_arg: 0 (Go's GetSizeArg); absent: nothing.
  EXPECT_EQ(kprobe("sys_write", {file("/f"), Argument{}, int_arg(5)}),
            "📝 write   ns/pod /bin/cat /f 0 bytes\n");
  EXPECT_EQ(kprobe("sys_write", {int_arg(1)}), "📝 write   ns/pod /bin/cat  \n");
}

TEST_F(PolicyCompact, CloseAndFdInstall) {
  EXPECT_EQ(kprobe("__x64_sys_close", {file("/etc/password")}),
            "📪 close   ns/pod /bin/cat /etc/password\n");
  EXPECT_EQ(kprobe("sys_close", {int_arg(3)}), "📪 close   ns/pod /bin/cat \n");
  EXPECT_EQ(kprobe("fd_install", {int_arg(3), file("/etc/password")}),
            "📬 open    ns/pod /bin/cat /etc/password\n");
}

TEST_F(PolicyCompact, MountPivotRootSetuidClockSetns) {
  EXPECT_EQ(kprobe("__x64_sys_mount", {str("/dev/sda1"), str("/mnt")}),
            "💾 mount   ns/pod /bin/cat /dev/sda1 /mnt\n");
  EXPECT_EQ(kprobe("sys_pivot_root", {str("/new"), str("/new/old")}),
            "💾 pivot_root ns/pod /bin/cat /new /new/old\n");
  EXPECT_EQ(kprobe("sys_mount", {}), "💾 mount   ns/pod /bin/cat  \n");
  EXPECT_EQ(kprobe("__x64_sys_setuid", {int_arg(0)}), "🔑 setuid  ns/pod /bin/cat 0\n");
  EXPECT_EQ(kprobe("sys_setuid", {int_arg(1000)}), "🔑 setuid  ns/pod /bin/cat 1000\n");
  EXPECT_EQ(kprobe("__x64_sys_clock_settime", {int_arg(0)}), "⏰ clock_settime ns/pod /bin/cat\n");
  EXPECT_EQ(kprobe("__x64_sys_setns", {int_arg(3), int_arg(0x40000000)}),
            "🔧 setns   ns/pod /bin/cat net\n");
  EXPECT_EQ(kprobe("sys_setns", {int_arg(3), int_arg(0)}), "🔧 setns   ns/pod /bin/cat any\n");
  EXPECT_EQ(kprobe("sys_setns", {int_arg(3), int_arg(7)}), "🔧 setns   ns/pod /bin/cat \n");
}

TEST_F(PolicyCompact, SecurityHooks) {
  EXPECT_EQ(kprobe("security_file_permission", {file("/etc/shadow"), int_arg(4)}),
            "📚 read    ns/pod /bin/cat /etc/shadow\n");
  EXPECT_EQ(kprobe("security_file_permission", {file("/etc/shadow"), int_arg(2)}),
            "📝 write   ns/pod /bin/cat /etc/shadow\n");
  EXPECT_EQ(kprobe("security_file_permission", {file("/etc/shadow"), int_arg(8)}),
            "❓ security_file_permission ns/pod /bin/cat /etc/shadow\n");
  EXPECT_EQ(kprobe("security_mmap_file", {file("/lib/libc.so"), uint_arg(5)}),
            "📝 mmap-rx ns/pod /bin/cat /lib/libc.so\n");
  EXPECT_EQ(kprobe("security_mmap_file", {file("/x"), uint_arg(1)}),
            "📝 mmap-r  ns/pod /bin/cat /x\n");
  EXPECT_EQ(kprobe("security_mmap_file", {file("/x"), uint_arg(0)}),
            "📝 mmap-   ns/pod /bin/cat /x\n");
  EXPECT_EQ(kprobe("security_path_truncate", {Arg(K::kPath).s("/etc/passwd")}),
            "📝 truncate ns/pod /bin/cat /etc/passwd\n");
}

TEST_F(PolicyCompact, OtherKprobesPrintTheFunctionAsIs) {
  EXPECT_EQ(kprobe("unhandled_function", {}), "❓ syscall ns/pod /bin/cat unhandled_function\n");
  EXPECT_EQ(kprobe("__x64_sys_execve", {str("/bin/ls")}),
            "❓ syscall ns/pod /bin/cat __x64_sys_execve\n");
  EXPECT_EQ(kprobe("ksys_openat", {}), "❓ syscall ns/pod /bin/cat ksys_openat\n");
  EXPECT_EQ(kprobe("evil\x1b[2J", {}), "❓ syscall ns/pod /bin/cat \"evil\\x1b[2J\"\n");
}

TEST_F(PolicyCompact, RawSyscallsSysEnter) {
  const std::string head = "☎  syscall ns/pod /bin/cat ";
  EXPECT_EQ(tracepoint("raw_syscalls", "sys_enter", {Arg(K::kLong).i(257)}), head + "openat\n");
  EXPECT_EQ(tracepoint("raw_syscalls", "sys_enter", {Arg(K::kSize).u(59)}), head + "execve\n");
  EXPECT_EQ(tracepoint("raw_syscalls", "sys_enter", {Arg(K::kSyscallId).u(0).s("x64"), size(3)}),
            head + "read\n");
  EXPECT_EQ(tracepoint("raw_syscalls", "sys_enter", {Arg(K::kSyscallId).u(5).s("i386")}),
            head + "i386/open\n");
  EXPECT_EQ(tracepoint("raw_syscalls", "sys_enter", {Arg(K::kSyscallId).u(1)}),
            head + "write\n"); // no ABI: the default one
  // Ids without a name print as numbers; a missing id is "unknown" (Tetragon).
  EXPECT_EQ(tracepoint("raw_syscalls", "sys_enter", {Arg(K::kLong).i(100000)}), head + "100000\n");
  EXPECT_EQ(tracepoint("raw_syscalls", "sys_enter", {Arg(K::kLong).i(-1)}), head + "-1\n");
  EXPECT_EQ(tracepoint("raw_syscalls", "sys_enter", {Arg(K::kSyscallId).u(9999).s("arm64")}),
            head + "arm64/9999\n");
  EXPECT_EQ(tracepoint("raw_syscalls", "sys_enter", {}), head + "unknown\n");
  EXPECT_EQ(tracepoint("raw_syscalls", "sys_enter", {int_arg(257)}), head + "unknown\n");
}

TEST_F(PolicyCompact, OtherTracepoints) {
  EXPECT_EQ(tracepoint("sched", "sched_process_exec", {int_arg(1)}),
            "⁉️ tracepoint ns/pod /bin/cat sched sched_process_exec\n");
  EXPECT_EQ(tracepoint("raw_syscalls", "sys_exit", {}),
            "⁉️ tracepoint ns/pod /bin/cat raw_syscalls sys_exit\n");
}

TEST_F(PolicyCompact, Uprobe) {
  events::Process bash = cat_process();
  bash.binary = "/usr/bin/bash";
  events::UprobeEvent ev;
  ev.process = &bash;
  ev.path = "/bin/bash";
  ev.symbol = "readline";
  std::string out;
  enc_.encode(ev, out);
  EXPECT_EQ(out, "🕵️ uprobe  ns/pod /usr/bin/bash /bin/bash readline\n");
  out.clear();
  ev.path = "/opt/my app";
  enc_.encode(ev, out);
  EXPECT_EQ(out, "🕵️ uprobe  ns/pod /usr/bin/bash \"/opt/my app\" readline\n");
}

TEST_F(PolicyCompact, NullProcessWritesNothing) {
  std::string out;
  enc_.encode(events::KprobeEvent{}, out);
  enc_.encode(events::TracepointEvent{}, out);
  enc_.encode(events::UprobeEvent{}, out);
  EXPECT_EQ(out, "");
}

TEST(PolicyCompactOptions, TimestampsColorsAndCaps) {
  events::Process p = cat_process();
  p.cap.effective = uint64_t{1} << 21; // CAP_SYS_ADMIN
  events::KprobeEvent ev;
  ev.process = &p;
  ev.function_name = "__x64_sys_openat";
  ev.args = {int_arg(-100), str("/etc/shadow")};
  ev.time_ns = 1'000'000'000;

  CompactEncoder ts("node", true, false);
  std::string out;
  ts.encode(ev, out);
  EXPECT_EQ(out, "1970-01-01T00:00:01.000000000Z 📬️ openat  node /bin/cat /etc/shadow\n");

  CompactEncoder color("node", false, true);
  out.clear();
  color.encode(ev, out);
  EXPECT_EQ(out, "\x1b[34m📬️ openat \x1b[0m \x1b[32mnode\x1b[0m \x1b[35m/bin/cat\x1b[0m "
                 "\x1b[36m/etc/shadow\x1b[0m\n");

  CompactEncoder caps("node", false, false, true);
  out.clear();
  caps.encode(ev, out);
  const std::string body = "📬️ openat  node /bin/cat /etc/shadow";
  // Tetragon pads to 120 bytes, then right-aligns the marker (15 runes) after one space.
  const std::string want =
      body + " " + std::string(120 - body.size() - 15, ' ') + "🛑 CAP_SYS_ADMIN\n";
  EXPECT_EQ(out, want);
}

TEST(SyscallNames, X64AndI386Tables) {
  EXPECT_EQ(syscall_name_x64(0), "read");
  EXPECT_EQ(syscall_name_x64(59), "execve");
  EXPECT_EQ(syscall_name_x64(257), "openat");
  EXPECT_EQ(syscall_name_x64(334), "rseq");
  EXPECT_EQ(syscall_name_x64(335), ""); // gap before the unified 424+ numbers
  EXPECT_EQ(syscall_name_x64(435), "clone3");
  EXPECT_EQ(syscall_name_x64(462), "mseal"); // newer than the installed headers
  EXPECT_EQ(syscall_name_x64(470), "listns");
  EXPECT_EQ(syscall_name_x64(471), "");
  EXPECT_EQ(syscall_name_x64(UINT64_MAX), "");
  EXPECT_EQ(syscall_name_i386(5), "open");
  EXPECT_EQ(syscall_name_i386(11), "execve");
  EXPECT_EQ(syscall_name_i386(295), "openat");
  EXPECT_EQ(syscall_name("x64", 2), "open");
  EXPECT_EQ(syscall_name("i386", 2), "fork");
  EXPECT_EQ(syscall_name("arm64", 2), "");
}

} // namespace
} // namespace octagon::exporters
