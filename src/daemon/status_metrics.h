// The agent's Prometheus metrics, rendered from the same StatusSnapshot as the status JSON, so
// the two never disagree. Family names follow Tetragon's where the meaning is the same
// (tetragon_*); counters Tetragon has no equivalent for are octagon_*. Every loss counter of
// the status JSON has a metric (tests/unit/daemon/status_metrics_test.cpp enforces it).
#pragma once

#include <string>

#include <octagon/daemon/status.h>

namespace octagon::metrics {
class ExpositionWriter;
}

namespace octagon::daemon {

// Prometheus text format 0.0.4.
std::string render_status_metrics(const StatusSnapshot& s);

// The policy families (status_metrics_policy.cpp).
void render_policy_metrics(const StatusSnapshot& s, metrics::ExpositionWriter& w);

}  // namespace octagon::daemon
