#include <octagon/events/args.h>

#include <gtest/gtest.h>

#include <string>

namespace octagon::events {
namespace {

using namespace std::string_literals;

TEST(JoinArgs, SkipsArgv0AndJoinsWithSpaces) {
  EXPECT_EQ(join_arguments("ls\0-l\0/tmp\0"s, true), "-l /tmp");
  EXPECT_EQ(join_arguments("ls\0-l\0/tmp\0"s, false), "ls -l /tmp");
}

TEST(JoinArgs, EmptyInputs) {
  EXPECT_EQ(join_arguments(""s, true), "");
  EXPECT_EQ(join_arguments(""s, false), "");
  EXPECT_EQ(join_arguments("\0"s, true), "");
  EXPECT_EQ(join_arguments("ls\0"s, true), "");  // argv[0] only
  EXPECT_EQ(join_arguments("ls"s, true), "");
  EXPECT_EQ(join_arguments("ls"s, false), "ls");
}

TEST(JoinArgs, TrailingNulIsATerminator) {
  EXPECT_EQ(join_arguments("x\0a\0b"s, true), "a b");  // unterminated (cut) buffer
  EXPECT_EQ(join_arguments("x\0a\0b\0"s, true), "a b");
}

TEST(JoinArgs, QuotesArgumentsWithSpaces) {
  EXPECT_EQ(join_arguments("sh\0-c\0echo hi\0"s, true), "-c \"echo hi\"");
  EXPECT_EQ(join_arguments("sh\0-c\0echo hi\0x\0"s, true), "-c \"echo hi\" x");
  // Tetragon puts the separator before a quoted argument even when it comes first.
  EXPECT_EQ(join_arguments("x\0a b\0c\0"s, true), " \"a b\" c");
  EXPECT_EQ(join_arguments("my prog\0a\0"s, false), " \"my prog\" a");
  // Inner quotes are not escaped; only the space (not tab or newline) triggers quoting.
  EXPECT_EQ(join_arguments("x\0say \"hi\"\0"s, true), " \"say \"hi\"\"");
  EXPECT_EQ(join_arguments("x\0a\tb\0c\nd\0"s, true), "a\tb c\nd");
}

TEST(JoinArgs, EmptyArguments) {
  EXPECT_EQ(join_arguments("x\0a\0\0b\0"s, true), "a  b");  // kept as an empty slot
  EXPECT_EQ(join_arguments("x\0a\0\0"s, true), "a ");       // trailing empty argument
  EXPECT_EQ(join_arguments("x\0\0b\0"s, true), "b");        // leading ones vanish
  EXPECT_EQ(join_arguments("x\0\0\0"s, true), "");
  EXPECT_EQ(join_arguments("\0a\0"s, true), "a");  // empty argv[0] is still skipped
}

TEST(JoinArgs, KeepsRawBytes) {
  const std::string latin1 = "x\0caf\xe9\0\xff\xfe\x80\0"s;
  EXPECT_EQ(join_arguments(latin1, true), "caf\xe9 \xff\xfe\x80");
  EXPECT_EQ(join_arguments("x\0\x01\x1b[31m\0"s, true), "\x01\x1b[31m");
}

}  // namespace
}  // namespace octagon::events
