#include <octagon/events/procfs_scanner.h>

#include <abi/process.h>
#include <octagon/events/args.h>
#include <octagon/events/exec_id.h>
#include <octagon/events/procfs_files.h>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_helpers.h"

namespace octagon::events {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

static_assert(kUserHz == OCT_USER_HZ, "procfs keys must match the kernel side's derivation");

const std::string kId = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// One fake /proc/<pid>. Files left empty are not created.
struct FakeProc {
  uint32_t pid = 0;
  uint32_t ppid = 0;
  std::string comm = "proc";
  char state = 'S';
  uint64_t pf_flags = 0x400000;  // PF_FORKNOEXEC, any non-kthread value
  uint64_t start_ticks = 0;
  uint32_t tgid = 0;  // 0: pid
  std::string uid = "0\t0\t0\t0", gid = "0\t0\t0\t0";
  std::string nspid;  // "" -> pid
  std::string cmdline, exe, cwd, cgroup = "0::/\n", loginuid = "4294967295";
  bool with_status = true, with_stat = true;
};

class ProcTree {
 public:
  ProcTree() {
    std::string tmpl = (fs::temp_directory_path() / "octagon-procfs-XXXXXX").string();
    root_ = ::mkdtemp(tmpl.data());
    fs::create_directory(root_ + "/sys");
    fs::create_directory_symlink("1", root_ + "/self");
  }
  ~ProcTree() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  const std::string& root() const { return root_; }

  void add(const FakeProc& p) {
    const std::string dir = root_ + "/" + std::to_string(p.pid);
    fs::create_directories(dir + "/ns");
    if (p.with_stat) {
      // Fields 1..22 and a few more; comm goes in parentheses, verbatim.
      std::string stat = std::to_string(p.pid) + " (" + p.comm + ") " + p.state + " " +
                         std::to_string(p.ppid) + " 1 1 0 -1 " + std::to_string(p.pf_flags) +
                         " 100 0 0 0 5 3 0 0 20 0 1 0 " + std::to_string(p.start_ticks) +
                         " 1000000 200 18446744073709551615\n";
      write(dir + "/stat", stat);
    }
    if (p.with_status) {
      const std::string pid = std::to_string(p.pid);
      write(dir + "/status", "Name:\t" + p.comm + "\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t" +
                                 std::to_string(p.tgid ? p.tgid : p.pid) + "\nNgid:\t0\nPid:\t" +
                                 pid + "\nPPid:\t" + std::to_string(p.ppid) + "\nUid:\t" + p.uid +
                                 "\nGid:\t" + p.gid + "\nNSpid:\t" +
                                 (p.nspid.empty() ? pid : p.nspid) +
                                 "\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff"
                                 "\nCapEff:\t00000000a80425fb\nCapBnd:\t000001ffffffffff\n");
    }
    write(dir + "/cmdline", p.cmdline);
    write(dir + "/loginuid", p.loginuid);
    write(dir + "/cgroup", p.cgroup);
    if (!p.exe.empty()) fs::create_symlink(p.exe, dir + "/exe");
    if (!p.cwd.empty()) fs::create_symlink(p.cwd, dir + "/cwd");
    fs::create_symlink("net:[4026531833]", dir + "/ns/net");
    fs::create_symlink("pid:[" + std::to_string(4026531836u + p.pid) + "]", dir + "/ns/pid");
  }

 private:
  static void write(const std::string& path, const std::string& data) {
    std::ofstream(path, std::ios::binary) << data;
  }
  std::string root_;
};

const Process* by_pid(const std::vector<Process>& v, uint32_t pid) {
  for (const Process& p : v) {
    if (p.pid == pid) return &p;
  }
  return nullptr;
}

class ProcfsScanner : public ::testing::Test {
 protected:
  static FakeProc fake(uint32_t pid, uint32_t ppid, std::string comm, uint64_t start_ticks) {
    FakeProc p;
    p.pid = pid;
    p.ppid = ppid;
    p.comm = std::move(comm);
    p.start_ticks = start_ticks;
    return p;
  }

