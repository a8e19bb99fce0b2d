// Entry point of the `octagon` binary: dispatches subcommands (`agent`, ...).
#pragma once

namespace octagon::cli {
int run(int argc, char** argv);
}
