#include <octagon/cli/main.h>

#include <cstdio>

namespace octagon::cli {
int run(int, char**) {
  fprintf(stderr, "octagon: not yet wired\n");
  return 2;
}
}  // namespace octagon::cli
