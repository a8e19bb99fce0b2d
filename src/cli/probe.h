// `octagon probe [-o text|json]`: the kernel capability report of this machine (like
// `tetra probe`), from the same FeatureProbe the agent uses at start-up. Runs locally; needs
// root (or CAP_BPF + CAP_PERFMON) for the probes that load programs.
#pragma once

#include <string>
#include <vector>

#include <octagon/bpf/feature_probe.h>

namespace octagon::cli {

int run_probe(const std::vector<std::string>& args);

// The report for `probe` on a kernel `release`/`machine` (exposed for unit tests).
std::string probe_report_text(bpf::FeatureProbe& probe, const std::string& release,
                              const std::string& machine, bool privileged);
std::string probe_report_json(bpf::FeatureProbe& probe, const std::string& release,
                              const std::string& machine, bool privileged);

}  // namespace octagon::cli