  void SetUp() override {
    FakeProc init = fake(1, 0, "systemd", 2);
    init.cmdline = "/sbin/init\0splash\0"s;
    init.exe = "/usr/lib/systemd/systemd";
    init.cwd = "/";
    init.cgroup = "0::/init.scope\n";
    tree_.add(init);

    FakeProc kthreadd = fake(2, 0, "kthreadd", 3);
    kthreadd.pf_flags = 0x208040;  // PF_KTHREAD set
    kthreadd.cwd = "/";
    tree_.add(kthreadd);
    FakeProc kworker = fake(7, 2, "kworker/0:1-events", 9);
    kworker.pf_flags = 0x4208060;
    kworker.cwd = "/";
    tree_.add(kworker);

    FakeProc app = fake(4242, 1, "my ) app", 123456);
    app.uid = "1000\t1001\t1002\t1003";
    app.gid = "2000\t2001\t2002\t2003";
    app.nspid = "4242\t17";
    app.cmdline = "/usr/bin/python3\0-c\0print('a b')\0"s;
    app.exe = "/usr/bin/python3.11";
    app.cwd = "/home/user/work";
    app.loginuid = "1000";
    app.cgroup = "12:pids:/docker/" + kId + "\n0::/docker/" + kId + "\n";
    tree_.add(app);

    FakeProc no_exe = fake(4300, 4242, "hidden", 200000);
    no_exe.cmdline = "./hidden\0--x\0"s;  // exe and cwd unreadable (not created here)
    tree_.add(no_exe);

    FakeProc orphan = fake(4400, 999, "orphan", 5);
    orphan.exe = "/bin/orphan";
    orphan.cwd = "/tmp";
    tree_.add(orphan);

    FakeProc gone = fake(5000, 1, "gone", 7);  // exited: its directory is empty
    gone.with_stat = gone.with_status = false;
    tree_.add(gone);
    FakeProc zombie = fake(5001, 1, "zombie", 8);
    zombie.state = 'Z';
    tree_.add(zombie);
    FakeProc thread = fake(5002, 1, "thread", 9);  // a thread of 4242
    thread.tgid = 4242;
    tree_.add(thread);
  }

  ProcTree tree_;
};

TEST_F(ProcfsScanner, ReadsAFakeTree) {
  ScanStats stats;
  auto r = scan_procfs(tree_.root(), ScanOptions{}, &stats);
  ASSERT_OK(r);
  const std::vector<Process>& procs = *r;
  EXPECT_EQ(stats.entries, 9u);
  EXPECT_EQ(stats.processes, 6u);
  EXPECT_EQ(procs.size(), 6u);
  EXPECT_EQ(stats.vanished, 1u);
  EXPECT_EQ(stats.zombies, 1u);
  EXPECT_EQ(stats.not_leaders, 1u);
  EXPECT_EQ(stats.kernel_threads, 2u);
  EXPECT_EQ(stats.field_errors, 1u);  // 4300
  for (uint32_t gone : {5000u, 5001u, 5002u}) EXPECT_EQ(by_pid(procs, gone), nullptr) << gone;

  const Process* app = by_pid(procs, 4242);
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->key, (ProcessKey{4242, 123456ull * 10000000ull}));
  EXPECT_EQ(app->start_ktime, app->key.ktime);
  EXPECT_EQ(app->parent_key, (ProcessKey{1, 2ull * 10000000ull}));
  EXPECT_EQ(app->tid, 4242u);
  EXPECT_EQ(app->nspid, 17u);
  EXPECT_EQ(app->binary, "/usr/bin/python3.11");
  EXPECT_EQ(app->arguments, "-c \"print('a b')\"");
  EXPECT_EQ(app->cwd, "/home/user/work");
  EXPECT_EQ(app->flags, kFlagProcFS);
  EXPECT_EQ(app->auid, 1000u);
  EXPECT_EQ(app->creds.uid, 1000u);
  EXPECT_EQ(app->creds.euid, 1001u);
  EXPECT_EQ(app->creds.suid, 1002u);
  EXPECT_EQ(app->creds.fsuid, 1003u);
  EXPECT_EQ(app->creds.gid, 2000u);
  EXPECT_EQ(app->creds.egid, 2001u);
  EXPECT_EQ(app->creds.sgid, 2002u);
  EXPECT_EQ(app->creds.fsgid, 2003u);
  EXPECT_EQ(app->cap.permitted, 0x1ffffffffffull);
  EXPECT_EQ(app->cap.effective, 0xa80425fbull);
  EXPECT_EQ(app->cap.inheritable, 0u);
  EXPECT_EQ(app->ns.net, 4026531833u);
  EXPECT_EQ(app->ns.pid, 4026531836u + 4242u);
  EXPECT_EQ(app->ns.uts, 0u);  // link absent
  EXPECT_EQ(app->docker, kId.substr(0, 31));
  EXPECT_TRUE(app->exec_id.empty());
  EXPECT_TRUE(app->parent_exec_id.empty());
  EXPECT_EQ(app->refcnt, 0u);

