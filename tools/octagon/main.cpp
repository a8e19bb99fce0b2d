#include <octagon/cli/main.h>

int main(int argc, char** argv) { return octagon::cli::run(argc, argv); }
