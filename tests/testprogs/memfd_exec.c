/* memfd_exec SRC [ARGS...]: copies SRC into a memfd named "octagon-memfd" and execs it. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int src = open(argv[1], O_RDONLY);
  struct stat st;
  if (src < 0 || fstat(src, &st)) return 3;
  int m = memfd_create("octagon-memfd", MFD_CLOEXEC);
  if (m < 0) return 4;
  off_t off = 0;
  while (off < st.st_size)
    if (sendfile(m, src, &off, st.st_size - off) <= 0) return 5;
  argv[1] = "octagon-memfd";
  fexecve(m, &argv[1], environ);
  perror("fexecve");
  return 6;
}
