// fork() + execve(tiny_exit) + waitpid(), N times.
// Prints "<ns per op> ns/op <share> cpu_share" on stdout. cpu_share is the CPU time the loop
// (with its children) got over its wall time: near 1 on an otherwise idle CPU, lower when
// something else ran there, which makes the run unfit for an A/B comparison.
// The exec-path workload of bench/overhead.sh (perf-baselines section 0, "exec").
//
//   exec_loop [N=2000] [PATH=<directory of exec_loop>/tiny_exit]
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
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

// Returns 0 when the child ran `path` and exited 0.
static int run_once(const char* path) {
  char* const argv[] = {(char*)path, NULL};
  char* const envp[] = {NULL};
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    execve(path, argv, envp);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      return -1;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char** argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
  char path[PATH_MAX];
  if (argc > 2) {
    snprintf(path, sizeof(path), "%s", argv[2]);
  } else {
    const char* slash = strrchr(argv[0], '/');
    int dir_len = slash ? (int)(slash - argv[0] + 1) : 0;
    snprintf(path, sizeof(path), "%.*stiny_exit", dir_len, argv[0]);
  }
  if (n <= 0) {
    fprintf(stderr, "exec_loop: N must be positive\n");
    return 2;
  }
  if (access(path, X_OK) != 0) {
    fprintf(stderr, "exec_loop: %s: %s\n", path, strerror(errno));
    return 2;
  }
  // Warm up the page cache, the binary's dentry and the allocator.
  for (long i = 0; i < n / 20 + 1; i++) {
    if (run_once(path) != 0) {
      fprintf(stderr, "exec_loop: running %s failed\n", path);
      return 1;
    }
  }
  long long cpu_start = cpu_ns();
  long long start = now_ns();
  for (long i = 0; i < n; i++) {
    if (run_once(path) != 0) {
      fprintf(stderr, "exec_loop: running %s failed at iteration %ld\n", path, i);
      return 1;
    }
  }
  long long elapsed = now_ns() - start;
  long long cpu = cpu_ns() - cpu_start;
  printf("%.1f ns/op %.3f cpu_share\n", (double)elapsed / (double)n, (double)cpu / (double)elapsed);
  return 0;
}
