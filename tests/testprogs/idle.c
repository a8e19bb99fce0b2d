/* Sleeps argv[1] seconds (default 30): a long-lived process for procFS and signal tests. */
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  sleep(argc > 1 ? atoi(argv[1]) : 30);
  return 0;
}
