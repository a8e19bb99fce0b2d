/* selector_probe MODE ARGS... PATHS...: drives the process filters of policy selectors from a
 * real process. Every mode opens (openat) each of PATHS at the points the selector tests look
 * at, and prints the pids the test needs on stdout, one "name=pid" per line.
 *   open PATHS...              open PATHS
 *   forkopen PATHS...          open PATHS, then a forked child (no exec) opens them: child=
 *   grandchild PROG ARGS...    a forked child (no exec) forks a grandchild that execs PROG:
 *                              grandchild=
 *   orphan PATHS...            a forked child waits until its parent (this) exited and it was
 *                              reparented, then opens PATHS: orphan=
 *   unshare uts|mnt|user|pid PATHS...
 *                              open PATHS, unshare the namespace, open them twice more (pid: a
 *                              forked child, pid 1 of the new namespace, opens them: child=)
 *   dropcap CAP PATHS...       open PATHS, drop CAP from the effective set, open them twice more
 *   setuid UID PATHS...        open PATHS, setuid(UID) (drops all capabilities), open them twice
 *   fsync FILE                 fsync on FILE (opened), on a pipe and on the directory /
 *   deep N ACTION ARGS...      fork a chain N processes deep whose last one runs ACTION:
 *                              "write" (writes "x" to fd 1), "pivot NEW OLD" (pivot_root),
 *                              "open PATHS...": leaf= */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void open_close(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd >= 0) close(fd);
}

static void open_all(char **paths) {
  for (; *paths; paths++) open_close(*paths);
}

static int wait_child(pid_t pid) {
  int st = 0;
  if (waitpid(pid, &st, 0) < 0) return 1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static void report(const char *name, pid_t pid) {
  printf("%s=%d\n", name, (int)pid);
  fflush(stdout);
}

static int drop_cap(int cap) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof(data));
  if (syscall(SYS_capget, &hdr, data)) return -1;
  data[cap / 32].effective &= ~(1u << (cap % 32));
  return (int)syscall(SYS_capset, &hdr, data);
}

static int leaf_action(char **argv) {
  if (!strcmp(argv[0], "write")) return write(1, "x", 1) == 1 ? 0 : 1;
  if (!strcmp(argv[0], "pivot") && argv[1] && argv[2]) {
    syscall(SYS_pivot_root, argv[1], argv[2]); /* fails: only its entry is looked at */
    return 0;
  }
  if (!strcmp(argv[0], "open")) {
    open_all(&argv[1]);
    return 0;
  }
  return 2;
}

static int deep(int n, char **action) {
  if (n <= 1) {
    report("leaf", getpid());
    return leaf_action(action);
  }
  pid_t c = fork();
  if (c == 0) _exit(deep(n - 1, action));
  return wait_child(c);
}

static int fsync_kinds(const char *file) {
  int fd = open(file, O_RDONLY), p[2], d = open("/", O_RDONLY | O_DIRECTORY);
  if (fd < 0 || d < 0 || pipe(p)) return 3;
  fsync(fd);
  fsync(p[0]);
  fsync(d);
  return 0;
}

static int orphan(char **paths) {
  pid_t parent = getpid(), c = fork();
  if (c != 0) {
    report("orphan", c);
    return 0;
  }
  for (int i = 0; i < 500 && getppid() == parent; i++) usleep(10000);
  open_all(paths);
  _exit(0);
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  const char *mode = argv[1];
  if (!strcmp(mode, "open")) {
    open_all(&argv[2]);
    return 0;
  }
  if (!strcmp(mode, "forkopen")) {
    open_all(&argv[2]);
    pid_t c = fork();
    if (c == 0) {
      open_all(&argv[2]);
      _exit(0);
    }
    report("child", c);
    return wait_child(c);
  }
  if (!strcmp(mode, "grandchild")) {
    pid_t c = fork();
    if (c == 0) {
      pid_t g = fork();
      if (g == 0) {
        execv(argv[2], &argv[2]);
        _exit(127);
      }
      report("grandchild", g);
      _exit(wait_child(g));
    }
    return wait_child(c);
  }
  if (!strcmp(mode, "orphan")) return orphan(&argv[2]);
  if (!strcmp(mode, "fsync")) return fsync_kinds(argv[2]);
  if (!strcmp(mode, "unshare") && argc >= 4) {
    const char *ns = argv[2];
    int flag = !strcmp(ns, "uts")    ? CLONE_NEWUTS
               : !strcmp(ns, "mnt")  ? CLONE_NEWNS
               : !strcmp(ns, "user") ? CLONE_NEWUSER
                                     : CLONE_NEWPID;
    open_all(&argv[3]);
    if (unshare(flag)) {
      perror("unshare");
      return 3;
    }
    if (flag != CLONE_NEWPID) {
      open_all(&argv[3]);
      open_all(&argv[3]);
      return 0;
    }
    pid_t c = fork();
    if (c == 0) {
      open_all(&argv[3]);
      _exit(0);
    }
    report("child", c);
    return wait_child(c);
  }
  if ((!strcmp(mode, "dropcap") || !strcmp(mode, "setuid")) && argc >= 4) {
    open_all(&argv[3]);
    int err = !strcmp(mode, "dropcap") ? drop_cap(atoi(argv[2])) : setuid((uid_t)atoi(argv[2]));
    if (err) {
      perror(mode);
      return 3;
    }
    open_all(&argv[3]);
    open_all(&argv[3]);
    return 0;
  }
  if (!strcmp(mode, "deep") && argc >= 4) return deep(atoi(argv[2]), &argv[3]);
  return 2;
}
