// process_kprobe / process_tracepoint / process_uprobe JSON lines, byte for byte, and every
// KprobeArgument shape (compat reference 2.2-2.3).
#include <octagon/exporters/json/argument_json.h>
#include <octagon/exporters/json/json_encoder.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "unit/exporters/policy_fixtures.h"

namespace octagon::exporters {
namespace {

using events::Argument;
using events::KprobeAction;
using K = Argument::Kind;
using fixtures::Arg;

constexpr uint64_t kSec = 1'000'000'000;

events::Process cat_process() {
  events::Process p;
  p.pid = p.tid = 10;
  p.binary = "/bin/cat";
  return p;
}
constexpr char kCatJson[] = R"({"pid":10,"uid":0,"binary":"/bin/cat",)"
                            R"("start_time":"1970-01-01T00:00:00Z","auid":4294967295,"tid":10,"in_init_tree":false})";

events::Process sh_process() {
  events::Process p;
  p.pid = p.tid = 9;
  p.binary = "/bin/sh";
  return p;
}
constexpr char kShJson[] = R"({"pid":9,"uid":0,"binary":"/bin/sh",)"
                           R"("start_time":"1970-01-01T00:00:00Z","auid":4294967295,"tid":9,"in_init_tree":false})";

constexpr char kTail[] = R"(,"node_name":"node-1","time":"1970-01-01T00:00:02Z"})"
                         "\n";

std::string arg_json(const Argument& a) {
  std::string out;
  append_argument_json(a, out);
  return out;
}

// The documented security_file_permission event (filename-access.md), process/parent aside.
TEST(PolicyJson, KprobeAsDocumented) {
  const events::Process cat = cat_process(), sh = sh_process();
  events::KprobeEvent ev;
  ev.process = &cat;
  ev.parent = &sh;
  ev.function_name = "security_file_permission";
  ev.args = {Arg(K::kFile).s("/etc/passwd").permission("-rw-r--r--"), Arg(K::kInt).i(2)};
  ev.return_arg = Arg(K::kInt).i(0);
  ev.action = KprobeAction::kPost;
  ev.policy_name = "file-monitoring";
  ev.return_action = KprobeAction::kPost;
  ev.time_ns = 2 * kSec;
  JsonEncoder enc("node-1", {});
  std::string out;
  enc.encode(ev, out);
  EXPECT_EQ(out, std::string(R"({"process_kprobe":{"process":)") + kCatJson + R"(,"parent":)" +
                     kShJson +
                     R"(,"function_name":"security_file_permission",)"
                     R"("args":[{"file_arg":{"path":"/etc/passwd","permission":"-rw-r--r--"}},)"
                     R"({"int_arg":2}],"return":{"int_arg":0},"action":"KPROBE_ACTION_POST",)"
                     R"("policy_name":"file-monitoring","return_action":"KPROBE_ACTION_POST"})" +
                     kTail);
}

// data[] values (ProcessKprobe.data=14): KprobeArguments after every other declared field.
TEST(PolicyJson, KprobeDataEntries) {
  const events::Process cat = cat_process();
  events::KprobeEvent ev;
  ev.process = &cat;
  ev.function_name = "__x64_sys_openat";
  ev.args = {Arg(K::kString).s("/etc/passwd")};
  ev.data = {Arg(K::kInt).i(10), Arg(K::kString).s("cat")};
  ev.action = KprobeAction::kPost;
  ev.policy_name = "p";
  ev.time_ns = 2 * kSec;
  JsonEncoder enc("node-1", {});
  std::string out;
  enc.encode(ev, out);
  EXPECT_EQ(out, std::string(R"({"process_kprobe":{"process":)") + kCatJson +
                     R"(,"function_name":"__x64_sys_openat","args":[{"string_arg":"/etc/passwd"}],)"
                     R"("action":"KPROBE_ACTION_POST","policy_name":"p",)"
                     R"("data":[{"int_arg":10},{"string_arg":"cat"}]})" +
                     kTail);
}

TEST(PolicyJson, KprobeAllFieldsInProtoOrder) {
  const events::Process cat = cat_process(), sh = sh_process(), init = sh_process();
  events::KprobeEvent ev;
  ev.process = &cat;
  ev.parent = &sh;
  ev.ancestors = {&init, nullptr};
  ev.function_name = "__x64_sys_openat";
  ev.args = {Arg(K::kInt).i(-100).label("dfd"), Arg(K::kString).s("/etc/shadow")};
  ev.return_arg = Arg(K::kInt).i(-13);
  ev.action = KprobeAction::kSigkill;
  ev.policy_name = "p";
  ev.return_action = KprobeAction::kOverride;
  ev.message = "shadow read";
  ev.tags = {"observability.filesystem", "t\"2"};
  ev.time_ns = 2 * kSec;
  JsonEncoder enc("node-1", {});
  std::string out;
  enc.encode(ev, out);
  EXPECT_EQ(out, std::string(R"({"process_kprobe":{"process":)") + kCatJson + R"(,"parent":)" +
                     kShJson +
                     R"(,"function_name":"__x64_sys_openat",)"
                     R"("args":[{"int_arg":-100,"label":"dfd"},{"string_arg":"/etc/shadow"}],)"
                     R"("return":{"int_arg":-13},"action":"KPROBE_ACTION_SIGKILL",)"
                     R"("policy_name":"p","return_action":"KPROBE_ACTION_OVERRIDE",)"
                     R"("message":"shadow read","tags":["observability.filesystem","t\"2"],)"
                     R"("ancestors":[)" +
                     kShJson + "]}" + kTail);
}

