// syscall(SYS_getppid), N times.
// Prints "<ns per op> ns/op <share> cpu_share" on stdout. cpu_share is the CPU time the loop
// (with its children) got over its wall time: near 1 on an otherwise idle CPU, lower when
// something else ran there, which makes the run unfit for an A/B comparison.
// bench/overhead.sh runs it once as a calibration of this machine against perf-baselines
// section 1 (111 ns), since absolute figures there and here can differ by several times.
//
//   getppid_loop [N=300000] [RATE]
//
// With RATE (calls per second), calls are paced to that rate (busy-waiting, so the CPU share
// stays near 1; 100 warm-up calls instead of N/20): a steady event source for measuring the
// rate the agent keeps up with.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
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

int main(int argc, char** argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 300000;
  if (n <= 0) {
    fprintf(stderr, "getppid_loop: N must be positive\n");
    return 2;
  }
  long rate = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
  if (rate < 0) {
    fprintf(stderr, "getppid_loop: RATE must be positive\n");
    return 2;
  }
  const long warm = rate ? 100 : n / 20 + 1;  // paced: no burst before the steady rate
  for (long i = 0; i < warm; i++)
    syscall(SYS_getppid);
  long long cpu_start = cpu_ns();
  long long start = now_ns();
  if (rate == 0) {
    for (long i = 0; i < n; i++)
      syscall(SYS_getppid);
  } else {
    const double gap = 1e9 / (double)rate;
    for (long i = 0; i < n; i++) {
      syscall(SYS_getppid);
      while ((double)(now_ns() - start) < gap * (double)(i + 1)) {
      }
    }
  }
  long long elapsed = now_ns() - start;
  long long cpu = cpu_ns() - cpu_start;
  printf("%.1f ns/op %.3f cpu_share\n", (double)elapsed / (double)n, (double)cpu / (double)elapsed);
  return 0;
}
