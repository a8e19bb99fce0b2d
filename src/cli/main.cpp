#include <octagon/cli/main.h>

#include <octagon/cli/agent_commands.h>
#include <octagon/cli/client.h>
#include <octagon/cli/getevents.h>
#include <octagon/cli/probe.h>
#include <octagon/cli/tracingpolicy.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <grpc/support/log.h>

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
          "Run 'octagon <command> --help' for a command's flags. getevents, status, version\n"
          "and tracingpolicy also take the TLS flags --tls-ca-cert-files, --tls-cert-file,\n"
          "--tls-key-file and --tls-server-name.\n");
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

// gRPC's own log lines (e.g. every failed TLS handshake) would break the CLI's one-line errors.
void quiet_grpc_log(gpr_log_func_args*) {}

// The global TLS and --timeout flags of the commands that talk to the agent; false (after printing why) when
// they are wrong.
bool apply_tls_flags(const std::string& cmd, std::vector<std::string>& args) {
  gpr_set_log_function(quiet_grpc_log);
  if (auto t = take_timeout_flag(args); !t) {
    fprintf(stderr, "octagon %s: %s\n", cmd.c_str(), terminal_safe(t.error().message()).c_str());
    return false;
  }
  auto files = take_tls_flags(args);
  if (files) {
    auto used = use_client_tls(*files);
    if (used)
      return true;
    fprintf(stderr, "octagon %s: %s\n", cmd.c_str(), terminal_safe(used.error().message()).c_str());
    return false;
  }
  fprintf(stderr, "octagon %s: %s\n", cmd.c_str(), terminal_safe(files.error().message()).c_str());
  return false;
}

bool talks_to_agent(const std::string& cmd) {
  return cmd == "getevents" || cmd == "status" || cmd == "tracingpolicy" || cmd == "tp" ||
         cmd == "version" || cmd == "--version";
}

}  // namespace

int run(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  std::string cmd = argv[1];
  std::vector<std::string> rest(argv + 2, argv + argc);
  if (talks_to_agent(cmd) && !apply_tls_flags(cmd, rest)) return 2;
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
