/* Forks a child that exits with status 7 without exec'ing; prints the child's pid. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  pid_t c = fork();
  if (c == 0) {
    usleep(20000);
    _exit(7);
  }
  printf("%d\n", c);
  fflush(stdout);
  int st;
  waitpid(c, &st, 0);
  return 0;
}
