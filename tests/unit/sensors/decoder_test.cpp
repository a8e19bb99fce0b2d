#include <octagon/sensors/process/decoder.h>

#include "unit/sensors/record_builder.h"
#include "test_helpers.h"

namespace octagon::sensors {
namespace {

using testing::build_exec;
using testing::ExecSpec;

std::string path(std::string_view components) {
  std::string out;
  assemble_path(components, out);
  return out;
}

TEST(AssemblePath, ReversesLeafFirstComponents) {
  EXPECT_EQ(path(std::string("c\0b\0a\0", 6)), "/a/b/c");
  EXPECT_EQ(path(std::string("only\0", 5)), "/only");
  EXPECT_EQ(path(""), "/");
  EXPECT_EQ(path(std::string("\0", 1)), "/");
  EXPECT_EQ(path(std::string("name with space\0dir\0", 20)), "/dir/name with space");
  EXPECT_EQ(path("noterminator"), "/noterminator");
}

TEST(RecordOp, RejectsMalformedRecords) {
  auto rec = build_exec(ExecSpec{});
  EXPECT_EQ(*record_op(rec.data(), rec.size()), OCT_MSG_EXEC);
  EXPECT_ERR(record_op(rec.data(), 8), EPROTO, "too short");
  auto bad = rec;
  reinterpret_cast<oct_msg_hdr*>(bad.data())->abi_version = 99;
  EXPECT_ERR(record_op(bad.data(), bad.size()), EPROTO, "ABI version 99");
  bad = rec;
  reinterpret_cast<oct_msg_hdr*>(bad.data())->size = uint32_t(rec.size() + 1);
  EXPECT_ERR(record_op(bad.data(), bad.size()), EPROTO, "claims");
  bad = rec;
  reinterpret_cast<oct_msg_hdr*>(bad.data())->op = 77;
  EXPECT_ERR(record_op(bad.data(), bad.size()), EPROTO, "unknown record op 77");
}

TEST(DecodeExec, AllSections) {
  auto rec = build_exec(ExecSpec{});
  DecodedExec d;
  ASSERT_OK(decode_exec(rec.data(), rec.size(), d));
  const auto& p = d.process;
  EXPECT_EQ(p.binary, "/usr/bin/true");
  EXPECT_EQ(p.cwd, "/tmp");
  EXPECT_EQ(p.arguments, "a \"b c\"");
  EXPECT_EQ(p.docker, "0123456789abcdef0123456789abcde");  // Tetragon keeps 31 characters
  EXPECT_EQ(p.key, (events::ProcessKey{100, 5000}));
  EXPECT_EQ(p.parent_key, (events::ProcessKey{1, 1000}));
  EXPECT_EQ(p.creds.uid, 1000u);
  EXPECT_EQ(p.auid, 4294967295u);
  EXPECT_EQ(p.cap.effective, 1ull << 21);
  EXPECT_EQ(p.flags, uint32_t(events::kFlagExecve));
  EXPECT_TRUE(p.binary_properties.empty());
}

TEST(DecodeExec, KernelFlagsBecomeProcessFlags) {
  ExecSpec s;
  s.flags = OCT_EF_CLONE | OCT_EF_TRUNC_ARGS | OCT_EF_ERR_CWD | OCT_EF_ERR_CGROUP;
  s.cwd_components.clear();
  auto rec = build_exec(s);
  DecodedExec d;
  ASSERT_OK(decode_exec(rec.data(), rec.size(), d));
  uint32_t f = d.process.flags;
  EXPECT_TRUE(f & events::kFlagClone);
  EXPECT_TRUE(f & events::kFlagTruncArgs);
  EXPECT_TRUE(f & events::kFlagErrorCwd);
  EXPECT_TRUE(f & events::kFlagNoCwd);
  EXPECT_TRUE(f & events::kFlagErrorCgroupName);
  EXPECT_EQ(d.process.cwd, "");
}

TEST(DecodeExec, RootCwdAndFileless) {
  ExecSpec s;
  s.cwd_components.clear();
  s.binary_components = std::string("memfd:x\0", 8);
  s.nlink = 0;
  auto rec = build_exec(s);
  DecodedExec d;
  ASSERT_OK(decode_exec(rec.data(), rec.size(), d));
  EXPECT_EQ(d.process.cwd, "/");
  EXPECT_TRUE(d.process.flags & events::kFlagRootCwd);
  EXPECT_EQ(d.process.binary, "/memfd:x (deleted)");
  EXPECT_TRUE(d.process.binary_properties.fileless);
  EXPECT_EQ(d.process.binary_properties.inode, 4242u);
}

TEST(DecodeExec, SetuidExecRaisesPrivileges) {
  ExecSpec s;
  s.uid = 1000;
  s.euid = 0;
  s.file_mode = 0104755;
  s.file_uid = 0;
  auto rec = build_exec(s);
  DecodedExec d;
  ASSERT_OK(decode_exec(rec.data(), rec.size(), d));
  EXPECT_TRUE(d.process.binary_properties.has_setuid);
  EXPECT_EQ(d.process.binary_properties.setuid, 0u);
  EXPECT_EQ(d.process.binary_properties.privileges_changed, uint32_t(events::kPrivRaisedExecFileSetuid));
}

TEST(DecodeExec, SectionsLongerThanRecordAreRejected) {
  auto rec = build_exec(ExecSpec{});
  reinterpret_cast<oct_exec_event*>(rec.data())->args_len = 60000;
  DecodedExec d;
  EXPECT_ERR(decode_exec(rec.data(), rec.size(), d), EPROTO, "exceed its data");
}

TEST(DecodeExit, StatusAndUnknownFlag) {
  auto rec = testing::build_exit(7, 99, 3 << 8, OCT_EF_NO_ENTRY);
  DecodedExit d;
  ASSERT_OK(decode_exit(rec.data(), rec.size(), d));
  EXPECT_EQ(d.key, (events::ProcessKey{7, 99}));
  EXPECT_FALSE(d.known);
  uint32_t status;
  int sig;
  events::decode_exit_code(d.exit_code, status, sig);
  EXPECT_EQ(status, 3u);
  EXPECT_EQ(sig, 0);
  events::decode_exit_code(9, status, sig);
  EXPECT_EQ(sig, 9);
  EXPECT_EQ(status, 0u);
}

}  // namespace
}  // namespace octagon::sensors
