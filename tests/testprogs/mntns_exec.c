/* mntns_exec DIR PROG: enters a new private mount namespace, mounts a tmpfs on DIR, copies
 * PROG to DIR/prog, changes into DIR and execs ./prog. The tmpfs exists only in the new
 * namespace, so a correct path needs the mount walk of the task's own namespace. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
      mount("tmpfs", argv[1], "tmpfs", 0, "size=16m")) {
    perror("mount namespace");
    return 3;
  }
  char dst[4096];
  snprintf(dst, sizeof(dst), "%s/prog", argv[1]);
  int s = open(argv[2], O_RDONLY), d = open(dst, O_WRONLY | O_CREAT, 0755);
  struct stat st;
  if (s < 0 || d < 0 || fstat(s, &st)) return 4;
  off_t off = 0;
  while (off < st.st_size)
    if (sendfile(d, s, &off, st.st_size - off) <= 0) return 5;
  close(d);
  if (chdir(argv[1])) return 6;
  char *args[] = {"./prog", NULL};
  execv("./prog", args);
  perror("execv");
  return 7;
}
