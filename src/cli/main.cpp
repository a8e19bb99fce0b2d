#include <octagon/cli/main.h>

#include <octagon/cli/agent_commands.h>
#include <octagon/cli/getevents.h>
#include <octagon/cli/probe.h>
#include <octagon/cli/tracingpolicy.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <abi/process.h>
#include <octagon/base/log.h>
#include <octagon/base/version.h>
#include <octagon/daemon/agent.h>
#include <octagon/daemon/config.h>

namespace octagon::cli {
namespace {

void print_usage(FILE* out) {
  fprintf(out,
          "Usage: octagon <command> [flags]\n\n"
          "Commands:\n"
          "  agent      run the agent: watch process lifecycle and export events\n"
          "  getevents  print events from the agent's gRPC API (or JSON events on stdin)\n"
          "  tracingpolicy (tp)  add, delete, enable, disable, set-mode, list policies\n"
          "  status     print the agent's health\n"
          "  probe      print this kernel's BPF capabilities (-o json)\n"
          "  version    print the version (--server: also the agent's)\n"
          "  help       print this help\n\n"
          "Run 'octagon <command> --help' for a command's flags.\n");
}

int run_agent(const std::vector<std::string>& args) {
  auto config = daemon::parse_agent_config(args);
  if (!config) {
    fprintf(stderr, "octagon agent: %s\n", config.error().message().c_str());
    fprintf(stderr, "Run 'octagon agent --help' for the list of flags.\n");
    return 2;
  }
  if (config->help) {
    fputs(daemon::usage().c_str(), stdout);
    return 0;
  }
  log::set_level(config->log_level);
  bpf::FeatureProbe probe;
  auto agent = daemon::Agent::create(*config, probe);
  if (!agent) {
    fprintf(stderr, "octagon agent: cannot start: %s\n", agent.error().describe().c_str());
    return 1;
  }
  fputs((*agent)->capability_report(probe).c_str(), stderr);
  OCTAGON_LOG_INFO("node %s: exporting events%s%s", config->node_name.c_str(),
                   config->export_stdout ? " to stdout" : "",
                   config->export_filename.empty() ? "" : (" to " + config->export_filename).c_str());
  auto r = (*agent)->run();
  if (!r) {
    fprintf(stderr, "octagon agent: %s\n", r.error().describe().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int run(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  std::string cmd = argv[1];
  std::vector<std::string> rest(argv + 2, argv + argc);
  if (cmd == "agent") return run_agent(rest);
  if (cmd == "getevents") return run_getevents(rest);
  if (cmd == "status") return run_status(rest);
  if (cmd == "probe") return run_probe(rest);
  if (cmd == "tracingpolicy" || cmd == "tp") return run_tracingpolicy(rest);
  if (cmd == "version" || cmd == "--version") return run_version(rest);
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    print_usage(stdout);
    return 0;
  }
  fprintf(stderr, "octagon: unknown command '%s'\n", cmd.c_str());
  print_usage(stderr);
  return 2;
}

}  // namespace octagon::cli
