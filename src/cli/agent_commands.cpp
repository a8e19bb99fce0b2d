// `octagon status` and `octagon version [--server]`: one-shot RPCs to the agent.
#include <octagon/cli/agent_commands.h>

#include <chrono>
#include <cstdio>

#include <abi/process.h>
#include <octagon/api/server.h>
#include <octagon/base/version.h>
#include <octagon/cli/client.h>

namespace octagon::cli {
namespace {

constexpr auto kTimeout = std::chrono::seconds(10);

struct CommonFlags {
  std::string server_address = api::kDefaultServerAddress;
  bool server = false; // version --server
  bool help = false;
};

// Accepts --server-address and -h/--help (and --server when `allow_server`).
bool parse_flags(const char* cmd, const std::vector<std::string>& args, bool allow_server,
                 CommonFlags& f) {
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      f.help = true;
    } else if (a == "--server-address" && i + 1 < args.size()) {
      f.server_address = args[++i];
    } else if (a.rfind("--server-address=", 0) == 0) {
      f.server_address = a.substr(17);
    } else if (allow_server && a == "--server") {
      f.server = true;
    } else {
      fprintf(stderr, "octagon %s: unknown flag '%s'\nRun 'octagon %s --help'.\n", cmd,
              terminal_safe(a).c_str(), cmd);
      return false;
    }
  }
  return true;
}

void set_deadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(rpc_deadline(kTimeout));
}

} // namespace

int run_status(const std::vector<std::string>& args) {
  CommonFlags f;
  if (!parse_flags("status", args, false, f))
    return 2;
  if (f.help) {
    printf("Usage: octagon status [--server-address ADDR]\n\n"
           "Print the agent's health (gRPC GetHealth), e.g. \"Health Status: running\".\n\n%s",
           tls_flags_help());
    return 0;
  }
  grpc::ClientContext ctx;
  set_deadline(ctx);
  tetragon::GetHealthStatusRequest req;
  tetragon::GetHealthStatusResponse resp;
  grpc::Status s = make_stub(f.server_address)->GetHealth(&ctx, req, &resp);
  if (!s.ok()) {
    fprintf(stderr, "octagon status: %s\n", describe_status(s, f.server_address).c_str());
    return 1;
  }
  for (const auto& h : resp.health_status()) {
    std::string name = tetragon::HealthStatusResult_Name(h.status());
    if (name.rfind("HEALTH_STATUS_", 0) == 0)
      name = name.substr(14);
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    printf("Health Status: %s\n", terminal_safe(name).c_str());
  }
  return 0;
}

int run_version(const std::vector<std::string>& args) {
  CommonFlags f;
  if (!parse_flags("version", args, true, f))
    return 2;
  if (f.help) {
    printf("Usage: octagon version [--server] [--server-address ADDR]\n\n"
           "Print the CLI version; with --server also the agent's (gRPC GetVersion).\n\n%s",
           tls_flags_help());
    return 0;
  }
  if (!f.server) {
    printf("octagon %s (abi %d)\n", kOctagonVersion, OCTAGON_ABI_VERSION);
    return 0;
  }
  grpc::ClientContext ctx;
  set_deadline(ctx);
  tetragon::GetVersionRequest req;
  tetragon::GetVersionResponse resp;
  grpc::Status s = make_stub(f.server_address)->GetVersion(&ctx, req, &resp);
  printf("CLI version: %s\n", kOctagonVersion);
  if (!s.ok()) {
    fprintf(stderr, "octagon version: %s\n", describe_status(s, f.server_address).c_str());
    return 1;
  }
  printf("Server version: %s\n", terminal_safe(resp.version()).c_str());
  return 0;
}

} // namespace octagon::cli