  const Process* init = by_pid(procs, 1);
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->parent_key, kKernelProcessKey);
  EXPECT_EQ(init->flags, kFlagProcFS | kFlagRootCwd);
  EXPECT_EQ(init->arguments, "splash");
  EXPECT_EQ(init->auid, kInvalidUid);
  EXPECT_TRUE(init->docker.empty());

  const Process* kthreadd = by_pid(procs, 2);
  ASSERT_NE(kthreadd, nullptr);
  EXPECT_EQ(kthreadd->binary, "kthreadd");
  EXPECT_EQ(kthreadd->arguments, "");
  EXPECT_EQ(kthreadd->parent_key, kKernelProcessKey);
  EXPECT_EQ(kthreadd->flags, kFlagProcFS | kFlagRootCwd);
  const Process* kworker = by_pid(procs, 7);
  ASSERT_NE(kworker, nullptr);
  EXPECT_EQ(kworker->binary, "kworker/0:1-events");
  EXPECT_EQ(kworker->parent_key, (ProcessKey{2, 3ull * 10000000ull}));

  const Process* no_exe = by_pid(procs, 4300);
  ASSERT_NE(no_exe, nullptr);
  EXPECT_EQ(no_exe->binary, "./hidden");  // argv[0] stands in
  EXPECT_EQ(no_exe->arguments, "--x");
  EXPECT_EQ(no_exe->flags, kFlagProcFS | kFlagErrorFilename | kFlagErrorCwd);
  EXPECT_EQ(no_exe->parent_key, app->key);

  const Process* orphan = by_pid(procs, 4400);
  ASSERT_NE(orphan, nullptr);
  EXPECT_EQ(orphan->parent_key, (ProcessKey{999, 0}));  // parent not listed
}

TEST_F(ProcfsScanner, TruncatesArguments) {
  ScanOptions opts;
  opts.max_args_bytes = 21;  // "/usr/bin/python3\0-c\0p"
  auto r = scan_procfs(tree_.root(), opts);
  ASSERT_OK(r);
  const Process* app = by_pid(*r, 4242);
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->arguments, "-c p");
  EXPECT_EQ(app->flags, kFlagProcFS | kFlagTruncArgs);
}

TEST_F(ProcfsScanner, ScanOnePid) {
  auto p = scan_pid(tree_.root(), 4300, ScanOptions{});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->parent_key, (ProcessKey{4242, 123456ull * 10000000ull}));
  EXPECT_FALSE(scan_pid(tree_.root(), 5000, ScanOptions{}).has_value());
  EXPECT_FALSE(scan_pid(tree_.root(), 5001, ScanOptions{}).has_value());
  EXPECT_FALSE(scan_pid(tree_.root(), 5002, ScanOptions{}).has_value());
  EXPECT_FALSE(scan_pid(tree_.root(), 6000, ScanOptions{}).has_value());
}

TEST_F(ProcfsScanner, OrdersParentsFirst) {
  auto r = scan_procfs(tree_.root(), ScanOptions{});
  ASSERT_OK(r);
  std::vector<Process> procs = std::move(*r);
  std::reverse(procs.begin(), procs.end());
  order_parents_first(procs);
  auto pos = [&](uint32_t pid) {
    for (size_t i = 0; i < procs.size(); ++i) {
      if (procs[i].pid == pid) return i;
    }
    return procs.size();
  };
  EXPECT_LT(pos(1), pos(4242));
  EXPECT_LT(pos(4242), pos(4300));
  EXPECT_LT(pos(2), pos(7));
}

