// openat() + close() of an existing file, N times.
// Prints "<ns per op> ns/op <share> cpu_share" on stdout. cpu_share is the CPU time the loop
// (with its children) got over its wall time: near 1 on an otherwise idle CPU, lower when
// something else ran there, which makes the run unfit for an A/B comparison.
// Two syscalls per op that the process sensor does not hook: the control workload of
// bench/overhead.sh, showing the agent's cost on unrelated syscalls (perf-baselines section 0).
//
//   open_loop [N=200000] [FILE=/etc/hostname]
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// CPU time (user+system) of this process and its waited-for children, in ns.
static long long cpu_ns(void) {
  struct rusage self, children;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  long long us = 0;
  const struct rusage* r[2] = {&self, &children};
  for (int i = 0; i < 2; i++) {
    us += (long long)(r[i]->ru_utime.tv_sec + r[i]->ru_stime.tv_sec) * 1000000LL +
          r[i]->ru_utime.tv_usec + r[i]->ru_stime.tv_usec;
  }
  return us * 1000LL;
}

static int open_close(const char* path) {
  int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  return close(fd);
}

int main(int argc, char** argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
  const char* path = argc > 2 ? argv[2] : "/etc/hostname";
  if (n <= 0) {
    fprintf(stderr, "open_loop: N must be positive\n");
    return 2;
  }
  for (long i = 0; i < n / 20 + 1; i++) { // warm-up: dentry cache, fd table
    if (open_close(path) != 0) {
      fprintf(stderr, "open_loop: %s: %s\n", path, strerror(errno));
      return 1;
    }
  }
  long long cpu_start = cpu_ns();
  long long start = now_ns();
  for (long i = 0; i < n; i++) {
    if (open_close(path) != 0) {
      fprintf(stderr, "open_loop: %s: %s\n", path, strerror(errno));
      return 1;
    }
  }
  long long elapsed = now_ns() - start;
  long long cpu = cpu_ns() - cpu_start;
  printf("%.1f ns/op %.3f cpu_share\n", (double)elapsed / (double)n, (double)cpu / (double)elapsed);
  return 0;
}
