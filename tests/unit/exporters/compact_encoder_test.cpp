#include <octagon/exporters/json/compact_encoder.h>

#include <gtest/gtest.h>

#include <string>

#include "unit/exporters/process_fixtures.h"

namespace octagon::exporters {
namespace {

using fixtures::doc_bash;
using fixtures::doc_curl;

events::Process ls_process() {
  events::Process p;
  p.pid = p.tid = 10;
  p.binary = "/bin/ls";
  p.arguments = "-l";
  return p;
}

std::string exec_line(CompactEncoder& enc, const events::Process& p, uint64_t t = 0) {
  std::string out;
  enc.encode(events::ExecEvent{&p, nullptr, {}, t}, out);
  return out;
}

std::string exit_line(CompactEncoder& enc, const events::Process& p, uint32_t status, int signal) {
  std::string out;
  enc.encode(events::ExitEvent{&p, nullptr, {}, status, signal, 0}, out);
  return out;
}

TEST(CompactEncoder, ExecAsDocumented) {
  CompactEncoder enc("default/xwing", false, false); // stands in for the pod source
  EXPECT_EQ(exec_line(enc, doc_curl()),
            "🚀 process default/xwing /usr/bin/curl https://ebpf.io/applications/#tetragon\n");
}

TEST(CompactEncoder, ExitStatusSignalAndZero) {
  CompactEncoder enc("default/xwing", false, false);
  const events::Process curl = doc_curl();
  EXPECT_EQ(exit_line(enc, curl, 60, 0),
            "💥 exit    default/xwing /usr/bin/curl https://ebpf.io/applications/#tetragon 60\n");
  EXPECT_EQ(
      exit_line(enc, curl, 0, 9),
      "💥 exit    default/xwing /usr/bin/curl https://ebpf.io/applications/#tetragon SIGKILL\n");
  EXPECT_EQ(exit_line(enc, curl, 0, 0),
            "💥 exit    default/xwing /usr/bin/curl https://ebpf.io/applications/#tetragon 0\n");
}

TEST(CompactEncoder, ArgumentsWithSpacesAreQuotedAsOneString) {
  CompactEncoder enc("node-1", false, false);
  EXPECT_EQ(exec_line(enc, doc_bash()),
            R"(🚀 process node-1 /bin/bash "-c \"curl https://ebpf.io/applications/#tetragon\"")"
            "\n");
}

TEST(CompactEncoder, EmptyArgumentsKeepTheSeparator) {
  CompactEncoder enc("n", false, false);
  events::Process p = ls_process();
  p.arguments.clear();
  EXPECT_EQ(exec_line(enc, p), "🚀 process n /bin/ls \n");
}

TEST(CompactEncoder, UntrustedStringsCannotInjectEscapes) {
  CompactEncoder enc("bad host\x1b[2J", false, false);
  events::Process p = ls_process();
  p.binary = "/tmp/\x1b]0;title\x07";
  p.arguments = "\xE2\x80\xAE\xff";
  const std::string line = exec_line(enc, p);
  EXPECT_EQ(line, R"(🚀 process "bad host\x1b[2J" "/tmp/\x1b]0;title\a" "\u202e\xff")"
                  "\n");
  EXPECT_EQ(line.find('\x1b'), std::string::npos);
}

TEST(CompactEncoder, Timestamps) {
  CompactEncoder enc("n", true, false);
  EXPECT_EQ(exec_line(enc, ls_process(), fixtures::kDocEventTime),
            "2023-10-06T22:03:57.700326678Z 🚀 process n /bin/ls -l\n");
  EXPECT_EQ(exec_line(enc, ls_process(), 5),
            "1970-01-01T00:00:00.000000005Z 🚀 process n /bin/ls -l\n");
}

TEST(CompactEncoder, CapSysAdminTrailer) {
  events::Process p = ls_process();
  p.cap.effective = 1ull << 21;
  CompactEncoder enc("n", false, false, /*caps=*/true);
  // "🚀 process n /bin/ls -l" is 25 bytes: padding 95, minus the 15-rune marker = 80 spaces.
  EXPECT_EQ(exec_line(enc, p),
            "🚀 process n /bin/ls -l " + std::string(80, ' ') + "🛑 CAP_SYS_ADMIN\n");
  // The timestamp prefix does not count towards the padding.
  CompactEncoder with_ts("n", true, false, /*caps=*/true);
  EXPECT_EQ(exec_line(with_ts, p), "1970-01-01T00:00:00.000000000Z 🚀 process n /bin/ls -l " +
                                       std::string(80, ' ') + "🛑 CAP_SYS_ADMIN\n");
  // Past column 120: one space only.
  p.arguments = std::string(130, 'a');
  EXPECT_EQ(exec_line(enc, p),
            "🚀 process n /bin/ls " + std::string(130, 'a') + " 🛑 CAP_SYS_ADMIN\n");
  // Other capabilities do not trigger it.
  p.cap.effective = ~(1ull << 21);
  EXPECT_EQ(exec_line(enc, p).find("CAP_SYS_ADMIN"), std::string::npos);
}

TEST(CompactEncoder, CapSysAdminOnExit) {
  events::Process p = ls_process();
  p.cap.effective = 1ull << 21;
  CompactEncoder enc("n", false, false, /*caps=*/true);
  // "💥 exit    n /bin/ls -l 1" is 27 bytes: 93 - 15 = 78 spaces.
  EXPECT_EQ(exit_line(enc, p, 1, 0),
            "💥 exit    n /bin/ls -l 1 " + std::string(78, ' ') + "🛑 CAP_SYS_ADMIN\n");
}

TEST(CompactEncoder, Colors) {
  CompactEncoder enc("n", false, true, /*caps=*/true);
  events::Process p = ls_process();
  EXPECT_EQ(exec_line(enc, p),
            "\x1b[34m🚀 process\x1b[0m \x1b[32mn\x1b[0m \x1b[35m/bin/ls\x1b[0m \x1b[36m-l\x1b[0m\n");
  EXPECT_EQ(exit_line(enc, p, 0, 15),
            "\x1b[34m💥 exit   \x1b[0m \x1b[32mn\x1b[0m \x1b[35m/bin/ls\x1b[0m \x1b[36m-l\x1b[0m "
            "\x1b[31mSIGTERM\x1b[0m\n");
  // Colour codes count as bytes (line: 61) and runes (marker: 24), as in Tetragon: 35 spaces.
  p.cap.effective = 1ull << 21;
  EXPECT_EQ(exec_line(enc, p),
            "\x1b[34m🚀 process\x1b[0m \x1b[32mn\x1b[0m \x1b[35m/bin/ls\x1b[0m \x1b[36m-l\x1b[0m " +
                std::string(35, ' ') + "\x1b[35m🛑 CAP_SYS_ADMIN\x1b[0m\n");
}

TEST(CompactEncoder, NoCapSysAdminMarkerWithoutCapabilities) {
  // Without --enable-process-cred events carry no capabilities, so Tetragon prints no marker.
  events::Process p = ls_process();
  p.cap.effective = 1ull << 21;
  CompactEncoder enc("n", false, false);
  EXPECT_EQ(exec_line(enc, p), "🚀 process n /bin/ls -l\n");
}

TEST(CompactEncoder, NullProcessWritesNothing) {
  CompactEncoder enc("n", true, true);
  std::string out;
  enc.encode(events::ExecEvent{}, out);
  enc.encode(events::ExitEvent{}, out);
  EXPECT_EQ(out, "");
}

} // namespace
} // namespace octagon::exporters
