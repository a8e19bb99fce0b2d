// `octagon tracingpolicy` (alias `tp`): add, delete, enable, disable, set-mode and list the
// agent's TracingPolicies over gRPC, as `tetra tracingpolicy` does.
#include <octagon/cli/tracingpolicy.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <octagon/api/server.h>
#include <octagon/cli/client.h>
#include <octagon/exporters/json/escape.h>
#include <octagon/policy/parser.h>

namespace octagon::cli {
namespace {

constexpr const char* kUsage =
    "Usage: octagon tracingpolicy (alias tp) <verb> [flags]\n\n"
    "Verbs:\n"
    "  add FILE [--mode enforce|monitor]   load a TracingPolicy YAML file into the agent\n"
    "  delete NAME                         unload and forget a policy\n"
    "  enable NAME | disable NAME          load again / unload but keep a policy\n"
    "  set-mode NAME enforce|monitor       switch a loaded policy's mode (no reload)\n"
    "  list [-o text|json]                 the agent's policies with state, mode and counters\n\n"
    "Flags: --server-address ADDR (default " "unix:///var/run/octagon/octagon.sock), -h/--help\n";

struct Args {
  std::string verb;
  std::vector<std::string> positional;
  std::string server_address = api::kDefaultServerAddress;
  std::string mode;    // add --mode
  std::string output = "text";
  bool help = false;
};

bool parse(const std::vector<std::string>& args, Args& a) {
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& s = args[i];
    auto value = [&](const char* flag, std::string& out) {
      if (s == flag && i + 1 < args.size()) {
        out = args[++i];
        return true;
      }
      std::string eq = std::string(flag) + "=";
      if (s.rfind(eq, 0) == 0) {
        out = s.substr(eq.size());
        return true;
      }
      return false;
    };
    if (s == "-h" || s == "--help") a.help = true;
    else if (value("--server-address", a.server_address) || value("--mode", a.mode) ||
             value("-o", a.output) || value("--output", a.output)) continue;
    else if (!s.empty() && s[0] == '-') {
      fprintf(stderr, "octagon tracingpolicy: unknown flag '%s'\n", terminal_safe(s).c_str());
      return false;
    } else if (a.verb.empty()) a.verb = s;
    else a.positional.push_back(s);
  }
  return true;
}

bool parse_mode(const std::string& s, tetragon::TracingPolicyMode& out) {
  if (s == "enforce") out = tetragon::TP_MODE_ENFORCE;
  else if (s == "monitor") out = tetragon::TP_MODE_MONITOR;
  else return false;
  return true;
}

int fail(const grpc::Status& s, const Args& a) {
  fprintf(stderr, "octagon tracingpolicy %s: %s\n", a.verb.c_str(), describe_status(s, a.server_address).c_str());
  return 1;
}

void deadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(rpc_deadline(std::chrono::seconds(30)));
}

std::string state_name(tetragon::TracingPolicyState s) {
  std::string n = tetragon::TracingPolicyState_Name(s);
  if (n.rfind("TP_STATE_", 0) == 0) n = n.substr(9);
  for (char& c : n) c = char(std::tolower(static_cast<unsigned char>(c)));
  return n.empty() ? std::to_string(int(s)) : n;
}

int list(const Args& a) {
  grpc::ClientContext ctx;
  deadline(ctx);
  tetragon::ListTracingPoliciesResponse resp;
  grpc::Status s = make_stub(a.server_address)->ListTracingPolicies(&ctx, {}, &resp);
  if (!s.ok()) return fail(s, a);
  if (a.output == "json") {
    std::string out = "[";
    for (int i = 0; i < resp.policies_size(); i++) {
      const auto& p = resp.policies(i);
      if (i) out += ',';
      out += "{\"id\":" + std::to_string(p.id()) + ",\"name\":";
      exporters::append_json_string(out, p.name());
      out += ",\"namespace\":";
      exporters::append_json_string(out, p.namespace_());
      out += ",\"state\":\"" + state_name(p.state()) + "\",\"mode\":\"";
      out += p.mode() == tetragon::TP_MODE_MONITOR ? "monitor" : "enforce";
      out += "\",\"kernel_memory_bytes\":" + std::to_string(p.kernel_memory_bytes()) + ",\"error\":";
      exporters::append_json_string(out, p.error());
      out += ",\"sensors\":[";
      for (int k = 0; k < p.sensors_size(); k++) {
        if (k) out += ',';
        exporters::append_json_string(out, p.sensors(k));
      }
      out += "]}";
    }
    out += "]\n";
    fputs(out.c_str(), stdout);
    return 0;
  }
  if (a.output != "text") {
    fprintf(stderr, "octagon tracingpolicy list: -o must be text or json\n");
    return 2;
  }
  printf("%-4s %-28s %-10s %-8s %-12s %s\n", "ID", "NAME", "STATE", "MODE", "KERNELMEMORY", "SENSORS");
  for (const auto& p : resp.policies()) {
    std::string sensors;
    for (const auto& x : p.sensors()) sensors += (sensors.empty() ? "" : ", ") + x;
    printf("%-4llu %-28s %-10s %-8s %-12s %s\n", (unsigned long long)p.id(), terminal_safe(p.name()).c_str(),
           state_name(p.state()).c_str(), p.mode() == tetragon::TP_MODE_MONITOR ? "monitor" : "enforce",
           (std::to_string(p.kernel_memory_bytes() / 1024) + " KiB").c_str(), terminal_safe(sensors).c_str());
    if (!p.error().empty()) printf("     error: %s\n", terminal_safe(p.error()).c_str());
  }
  return 0;
}