TEST(PolicyJson, KprobeMinimalOmitsZeroFields) {
  const events::Process cat = cat_process();
  events::KprobeEvent ev;
  ev.process = &cat;
  ev.action = KprobeAction::kUnknown;
  JsonEncoder enc("", {});
  std::string out;
  enc.encode(ev, out);
  EXPECT_EQ(out, std::string(R"({"process_kprobe":{"process":)") + kCatJson +
                     R"(},"time":"1970-01-01T00:00:00Z"})"
                     "\n");
}

TEST(PolicyJson, ActionNamesAndUnknownValues) {
  const events::Process cat = cat_process();
  events::KprobeEvent ev;
  ev.process = &cat;
  JsonEncoder enc("", {});
  const std::pair<uint32_t, std::string> cases[] = {
      {1, R"("KPROBE_ACTION_POST")"},
      {2, R"("KPROBE_ACTION_FOLLOWFD")"},
      {3, R"("KPROBE_ACTION_SIGKILL")"},
      {4, R"("KPROBE_ACTION_UNFOLLOWFD")"},
      {5, R"("KPROBE_ACTION_OVERRIDE")"},
      {6, R"("KPROBE_ACTION_COPYFD")"},
      {7, R"("KPROBE_ACTION_GETURL")"},
      {8, R"("KPROBE_ACTION_DNSLOOKUP")"},
      {9, R"("KPROBE_ACTION_NOPOST")"},
      {10, R"("KPROBE_ACTION_SIGNAL")"},
      {11, R"("KPROBE_ACTION_TRACKSOCK")"},
      {12, R"("KPROBE_ACTION_UNTRACKSOCK")"},
      {13, R"("KPROBE_ACTION_NOTIFYENFORCER")"},
      {14, R"("KPROBE_ACTION_CLEANUPENFORCERNOTIFICATION")"},
      {15, R"("KPROBE_ACTION_SET")"},
      {99, "99"}, // protojson prints enum values without a name as numbers
  };
  for (const auto& [value, json] : cases) {
    ev.action = static_cast<KprobeAction>(value);
    ev.return_action = static_cast<KprobeAction>(value);
    std::string out;
    enc.encode(ev, out);
    EXPECT_NE(out.find(R"(,"action":)" + json + R"(,"return_action":)" + json + "}"),
              std::string::npos)
        << out;
  }
}

TEST(PolicyJson, Tracepoint) {
  const events::Process cat = cat_process(), sh = sh_process();
  events::TracepointEvent ev;
  ev.process = &cat;
  ev.parent = &sh;
  ev.ancestors = {&sh};
  ev.subsys = "sched";
  ev.event = "sched_process_exec";
  ev.args = {Arg(K::kInt).i(938600), Arg(K::kLinuxBinprm).s("/usr/bin/ls").permission("rwxr-xr-x")};
  ev.policy_name = "rawtp";
  ev.message = "m";
  ev.tags = {"a"};
  ev.time_ns = 2 * kSec;
  JsonEncoder enc("node-1", {});
  std::string out;
  enc.encode(ev, out);
  EXPECT_EQ(out, std::string(R"({"process_tracepoint":{"process":)") + kCatJson + R"(,"parent":)" +
                     kShJson +
                     R"(,"subsys":"sched","event":"sched_process_exec",)"
                     R"("args":[{"int_arg":938600},)"
                     R"({"linux_binprm_arg":{"path":"/usr/bin/ls","permission":"rwxr-xr-x"}}],)"
                     R"("policy_name":"rawtp","action":"KPROBE_ACTION_POST","message":"m",)"
                     R"("tags":["a"],"ancestors":[)" +
                     kShJson + "]}" + kTail);
}

