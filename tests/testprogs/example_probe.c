/* example_probe MODE ARGS...: triggers the kernel functions that Tetragon's example policies hook,
 * from a real process (tests/e2e/kfunc_examples_test.cpp). Exits 0 when the action succeeded.
 *   mmap PATH...       open each PATH and map it PROT_READ|PROT_EXEC (security_mmap_file)
 *   userns-open PATH   unshare a user namespace (all capabilities inside), then open PATH
 *                      (fd_install); prints "fd=N". A chrooted caller (the VM tier's guest runs
 *                      tests chrooted) cannot create a user namespace: it leaves the chroot
 *                      first and returns to it inside the new namespace
 *   nocap-userns       drop CAP_SYS_ADMIN from the effective set, then unshare a user
 *                      namespace (create_user_ns)
 *   etc-files NAME     in a private mount namespace with a tmpfs on /etc: create /etc/NAME,
 *                      write and read it (security_file_permission), map it
 *                      (security_mmap_file), truncate it (security_path_truncate) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static int map_exec(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return 1;
  void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return 1;
  munmap(p, 4096);
  return 0;
}

static int drop_effective(int cap) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  if (syscall(SYS_capget, &h, d)) return 1;
  d[cap / 32].effective &= ~(1u << (cap % 32));
  return syscall(SYS_capset, &h, d) ? 1 : 0;
}

/* unshare(CLONE_NEWUSER) from a chroot: climb out of it (chroot elsewhere, then ".." from the
 * old root up to the real root), unshare, and chroot back (allowed: the new user
 * namespace has CAP_SYS_CHROOT). Not chrooted, the climb stays at "/". */
static int unshare_user_from_chroot(void) {
  int old_root = open("/", O_PATH | O_DIRECTORY);
  int cwd = open(".", O_PATH | O_DIRECTORY);
  /* climb from the old root, outside the new one: a working directory inside /sys would stop
   * the climb at the new root */
  if (old_root < 0 || cwd < 0 || fchdir(old_root) || chroot("/sys")) return 1;
  for (int i = 0; i < 64; i++)
    if (chdir("..")) return 1;
  if (chroot(".") || unshare(CLONE_NEWUSER)) return 1;
  if (fchdir(old_root) || chroot(".") || fchdir(cwd)) return 1;
  close(old_root);
  close(cwd);
  return 0;
}

static int etc_files(const char *name) {
  char path[256];
  char buf[8];
  if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) return 2;
  if (mount("octagon-etc", "/etc", "tmpfs", 0, "size=1m")) return 3;
  snprintf(path, sizeof path, "/etc/%s", name);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 4;
  if (write(fd, "octagon\n", 8) != 8 || pread(fd, buf, sizeof buf, 0) != 8) return 5;
  close(fd);
  if (map_exec(path)) return 6;
  return truncate(path, 1) ? 7 : 0;
}

int main(int argc, char **argv) {
  if (argc < 2) return 64;
  const char *mode = argv[1];
  if (!strcmp(mode, "mmap") && argc >= 3) {
    for (int i = 2; i < argc; i++)
      if (map_exec(argv[i])) return 1;
    return 0;
  }
  if (!strcmp(mode, "userns-open") && argc == 3) {
    if (unshare_user_from_chroot()) return 2;
    int fd = open(argv[2], O_RDONLY);
    if (fd < 0) return 3;
    printf("fd=%d\n", fd);
    return 0;
  }
  if (!strcmp(mode, "nocap-userns")) {
    if (drop_effective(CAP_SYS_ADMIN)) return 2;
    return unshare(CLONE_NEWUSER) ? 3 : 0;
  }
  if (!strcmp(mode, "etc-files") && argc == 3) return etc_files(argv[2]);
  return 64;
}
