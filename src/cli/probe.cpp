#include <octagon/cli/probe.h>

#include <sys/utsname.h>

#include <cstdio>

#include <octagon/bpf/program_stats.h>
#include <octagon/cli/client.h>
#include <octagon/exporters/json/escape.h>

namespace octagon::cli {
namespace {

struct FeatureRow {
  bpf::Feature feature;
  const char* use;  // what Octagon uses it for
};

constexpr FeatureRow kRows[] = {
    {bpf::Feature::kBtf, "CO-RE relocations (required)"},
    {bpf::Feature::kRingBuf, "event transport (required)"},
    {bpf::Feature::kBpfLoop, "path walks, argument loops (required)"},
    {bpf::Feature::kTpBtf, "process lifecycle hooks (else raw_tp)"},
    {bpf::Feature::kRawTp, "lifecycle fallback, raw_tracepoint policies"},
    {bpf::Feature::kFentry, "not required (tracepoints are used)"},
    {bpf::Feature::kLsm, "lsmhooks policies (refused without it)"},
    {bpf::Feature::kKprobe, "kprobes policies on non-syscall functions"},
    {bpf::Feature::kSendSignal, "Sigkill/Signal actions"},
    {bpf::Feature::kFmodRet, "Override on security_* kprobes (fmod_ret)"},
    {bpf::Feature::kOverrideReturn, "Override on kprobes (bpf_override_return)"},
    {bpf::Feature::kKprobeMulti, "kprobes list: on one link (kprobe.multi)"},
    {bpf::Feature::kImaHash, "Post imaHash on lsmhooks (bpf_ima_file_hash)"},
};

}  // namespace

std::string probe_report_text(bpf::FeatureProbe& probe, const std::string& release,
                              const std::string& machine, bool privileged) {
  std::string out = "kernel " + terminal_safe(release) + " (" + terminal_safe(machine) + ")\n";
  if (!privileged) out += "not root: probes that load BPF programs report no\n";
  char line[256];
  std::snprintf(line, sizeof(line), "%-15s %-4s %-44s %s\n", "FEATURE", "OK", "USED FOR", "DETAIL");
  out += line;
  for (const FeatureRow& r : kRows) {
    const bpf::Probe& p = probe.get(r.feature);
    std::snprintf(line, sizeof(line), "%-15s %-4s %-44s ", bpf::feature_name(r.feature),
                  p.ok ? "yes" : "no", r.use);
    out += line;
    out += terminal_safe(p.detail) + "\n";
  }
  std::snprintf(line, sizeof(line), "%-15s %-4s %-44s %s\n", "bpf_stats",
                bpf::bpf_stats_enabled() ? "yes" : "no", "per-program overhead metrics",
                "sysctl kernel.bpf_stats_enabled");
  out += line;
  return out;
}

std::string probe_report_json(bpf::FeatureProbe& probe, const std::string& release,
                              const std::string& machine, bool privileged) {
  std::string out = "{\"kernel\":";
  exporters::append_json_string(out, release);
  out += ",\"machine\":";
  exporters::append_json_string(out, machine);
  out += std::string(",\"privileged\":") + (privileged ? "true" : "false") + ",\"features\":[";
  for (size_t i = 0; i < std::size(kRows); i++) {
    const bpf::Probe& p = probe.get(kRows[i].feature);
    if (i) out += ',';
    out += "{\"name\":";
    exporters::append_json_string(out, bpf::feature_name(kRows[i].feature));
    out += std::string(",\"ok\":") + (p.ok ? "true" : "false") + ",\"used_for\":";
    exporters::append_json_string(out, kRows[i].use);
    out += ",\"detail\":";
    exporters::append_json_string(out, p.detail);
    out += '}';
  }
  out += std::string("],\"bpf_stats_enabled\":") + (bpf::bpf_stats_enabled() ? "true" : "false");
  out += "}\n";
  return out;
}

int run_probe(const std::vector<std::string>& args) {
  bool json = false;
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      printf("Usage: octagon probe [-o text|json]\n\n"
             "Probe this machine's kernel for the BPF features Octagon uses (loads tiny test\n"
             "programs; run as root) and print what each one is used for.\n");
      return 0;
    }
    std::string value;
    if ((a == "-o" || a == "--output") && i + 1 < args.size()) {
      value = args[++i];
    } else if (a.rfind("--output=", 0) == 0) {
      value = a.substr(9);
    } else if (a.rfind("-o=", 0) == 0) {
      value = a.substr(3);
    } else {
      fprintf(stderr, "octagon probe: unknown flag '%s'\nRun 'octagon probe --help'.\n",
              terminal_safe(a).c_str());
      return 2;
    }
    if (value != "text" && value != "json") {
      fprintf(stderr, "octagon probe: -o must be text or json, not '%s'\n", terminal_safe(value).c_str());
      return 2;
    }
    json = value == "json";
  }
  utsname u{};
  uname(&u);
  bpf::FeatureProbe probe;
  const bool privileged = static_cast<bool>(probe.check_privileges());
  std::string out = json ? probe_report_json(probe, u.release, u.machine, privileged)
                         : probe_report_text(probe, u.release, u.machine, privileged);
  fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace octagon::cli