TEST(PolicyJson, TracepointRawSyscalls) {
  const events::Process cat = cat_process();
  events::TracepointEvent ev;
  ev.process = &cat;
  ev.subsys = "raw_syscalls";
  ev.event = "sys_enter";
  ev.args = {Arg(K::kSyscallId).u(257).s("x64")};
  JsonEncoder enc("", {});
  std::string out;
  enc.encode(ev, out);
  EXPECT_EQ(out, std::string(R"({"process_tracepoint":{"process":)") + kCatJson +
                     R"(,"subsys":"raw_syscalls","event":"sys_enter",)"
                     R"("args":[{"syscall_id":{"id":257,"abi":"x64"}}],)"
                     R"("action":"KPROBE_ACTION_POST"},"time":"1970-01-01T00:00:00Z"})"
                     "\n");
}

TEST(PolicyJson, Uprobe) {
  const events::Process cat = cat_process();
  events::UprobeEvent ev;
  ev.process = &cat;
  ev.path = "/bin/bash";
  ev.symbol = "readline";
  ev.policy_name = "example-uprobe";
  ev.message = "typed";
  ev.args = {Arg(K::kString).s("sudo id")};
  ev.tags = {"x"};
  ev.ancestors = {&cat};
  ev.offset = 872080;
  ev.time_ns = 2 * kSec;
  JsonEncoder enc("node-1", {});
  std::string out;
  enc.encode(ev, out);
  EXPECT_EQ(out, std::string(R"({"process_uprobe":{"process":)") + kCatJson +
                     R"(,"path":"/bin/bash","symbol":"readline","policy_name":"example-uprobe",)"
                     R"("message":"typed","args":[{"string_arg":"sudo id"}],"tags":["x"],)"
                     R"("ancestors":[)" +
                     kCatJson + R"(],"offset":"872080","action":"KPROBE_ACTION_POST"})" + kTail);
  // offset 0 is omitted (uint64 scalar); the action still follows.
  ev.offset = 0;
  ev.ancestors.clear();
  ev.args.clear();
  ev.tags.clear();
  out.clear();
  enc.encode(ev, out);
  EXPECT_NE(out.find(R"("message":"typed","action":"KPROBE_ACTION_POST"})"), std::string::npos)
      << out;
}

TEST(PolicyJson, NullProcessWritesNothingAndLinesAppend) {
  JsonEncoder enc("n", {});
  std::string out = "prefix\n";
  enc.encode(events::KprobeEvent{}, out);
  enc.encode(events::TracepointEvent{}, out);
  enc.encode(events::UprobeEvent{}, out);
  EXPECT_EQ(out, "prefix\n");
  const events::Process cat = cat_process();
  events::UprobeEvent ev;
  ev.process = &cat;
  enc.encode(ev, out);
  enc.encode(ev, out);
  EXPECT_EQ(out.rfind("prefix\n{\"process_uprobe\"", 0), 0u);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 3);
}

struct ArgCase {
  Argument arg;
  const char* json;
};

