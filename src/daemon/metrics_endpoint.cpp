#include <octagon/daemon/metrics_endpoint.h>

#include <octagon/daemon/agent.h>
#include <octagon/daemon/status_metrics.h>
#include <octagon/metrics/exposition.h>

namespace octagon::daemon {
namespace {

metrics::HttpResponse json(int status, std::string body) {
  metrics::HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

metrics::HttpResponse text(int status, std::string body) {
  metrics::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

const char* agent_state_name(AgentState s) {
  switch (s) {
    case AgentState::kStarting: return "starting";
    case AgentState::kRunning: return "running";
    case AgentState::kStopping: return "stopping";
  }
  return "unknown";
}

metrics::HttpResponse serve_agent_http(const Agent& agent, AgentState state, std::string_view path) {
  if (path == "/healthz") {
    std::string body = std::string("{\"status\":\"") + agent_state_name(state) + "\"";
    if (state != AgentState::kStarting) {
      StatusSnapshot s = agent.status();
      uint64_t enabled = 0, failed = 0;
      for (const auto& p : s.policies) {
        enabled += p.state == PolicyState::kEnabled;
        failed += p.state == PolicyState::kLoadError || p.state == PolicyState::kError;
      }
      body += ",\"uptime_seconds\":" + std::to_string(s.uptime_ns / 1000000000ull);
      body += ",\"sensors\":{\"process\":\"" + std::string(agent_state_name(state)) + "\"}";
      body += ",\"policies\":{\"enabled\":" + std::to_string(enabled) +
              ",\"failed\":" + std::to_string(failed) + "}";
    }
    body += "}\n";
    return json(state == AgentState::kRunning ? 200 : 503, std::move(body));
  }
  if (path == "/metrics") {
    if (state == AgentState::kStarting) return text(503, "the agent is starting\n");
    metrics::HttpResponse r = text(200, render_status_metrics(agent.status()));
    r.content_type = metrics::kContentType;
    return r;
  }
  if (path == "/") return text(200, "octagon agent: GET /metrics (Prometheus), GET /healthz\n");
  return text(404, "not found; try /metrics or /healthz\n");
}

}  // namespace octagon::daemon
