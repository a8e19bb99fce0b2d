#include <octagon/exporters/sinks/file_sink.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_helpers.h"

namespace octagon::exporters {
namespace {

namespace fs = std::filesystem;

class FileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/octagon-sink-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/events.log";
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static mode_t mode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }
  // A 10-byte record: "<digit>........\n".
  static std::string rec(int i) { return std::to_string(i % 10) + std::string(8, '.') + "\n"; }

  std::string dir_;
  std::string path_;
};

TEST_F(FileSinkTest, CreatesFileWithMode0600DespiteUmask) {
  mode_t old = umask(0);
  auto sink = FileSink::create(path_, 1000, 2);
  umask(old);
  ASSERT_OK(sink);
  EXPECT_EQ(mode_of(path_), 0600u);
  EXPECT_STREQ((*sink)->name(), ("file:" + path_).c_str());
  EXPECT_OK((*sink)->write("hello\n"));
  EXPECT_EQ(read(path_), "hello\n");
}

TEST_F(FileSinkTest, ConfiguredModeIsEnforcedOnExistingFile) {
  std::ofstream(path_) << "old\n";
  ASSERT_EQ(chmod(path_.c_str(), 0666), 0);
  auto sink = FileSink::create(path_, 1000, 2, 0640);
  ASSERT_OK(sink);
  EXPECT_EQ(mode_of(path_), 0640u);
  EXPECT_EQ((*sink)->current_size(), 4u);  // appends to what was there
  ASSERT_OK((*sink)->write("new\n"));
  EXPECT_EQ(read(path_), "old\nnew\n");
}

TEST_F(FileSinkTest, RotatesBeforeExceedingMaxSize) {
  auto r = FileSink::create(path_, 30, 2);
  ASSERT_OK(r);
  FileSink& sink = **r;
  for (int i = 0; i < 3; ++i) ASSERT_OK(sink.write(rec(i)));  // exactly 30 bytes: no rotation
  EXPECT_EQ(sink.stats().rotations, 0u);
  EXPECT_FALSE(fs::exists(sink.backup_path(1)));
  ASSERT_OK(sink.write(rec(3)));  // 40 > 30: rotate first
  EXPECT_EQ(sink.stats().rotations, 1u);
  EXPECT_EQ(read(sink.backup_path(1)), rec(0) + rec(1) + rec(2));
  EXPECT_EQ(read(path_), rec(3));
  EXPECT_EQ(fs::file_size(path_), 10u);
  EXPECT_EQ(mode_of(path_), 0600u);
  EXPECT_EQ(mode_of(sink.backup_path(1)), 0600u);
  EXPECT_EQ(sink.stats().bytes_written, 40u);
}

TEST_F(FileSinkTest, KeepsMaxBackupsAndDeletesOldest) {
  auto r = FileSink::create(path_, 10, 3);
  ASSERT_OK(r);
  FileSink& sink = **r;
  for (int i = 0; i < 6; ++i) ASSERT_OK(sink.write(rec(i)));  // one record per file
  EXPECT_EQ(sink.stats().rotations, 5u);
  EXPECT_EQ(read(path_), rec(5));
  EXPECT_EQ(read(sink.backup_path(1)), rec(4));  // .1 is the newest backup
  EXPECT_EQ(read(sink.backup_path(2)), rec(3));
  EXPECT_EQ(read(sink.backup_path(3)), rec(2));
  EXPECT_FALSE(fs::exists(sink.backup_path(4)));  // rec(0), rec(1) were deleted
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(mode_of(e.path()), 0600u) << e.path();
    ++files;
  }
  EXPECT_EQ(files, 4u);
}

TEST_F(FileSinkTest, ZeroBackupsKeepsOnlyCurrentFile) {
  auto r = FileSink::create(path_, 10, 0);
  ASSERT_OK(r);
  for (int i = 0; i < 3; ++i) ASSERT_OK((*r)->write(rec(i)));
  EXPECT_EQ(read(path_), rec(2));
  EXPECT_FALSE(fs::exists((*r)->backup_path(1)));
  EXPECT_EQ((*r)->stats().rotations, 2u);
}

// A batch that does not fit is split at a record boundary; records are never torn.
TEST_F(FileSinkTest, SplitsBatchesAtNewlines) {
  auto r = FileSink::create(path_, 25, 5);
  ASSERT_OK(r);
  std::string batch;
  for (int i = 0; i < 7; ++i) batch += rec(i);  // 70 bytes
  ASSERT_OK((*r)->write(batch));
  EXPECT_EQ(read((*r)->backup_path(3)), rec(0) + rec(1));
  EXPECT_EQ(read((*r)->backup_path(2)), rec(2) + rec(3));
  EXPECT_EQ(read((*r)->backup_path(1)), rec(4) + rec(5));
  EXPECT_EQ(read(path_), rec(6));
}

TEST_F(FileSinkTest, OversizedRecordGetsItsOwnFile) {
  auto r = FileSink::create(path_, 10, 5);
  ASSERT_OK(r);
  const std::string big = std::string(24, 'B') + "\n";
  ASSERT_OK((*r)->write(rec(0)));
  ASSERT_OK((*r)->write(big + rec(1)));
  EXPECT_EQ(read((*r)->backup_path(2)), rec(0));
  EXPECT_EQ(read((*r)->backup_path(1)), big);
  EXPECT_EQ(read(path_), rec(1));
}