// Every Argument kind: the oneof member is printed even at zero (it is set); inside
// sub-messages protojson omits zero scalars and empty strings.
TEST(PolicyJson, EveryArgumentKind) {
  const ArgCase cases[] = {
      {Arg(K::kInt).i(0), R"({"int_arg":0})"},
      {Arg(K::kInt).i(-2147483648), R"({"int_arg":-2147483648})"},
      {Arg(K::kUint).u(0), R"({"uint_arg":0})"},
      {Arg(K::kUint).u(4294967295u), R"({"uint_arg":4294967295})"},
      {Arg(K::kLong).i(0), R"({"long_arg":"0"})"},
      {Arg(K::kLong).i(INT64_MIN), R"({"long_arg":"-9223372036854775808"})"},
      {Arg(K::kSize).u(0), R"({"size_arg":"0"})"},
      {Arg(K::kSize).u(UINT64_MAX), R"({"size_arg":"18446744073709551615"})"},
      {Arg(K::kString), R"({"string_arg":""})"},
      {Arg(K::kString).s("/etc/passwd"), R"({"string_arg":"/etc/passwd"})"},
      {Arg(K::kBytes), R"({"bytes_arg":""})"},
      {Arg(K::kBytes).s("hi!"), R"({"bytes_arg":"aGkh"})"},
      {Arg(K::kTruncatedBytes), R"({"truncated_bytes_arg":{}})"},
      {Arg(K::kTruncatedBytes).u(5000).s("hi"),
       R"({"truncated_bytes_arg":{"bytes_arg":"aGk=","orig_size":"5000"}})"},
      {Arg(K::kTruncatedBytes).u(7), R"({"truncated_bytes_arg":{"orig_size":"7"}})"},
      {Arg(K::kFile), R"({"file_arg":{}})"},
      {Arg(K::kFile).s("/etc/passwd").mount("/").flags("O_RDONLY").permission("-rw-r--r--"),
       R"({"file_arg":{"mount":"/","path":"/etc/passwd","flags":"O_RDONLY",)"
       R"("permission":"-rw-r--r--"}})"},
      {Arg(K::kPath).s("/tmp").flags("f"), R"({"path_arg":{"path":"/tmp","flags":"f"}})"},
      {Arg(K::kPath).mount("/mnt"), R"({"path_arg":{"mount":"/mnt"}})"},
      {Arg(K::kLinuxBinprm).s("/bin/ls").mount("ignored").permission("-rwxr-xr-x"),
       R"({"linux_binprm_arg":{"path":"/bin/ls","permission":"-rwxr-xr-x"}})"},
      {Arg(K::kSyscallId).u(257).s("x64"), R"({"syscall_id":{"id":257,"abi":"x64"}})"},
      {Arg(K::kSyscallId).u(0).s("x64"), R"({"syscall_id":{"abi":"x64"}})"},
      {Arg(K::kSyscallId).u(5).s("i386"), R"({"syscall_id":{"id":5,"abi":"i386"}})"},
      {Arg(K::kSockaddr).u(443).s("1.2.3.4").family("AF_INET"),
       R"({"sockaddr_arg":{"family":"AF_INET","addr":"1.2.3.4","port":443}})"},
      {Arg(K::kSockaddr).family("AF_INET6"), R"({"sockaddr_arg":{"family":"AF_INET6"}})"},
      {Arg(K::kCapability).i(21), R"({"capability_arg":{"value":21,"name":"CAP_SYS_ADMIN"}})"},
      {Arg(K::kCapability).i(0), R"({"capability_arg":{"value":0,"name":"CAP_CHOWN"}})"},
      {Arg(K::kCapability).i(1), R"({"capability_arg":{"value":1,"name":"DAC_OVERRIDE"}})"},
      {Arg(K::kCapability).i(63), R"({"capability_arg":{"value":63}})"},
      {Arg(K::kCapability).i(-1), R"({"capability_arg":{"value":-1}})"},
      {Arg(K::kCapability).i(34).s("CAP_X"), R"({"capability_arg":{"value":34,"name":"CAP_X"}})"},
      {Arg(K::kError).s("failed to read"), R"({"error_arg":{"Message":"failed to read"}})"},
      {Arg(K::kError), R"({"error_arg":{}})"},
  };
  for (const ArgCase& c : cases)
    EXPECT_EQ(arg_json(c.arg), c.json) << "kind " << static_cast<int>(c.arg.kind);
}

TEST(PolicyJson, LabelFollowsTheOneofMember) {
  EXPECT_EQ(arg_json(Arg(K::kInt).i(0).label("flags")), R"({"int_arg":0,"label":"flags"})");
  EXPECT_EQ(arg_json(Arg(K::kFile).s("/a").label("file")),
            R"({"file_arg":{"path":"/a"},"label":"file"})");
  EXPECT_EQ(arg_json(Arg(K::kSize).u(1).label("l\"\n")), R"({"size_arg":"1","label":"l\"\n"})");
  // A corrupt kind renders as an empty argument, keeping the line valid.
  EXPECT_EQ(arg_json(Arg(static_cast<K>(200)).label("x")), R"({"label":"x"})");
  EXPECT_EQ(arg_json(Arg(static_cast<K>(200))), "{}");
}

TEST(PolicyJson, Base64) {
  // RFC 4648 test vectors, then binary data that is not UTF-8.
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {std::string("\x00\xff\xfe\x80\xc0", 5), "AP/+gMA="},
      {std::string("\xfb\xff\xbf", 3), "+/+/"},
  };
  for (const auto& [in, b64] : cases) {
    std::string out = "x";
    append_base64(out, in);
    EXPECT_EQ(out, "x" + b64);
  }
  EXPECT_EQ(arg_json(Arg(K::kBytes).s(std::string("\x00\xff\xfe\x80\xc0", 5))),
            R"({"bytes_arg":"AP/+gMA="})");
}

TEST(PolicyJson, StringArgEscaping) {
  EXPECT_EQ(arg_json(Arg(K::kString).s("a\"b\\c\n\t\x01\x7f")),
            R"({"string_arg":"a\"b\\c\n\t\u0001\u007f"})");
  // Invalid UTF-8 becomes U+FFFD; valid multi-byte text is kept.
  EXPECT_EQ(arg_json(Arg(K::kString).s("\xff/\xE2\x82\xAC")),
            "{\"string_arg\":\"\xEF\xBF\xBD/\xE2\x82\xAC\"}");
  EXPECT_EQ(arg_json(Arg(K::kString).s(std::string("a\0b", 3))), R"({"string_arg":"a\u0000b"})");
  EXPECT_EQ(arg_json(Arg(K::kFile).s("/tmp/\"x\"\n")), R"({"file_arg":{"path":"/tmp/\"x\"\n"}})");
}

} // namespace
} // namespace octagon::exporters