int add(const Args& a) {
  if (a.positional.size() != 1) {
    fprintf(stderr, "octagon tracingpolicy add: needs one FILE\n");
    return 2;
  }
  std::ifstream in(a.positional[0]);
  if (!in) {
    fprintf(stderr, "octagon tracingpolicy add: cannot read %s\n", terminal_safe(a.positional[0]).c_str());
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  tetragon::TracingPolicyMode mode{};
  if (!a.mode.empty() && !parse_mode(a.mode, mode)) {
    fprintf(stderr, "octagon tracingpolicy add: --mode must be enforce or monitor\n");
    return 2;
  }
  std::string yaml = ss.str();
  // Parsed here too: a malformed file is reported with its own name, line and column.
  auto parsed = policy::parse_policy(yaml, a.positional[0]);
  if (!parsed) {
    fprintf(stderr, "octagon tracingpolicy add: %s\n", terminal_safe(parsed.error().message()).c_str());
    return 1;
  }
  auto stub = make_stub(a.server_address);
  {
    grpc::ClientContext ctx;
    deadline(ctx);
    tetragon::AddTracingPolicyRequest req;
    req.set_yaml(yaml);
    tetragon::AddTracingPolicyResponse resp;
    grpc::Status s = stub->AddTracingPolicy(&ctx, req, &resp);
    if (!s.ok()) return fail(s, a);
  }
  if (a.mode.empty()) return 0;
  // AddTracingPolicy carries only the YAML: the mode is set right after loading (a runtime
  // mode, which outranks the spec's), so the policy runs in its spec's mode until then.
  grpc::ClientContext ctx;
  deadline(ctx);
  tetragon::ConfigureTracingPolicyRequest req;
  req.set_name(parsed->name);
  req.set_mode(mode);
  tetragon::ConfigureTracingPolicyResponse resp;
  grpc::Status s = stub->ConfigureTracingPolicy(&ctx, req, &resp);
  return s.ok() ? 0 : fail(s, a);
}

int configure(const Args& a) {
  size_t want = a.verb == "set-mode" ? 2 : 1;
  if (a.positional.size() != want) {
    fprintf(stderr, "octagon tracingpolicy %s: needs %s\n", a.verb.c_str(), want == 2 ? "NAME MODE" : "NAME");
    return 2;
  }
  grpc::ClientContext ctx;
  deadline(ctx);
  auto stub = make_stub(a.server_address);
  grpc::Status s;
  if (a.verb == "delete") {
    tetragon::DeleteTracingPolicyRequest req;
    req.set_name(a.positional[0]);
    tetragon::DeleteTracingPolicyResponse resp;
    s = stub->DeleteTracingPolicy(&ctx, req, &resp);
  } else {
    tetragon::ConfigureTracingPolicyRequest req;
    req.set_name(a.positional[0]);
    if (a.verb == "set-mode") {
      tetragon::TracingPolicyMode mode{};
      if (!parse_mode(a.positional[1], mode)) {
        fprintf(stderr, "octagon tracingpolicy set-mode: MODE must be enforce or monitor\n");
        return 2;
      }
      req.set_mode(mode);
    } else {
      req.set_enable(a.verb == "enable");
    }
    tetragon::ConfigureTracingPolicyResponse resp;
    s = stub->ConfigureTracingPolicy(&ctx, req, &resp);
  }
  return s.ok() ? 0 : fail(s, a);
}

}  // namespace

int run_tracingpolicy(const std::vector<std::string>& args) {
  Args a;
  if (!parse(args, a)) return 2;
  if (a.help || a.verb.empty()) {
    fputs(kUsage, a.help ? stdout : stderr);
    if (a.help) fprintf(stdout, "\n%s", tls_flags_help());
    return a.help ? 0 : 2;
  }
  if (a.verb == "list") return list(a);
  if (a.verb == "add") return add(a);
  if (a.verb == "delete" || a.verb == "enable" || a.verb == "disable" || a.verb == "set-mode") return configure(a);
  fprintf(stderr, "octagon tracingpolicy: unknown verb '%s'\n%s", terminal_safe(a.verb).c_str(), kUsage);
  return 2;
}

}  // namespace octagon::cli
