/* chroot_exec DIR CWD PROG [ARGS...]: chroot(DIR), chdir(CWD), exec PROG (a path inside DIR). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  if (chroot(argv[1]) || chdir(argv[2])) {
    perror("chroot/chdir");
    return 3;
  }
  execv(argv[3], &argv[3]);
  perror("execv");
  return 4;
}
