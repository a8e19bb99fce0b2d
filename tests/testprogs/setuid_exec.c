/* setuid_exec UID PROG [ARGS...]: drops to UID (setgid+setuid), then execs PROG. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  uid_t id = (uid_t)atoi(argv[1]);
  if (setgid(id) || setuid(id)) {
    perror("setuid");
    return 3;
  }
  execv(argv[2], &argv[2]);
  perror("execv");
  return 4;
}