TEST(Procfs, OrderParentsFirstSurvivesCycles) {
  std::vector<Process> procs(4);
  procs[0].key = {1, 1}, procs[0].parent_key = {2, 2};
  procs[1].key = {2, 2}, procs[1].parent_key = {1, 1};
  procs[2].key = {3, 3}, procs[2].parent_key = {3, 3};  // its own parent
  procs[3].key = {4, 4}, procs[3].parent_key = {1, 1};
  order_parents_first(procs);
  ASSERT_EQ(procs.size(), 4u);
  EXPECT_EQ(procs.back().key, (ProcessKey{4, 4}));
}

TEST(Procfs, MissingRootIsAnError) {
  EXPECT_ERR(scan_procfs("/nonexistent/octagon-proc", ScanOptions{}), ENOENT, "nonexistent");
}

TEST(Procfs, KernelPseudoProcess) {
  Process k = make_kernel_process();
  EXPECT_EQ(k.key, kKernelProcessKey);
  EXPECT_EQ(k.binary, "<kernel>");
  EXPECT_EQ(k.flags, kFlagProcFS);
  EXPECT_EQ(make_exec_id("", k.key.ktime, k.key.pid), "OjE6MA==");  // Tetragon's ":1:0"
}

TEST(Procfs, ParsesStatWithOddComm) {
  procfs::Stat st;
  ASSERT_TRUE(procfs::parse_stat(
      "77 (a) b (c)) R 5 77 77 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 4321 0 0\n", st));
  EXPECT_EQ(st.comm, "a) b (c)");
  EXPECT_EQ(st.state, 'R');
  EXPECT_EQ(st.ppid, 5u);
  EXPECT_EQ(st.flags, 4194560u);
  EXPECT_EQ(st.start_ticks, 4321u);
  EXPECT_FALSE(procfs::parse_stat("77 (x) R 5 77", st));  // cut short
  EXPECT_EQ(procfs::ns_inode("mnt:[4026531841]"), 4026531841u);
  EXPECT_EQ(procfs::ns_inode("garbage"), 0u);
}

TEST(Procfs, FindsItselfInRealProc) {
  ASSERT_EQ(::sysconf(_SC_CLK_TCK), static_cast<long>(kUserHz));
  ScanStats stats;
  auto r = scan_procfs("/proc", ScanOptions{}, &stats);
  ASSERT_OK(r);
  EXPECT_GT(stats.processes, 1u);
  const Process* self = by_pid(*r, static_cast<uint32_t>(::getpid()));
  ASSERT_NE(self, nullptr);

  std::error_code ec;
  EXPECT_EQ(self->binary, fs::read_symlink("/proc/self/exe", ec).string());
  EXPECT_EQ(self->cwd, fs::current_path().string());
  std::ifstream cmdline_file("/proc/self/cmdline", std::ios::binary);
  std::string cmdline((std::istreambuf_iterator<char>(cmdline_file)), {});
  EXPECT_EQ(self->arguments, join_arguments(cmdline, true));
  EXPECT_EQ(self->creds.uid, ::getuid());
  EXPECT_EQ(self->creds.euid, ::geteuid());
  EXPECT_EQ(self->creds.gid, ::getgid());
  EXPECT_EQ(self->parent_key.pid, static_cast<uint32_t>(::getppid()));
  EXPECT_NE(self->parent_key.ktime, 0u);
  EXPECT_LE(self->parent_key.ktime, self->key.ktime);
  EXPECT_EQ(self->key.ktime % kNsPerTick, 0u);
  EXPECT_EQ(self->flags & (kFlagErrorFilename | kFlagErrorCwd | kFlagErrorArgs), 0u);
  EXPECT_NE(self->flags & kFlagProcFS, 0u);
  struct stat pidns {};
  ASSERT_EQ(::stat("/proc/self/ns/pid", &pidns), 0);
  EXPECT_EQ(self->ns.pid, static_cast<uint32_t>(pidns.st_ino));

  auto one = scan_pid("/proc", static_cast<uint32_t>(::getpid()), ScanOptions{});
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->key, self->key);
  EXPECT_EQ(one->parent_key, self->parent_key);
}

}  // namespace
}  // namespace octagon::events
