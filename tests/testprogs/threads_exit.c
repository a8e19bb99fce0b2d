/* Starts argv[1] threads that sleep briefly; then exits with status argv[2] from a
 * non-main thread via exit(), so the whole group exits while several threads are alive. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static int code;

static void *worker(void *arg) {
  long i = (long)arg;
  if (i == 0) {
    usleep(50000);
    exit(code);
  }
  pause();
  return NULL;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 4;
  code = argc > 2 ? atoi(argv[2]) : 0;
  for (long i = 0; i < n; i++) {
    pthread_t t;
    pthread_create(&t, NULL, worker, (void *)i);
  }
  pause();
  return 1;
}
