// The agent's HTTP endpoints (--metrics-server): GET /metrics (Prometheus text format) and
// GET /healthz (JSON; 200 while the sensors run, 503 while starting or stopping).
#pragma once

#include <string_view>

#include <octagon/metrics/http_server.h>

namespace octagon::daemon {

class Agent;

enum class AgentState { kStarting, kRunning, kStopping };
const char* agent_state_name(AgentState s);

// Answers one request; called on the HTTP server's thread.
metrics::HttpResponse serve_agent_http(const Agent& agent, AgentState state, std::string_view path);

}  // namespace octagon::daemon