TEST_F(FileSinkTest, ExistingOversizedFileRotatesOnFirstWrite) {
  std::ofstream(path_) << std::string(50, 'o') << "\n";
  auto r = FileSink::create(path_, 20, 1);
  ASSERT_OK(r);
  ASSERT_OK((*r)->write(rec(0)));
  EXPECT_EQ(fs::file_size((*r)->backup_path(1)), 51u);
  EXPECT_EQ(read(path_), rec(0));
}

TEST_F(FileSinkTest, CreateErrorsNameThePath) {
  EXPECT_ERR(FileSink::create(dir_ + "/missing/events.log", 100, 1), ENOENT,
             "^open export file /tmp/octagon-sink-.*/missing/events\\.log$");
  EXPECT_ERR(FileSink::create(dir_, 100, 1), EISDIR, "^open export file /tmp/octagon-sink-");
  std::ofstream(dir_ + "/plain") << "x";
  EXPECT_ERR(FileSink::create(dir_ + "/plain/events.log", 100, 1), ENOTDIR, "plain/events\\.log");
  EXPECT_ERR(FileSink::create(path_, 0, 1), EINVAL, "max size is 0");
  EXPECT_ERR(FileSink::create(path_, 100, 1, 01777), EINVAL, "mode 1777 is not within 0777");
  EXPECT_ERR(FileSink::create("", 100, 1), EINVAL, "empty path");
}

TEST_F(FileSinkTest, UnwritableDirectory) {
  if (geteuid() == 0) {
    // Root bypasses directory permissions; /proc refuses file creation for everyone.
    EXPECT_ERR(FileSink::create("/proc/octagon-events.log", 100, 1), ENOENT,
               "open export file /proc/octagon-events\\.log");
    return;
  }
  const std::string ro = dir_ + "/ro";
  ASSERT_EQ(mkdir(ro.c_str(), 0500), 0);
  EXPECT_ERR(FileSink::create(ro + "/events.log", 100, 1), EACCES, "ro/events\\.log");
}

TEST_F(FileSinkTest, DeviceIsWrittenWithoutRotationOrChmod) {
  auto r = FileSink::create("/dev/null", 5, 1);
  ASSERT_OK(r);
  EXPECT_OK((*r)->write(rec(0) + rec(1)));
  EXPECT_EQ((*r)->stats().rotations, 0u);
  EXPECT_EQ((*r)->stats().bytes_written, 20u);
}

TEST_F(FileSinkTest, RotationFailureIsReportedAndRetried) {
  auto r = FileSink::create(path_, 10, 1);
  ASSERT_OK(r);
  ASSERT_OK((*r)->write(rec(0)));
  // A directory where the backup should go makes the rename fail.
  ASSERT_EQ(mkdir((*r)->backup_path(1).c_str(), 0700), 0);
  ASSERT_EQ(mkdir(((*r)->backup_path(1) + "/x").c_str(), 0700), 0);
  auto w = (*r)->write(rec(1));
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message().find("rotate: "), std::string::npos) << w.error().message();
  EXPECT_EQ((*r)->stats().write_errors, 1u);
  fs::remove_all((*r)->backup_path(1));
  EXPECT_OK((*r)->write(rec(2)));  // reopens and carries on
  EXPECT_EQ(read(path_), rec(2));
}

class StdoutSinkTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(pipe2(fds_, O_CLOEXEC), 0); }
  void TearDown() override {
    for (int fd : fds_) if (fd >= 0) close(fd);
  }
  int fds_[2] = {-1, -1};
};

TEST_F(StdoutSinkTest, WritesToDescriptor) {
  StdoutSink sink(fds_[1]);
  EXPECT_STREQ(sink.name(), "stdout");
  ASSERT_OK(sink.write("abc\n"));
  char buf[8] = {};
  ASSERT_EQ(read(fds_[0], buf, sizeof(buf)), 4);
  EXPECT_STREQ(buf, "abc\n");
  EXPECT_EQ(sink.stats().bytes_written, 4u);
}

TEST_F(StdoutSinkTest, ClosedReaderIsEpipeNotCrash) {
  auto old = signal(SIGPIPE, SIG_IGN);  // as the agent does
  close(fds_[0]);
  fds_[0] = -1;
  StdoutSink sink(fds_[1]);
  EXPECT_ERR(sink.write("x\n"), EPIPE, "^write stdout \\(0 of 2 bytes written\\)$");
  EXPECT_EQ(sink.stats().write_errors, 1u);
  signal(SIGPIPE, old);
}

TEST_F(StdoutSinkTest, FullNonBlockingPipeIsEagainWithPartialCount) {
  ASSERT_EQ(fcntl(fds_[1], F_SETFL, O_NONBLOCK), 0);
  const int capacity = fcntl(fds_[1], F_GETPIPE_SZ);
  ASSERT_GT(capacity, 0);
  StdoutSink sink(fds_[1]);
  const std::string big(static_cast<size_t>(capacity) + 100, 'z');
  EXPECT_ERR(sink.write(big), EAGAIN,
             "^write stdout \\(" + std::to_string(capacity) + " of " + std::to_string(big.size()) +
                 " bytes written\\)$");
  EXPECT_EQ(sink.stats().bytes_written, static_cast<uint64_t>(capacity));
  EXPECT_EQ(sink.stats().write_errors, 1u);
}

}  // namespace
}  // namespace octagon::exporters
