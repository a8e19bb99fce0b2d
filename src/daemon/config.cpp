// The agent option table, its setters and the generated --help text. Parsing of argument
// vectors and YAML files is in config_parse.cpp.
#include <octagon/daemon/config.h>
#include <octagon/daemon/export_fields.h>
#include <octagon/daemon/export_filter.h>
#include <octagon/daemon/option_values.h>
#include <octagon/daemon/redaction.h>

#include <algorithm>
#include <cerrno>
#include <type_traits>

namespace octagon::daemon {
namespace {

template <auto Member>
using MemberType = std::remove_reference_t<decltype(std::declval<AgentConfig&>().*Member)>;

template <auto Member>
Result<void> set_bool(AgentConfig& c, std::string_view v) {
  OCTAGON_ASSIGN_OR_RETURN(bool value, parse_bool(v));
  c.*Member = value;
  return ok();
}

template <auto Member, uint64_t Min, uint64_t Max>
Result<void> set_uint(AgentConfig& c, std::string_view v) {
  OCTAGON_ASSIGN_OR_RETURN(uint64_t value, parse_uint(v, Min, Max));
  c.*Member = static_cast<MemberType<Member>>(value);
  return ok();
}

// A byte size that must also be a power of two (BPF ring buffers require it).
template <auto Member, uint64_t Min, uint64_t Max, bool kPowerOfTwo>
Result<void> set_size(AgentConfig& c, std::string_view v) {
  OCTAGON_ASSIGN_OR_RETURN(uint64_t value, parse_size(v, Min, Max));
  if (kPowerOfTwo && (value & (value - 1)) != 0) {
    return make_error(EINVAL, "'" + std::string(v) + "' (" + std::to_string(value) +
                                  ") is not a power of two (allowed " + format_size(Min) + ".." +
                                  format_size(Max) + ", e.g. 64K, 8M)");
  }
  c.*Member = static_cast<MemberType<Member>>(value);
  return ok();
}

template <auto Member, uint64_t Max>
Result<void> set_duration(AgentConfig& c, std::string_view v) {
  OCTAGON_ASSIGN_OR_RETURN(uint64_t value, parse_duration_seconds(v, 0, Max));
  c.*Member = static_cast<MemberType<Member>>(value);
  return ok();
}

template <auto Member>
Result<void> set_string(AgentConfig& c, std::string_view v) {
  c.*Member = std::string(v);
  return ok();
}

Result<void> set_output(AgentConfig& c, std::string_view v) {
  OCTAGON_ASSIGN_OR_RETURN(size_t i, parse_choice(v, {"json", "compact"}));
  c.output = i == 0 ? OutputFormat::kJson : OutputFormat::kCompact;
  return ok();
}

Result<void> set_color(AgentConfig& c, std::string_view v) {
  OCTAGON_ASSIGN_OR_RETURN(size_t i, parse_choice(v, {"auto", "always", "never"}));
  static constexpr ColorMode kModes[] = {ColorMode::kAuto, ColorMode::kAlways, ColorMode::kNever};
  c.color = kModes[i];
  return ok();
}

Result<void> set_log_level(AgentConfig& c, std::string_view v) {
  if (v == "warning") v = "warn";  // Tetragon (logrus) spelling
  OCTAGON_ASSIGN_OR_RETURN(size_t i, parse_choice(v, {"debug", "info", "warn", "error"}));
  c.log_level = static_cast<log::Level>(i);
  return ok();
}

// Validated here (JSON, fields, regexes, per line) so that a bad list stops the agent at
// start-up; the exporters compile the text again.
template <auto Member>
Result<void> set_filter_list(AgentConfig& c, std::string_view v) {
  OCTAGON_TRY(parse_filter_lines(v));
  c.*Member = std::string(v);
  return ok();
}

// --field-filters / --redaction-filters: validated (JSON, fields, paths, regexes, per line)
// here, so that a bad value stops the agent at start-up; the agent compiles the text again.
Result<void> set_field_filters(AgentConfig& c, std::string_view v) {
  OCTAGON_TRY(parse_field_filters(v));
  c.field_filters = std::string(v);
  return ok();
}

Result<void> set_redaction_filters(AgentConfig& c, std::string_view v) {
  OCTAGON_TRY(Redaction::create(v));
  c.redaction_filters = std::string(v);
  return ok();
}

Result<void> set_rate_limit(AgentConfig& c, std::string_view v) {
  if (v == "-1") {
    c.export_rate_limit = -1;
    return ok();
  }
  auto n = parse_uint(v, 0, uint64_t{1} << 40);
  if (!n) return make_error(EINVAL, n.error().message() + " (or -1: no limit)");
  c.export_rate_limit = static_cast<int64_t>(*n);
  return ok();
}

Result<void> set_aggregation_window(AgentConfig& c, std::string_view v) {
  OCTAGON_ASSIGN_OR_RETURN(c.export_aggregation_window_ns,
                           parse_go_duration_ns(v, uint64_t{24} * 3600 * 1000000000ull));
  return ok();
}

Result<void> set_perm(AgentConfig& c, std::string_view v) {
  OCTAGON_ASSIGN_OR_RETURN(uint32_t mode, parse_octal_mode(v));
  c.export_file_perm = mode;
  return ok();
}

// Comma-separated subset of kAncestorTypes; unknown names are rejected (Tetragon ignores them,
// which hides typos). Every type other than base needs base, which keeps the reference counts
// the others rely on.
Result<void> set_ancestors(AgentConfig& c, std::string_view v) {
  bool wanted[std::size(kAncestorTypes)] = {};
  while (!v.empty()) {
    const size_t comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    auto it = std::find(std::begin(kAncestorTypes), std::end(kAncestorTypes), item);
    if (it == std::end(kAncestorTypes)) {
      return make_error(EINVAL, "unknown event type '" + std::string(item) +
                                    "' (allowed: base,kprobe,tracepoint,uprobe,lsm,usdt,loader)");
    }
    wanted[it - std::begin(kAncestorTypes)] = true;
  }
  std::vector<std::string> types;
  for (size_t i = 0; i < std::size(kAncestorTypes); ++i) {
    if (!wanted[i]) continue;
    if (!wanted[0]) {
      return make_error(EINVAL, "'" + std::string(kAncestorTypes[i]) +
                                    "' requires 'base' (add base to the list)");
    }
    types.emplace_back(kAncestorTypes[i]);
  }
  c.enable_ancestors = std::move(types);
  return ok();
}

// Comma-separated paths (spaces around them trimmed, empty items skipped).
template <auto Member>
Result<void> set_path_list(AgentConfig& c, std::string_view v) {
  std::vector<std::string> out;
  while (!v.empty()) {
    const size_t comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
  }
  c.*Member = std::move(out);
  return ok();
}

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;
constexpr uint64_t kGiB = 1024 * kMiB;

using C = AgentConfig;
using T = OptionType;

// Help order. Defaults are the text form of AgentConfig's member initializers (a unit test
// parses each one and compares against AgentConfig{}).
constexpr OptionSpec kOptions[] = {
    {"export-filename", T::kString, "",
     "Write events as JSON lines to this file, rotated by size; empty: no file export",
     set_string<&C::export_filename>, false},
    {"export-file-max-size-mb", T::kUint, "10", "Rotate the export file before it exceeds this many MiB",
     set_uint<&C::export_file_max_size_mb, 1, 1024 * 1024>, false},
    {"export-file-max-backups", T::kUint, "5",
     "Rotated export files to keep as <file>.1 (newest) .. <file>.N; 0 keeps none",
     set_uint<&C::export_file_max_backups, 0, 1000>, false},
    {"export-file-perm", T::kMode, "600", "Octal permissions of the export file and its backups",
     set_perm, false},
    {"export-stdout", T::kBool, "true", "Also write events to stdout (disable: --export-stdout=false)",
     set_bool<&C::export_stdout>, false},
    {"export-allowlist", T::kString, "",
     "Export only events matching one of these JSON Filter objects (one per line; fields AND-ed)",
     set_filter_list<&C::export_allowlist>, false},
    {"export-denylist", T::kString, "",
     "Do not export events matching one of these JSON Filter objects (one per line; wins over "
     "the allowlist)",
     set_filter_list<&C::export_denylist>, false},
    {"export-rate-limit", T::kString, "-1",
     "Export at most this many events per minute (per exporter), reporting drops as "
     "rate_limit_info events; -1: no limit, 0: export nothing",
     set_rate_limit, false},
    {"field-filters", T::kString, "",
     "Remove fields from the JSON export (file, and stdout with --output json): JSON FieldFilter "
     "objects, one per line (GetEvents field_filters semantics; action INCLUDE or EXCLUDE), e.g. "
     "{\"fields\":\"process.binary\",\"event_set\":[\"PROCESS_EXEC\"]}",
     set_field_filters, false},
    {"redaction-filters", T::kString, "",
     "Replace secrets in process arguments by ***** in every output: JSON RedactionFilter "
     "objects, one per line, e.g. {\"redact\":[\"--password(?:\\\\s+|=)(\\\\S*)\"]}; "
     "every RE2 capture group of a match is redacted, in every process or in those whose "
     "binary matches one of \"binary_regex\":[...]. Inline text only (YAML: a block scalar)",
     set_redaction_filters, false},
    {"enable-export-aggregation", T::kBool, "false",
     "Pass exported events through Tetragon's aggregation stage: a buffer of "
     "--export-aggregation-buffer-size events per exporter; events finding it full are dropped "
     "and counted (no event type is aggregated, as in Tetragon)",
     set_bool<&C::enable_export_aggregation>, false},
    {"export-aggregation-window-size", T::kDuration, "15s",
     "Aggregation window (a Go duration like 15s); no event type is aggregated, so nothing is "
     "flushed by it",
     set_aggregation_window, false},
    {"export-aggregation-buffer-size", T::kUint, "10000",
     "Events buffered per exporter by --enable-export-aggregation (0: only while the writer is "
     "idle, like Tetragon's unbuffered channel)",
     set_uint<&C::export_aggregation_buffer_size, 0, 1u << 20>, false},
    {"output", T::kEnum, "json", "Stdout format: json or compact", set_output, false},
    {"color", T::kEnum, "auto", "Colors in compact output: auto, always or never", set_color, false},
    {"rb-size", T::kSize, "8M",
     "BPF ring buffer size in bytes, a power of two between 4K and 1G (suffixes K, M, G)",
     set_size<&C::rb_size, 4 * kKiB, kGiB, true>, false},
    {"rb-queue-size", T::kSize, "16M",
     "Export queue size in bytes between 4K and 1G (suffixes K, M, G); events are dropped and "
     "counted when it is full",
     set_size<&C::rb_queue_size, 4 * kKiB, kGiB, false>, false},
    {"process-cache-size", T::kUint, "65536", "Entries in the user-space process cache",
     set_uint<&C::process_cache_size, 1, 16 * kMiB>, false},
    {"execve-map-entries", T::kUint, "32768", "Entries in the BPF execve (process) map",
     set_uint<&C::execve_map_entries, 1, 4 * kMiB>, false},
    {"args-max-size", T::kUint, "4096", "Bytes of exec arguments captured, between 64 and 16384",
     set_uint<&C::args_max_size, 64, 16384>, false},
    {"node-name", T::kString, "", "Node name in events and exec IDs (default: the hostname)",
     set_string<&C::node_name>, false},
    {"enable-ancestors", T::kList, "",
     "Comma-separated event types that carry ancestors: base, kprobe, tracepoint, uprobe, lsm, "
     "usdt, loader (all others require base)",
     set_ancestors, false},
    {"enable-process-cred", T::kBool, "false", "Include process credentials and capabilities",
     set_bool<&C::enable_process_cred>, false},
    {"enable-process-ns", T::kBool, "false", "Include process namespaces",
     set_bool<&C::enable_process_ns>, false},
    {"tracing-policy", T::kString, "", "TracingPolicy YAML file to load at start-up",
     set_string<&C::tracing_policy>, false},
    {"tracing-policy-dir", T::kString, "",
     "Directory of TracingPolicy YAML files (*.yaml, *.yml; one level of subdirectories) to load",
     set_string<&C::tracing_policy_dir>, false},
    {"expose-stack-addresses", T::kBool, "false",
     "Show the real addresses in stack trace entries (kernelStackTrace, userStackTrace); they "
     "are left out by default, as they reveal the kernel's and processes' memory layout",
     set_bool<&C::expose_stack_addresses>, false},
    {"server-address", T::kString, "unix:///var/run/octagon/octagon.sock",
     "gRPC API address (Tetragon's FineGuidanceSensors): unix:///path (socket mode 0600, new "
     "directory 0700) or host:port; empty disables the API",
     set_string<&C::server_address>, false},
    {"server-client-queue-size", T::kUint, "10000",
     "Events queued per gRPC GetEvents client; when full, that client's events are dropped and "
     "counted (other clients and the agent are not slowed)",
     set_uint<&C::server_client_queue_size, 1, 16 * kMiB>, false},
    {"server-tls-cert-file", T::kString, "",
     "PEM server certificate (then its chain): serve the TCP --server-address over TLS",
     set_string<&C::server_tls_cert_file>, false},
    {"server-tls-key-file", T::kString, "",
     "PEM private key of --server-tls-cert-file; must not be accessible to group or others "
     "(chmod 600), else the agent refuses to start",
     set_string<&C::server_tls_key_file>, false},
    {"server-tls-client-ca-files", T::kList, "",
     "Comma-separated PEM CA bundles: mutual TLS, every client must present a certificate "
     "signed by one of them",
     set_path_list<&C::server_tls_client_ca_files>, false},
    {"server-tls-require-client-cert", T::kBool, "false",
     "Require and verify client certificates (Tetragon's switch; implied by "
     "--server-tls-client-ca-files, which it needs)",
     set_bool<&C::server_tls_require_client_cert>, false},
    {"metrics-server", T::kString, "",
     "Serve Prometheus metrics (GET /metrics) and health (GET /healthz) over HTTP on this "
     "address, HOST:PORT or :PORT (every interface), e.g. 127.0.0.1:2112; empty: off",
     set_string<&C::metrics_server>, false},
    {"procfs", T::kString, "/proc", "Location of procfs (e.g. the host's /proc in a container)",
     set_string<&C::procfs>, false},
    {"stats-interval", T::kDuration, "0",
     "Log a status report (counters, drops) this often, in seconds or with s, m, h; 0 disables",
     set_duration<&C::stats_interval_seconds, 24 * 3600>, false},
    {"log-level", T::kEnum, "info", "Agent log level: debug, info, warn or error", set_log_level,
     false},
    {"config-file", T::kString, "",
     "YAML file whose top-level keys are these flag names; flags given here override it",
     set_string<&C::config_file>, true},
    {"help", T::kBool, "false", "Print this help and exit", set_bool<&C::help>, true},
};

const char* metavar(OptionType type) {
  switch (type) {
    case T::kBool: return "";
    case T::kUint: return " N";
    case T::kSize: return " SIZE";
    case T::kDuration: return " DURATION";
    case T::kString: return " STRING";
    case T::kEnum: return " NAME";
    case T::kList: return " LIST";
    case T::kMode: return " MODE";
  }
  return "";
}

// Appends `text` word-wrapped to `width`, continuation lines indented by `indent`.
void append_wrapped(std::string& out, const std::string& text, size_t indent, size_t width) {
  size_t col = indent;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    const size_t len = end - pos;
    if (col > indent && col + 1 + len > width) {
      out += "\n" + std::string(indent, ' ');
      col = indent;
    } else if (col > indent) {
      out += ' ';
      ++col;
    }
    out.append(text, pos, len);
    col += len;
    pos = end + 1;
  }
}

}  // namespace

std::span<const OptionSpec> agent_options() { return kOptions; }

const OptionSpec* find_option(std::string_view name) {
  for (const OptionSpec& spec : kOptions) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

std::string usage() {
  constexpr size_t kHelpColumn = 36;
  constexpr size_t kWidth = 100;
  std::string out =
      "Usage: octagon agent [flags]\n\n"
      "Flags take their value as --name VALUE or --name=VALUE; booleans as --name or\n"
      "--name=false. Every flag except --config-file and --help may also be set as a top-level\n"
      "key of the --config-file YAML (same name, no dashes); flags override the file.\n\nFlags:\n";
  for (const OptionSpec& spec : kOptions) {
    std::string head = std::string("  --") + spec.name + metavar(spec.type);
    out += head;
    if (head.size() + 2 > kHelpColumn) {
      out += "\n" + std::string(kHelpColumn, ' ');
    } else {
      out += std::string(kHelpColumn - head.size(), ' ');
    }
    std::string help = spec.help;
    const std::string def = spec.default_value;
    if (!def.empty() && def != "false" && spec.type != T::kString) help += " (default " + def + ")";
    if (!def.empty() && spec.type == T::kString) help += " (default \"" + def + "\")";
    append_wrapped(out, help, kHelpColumn, kWidth);
    out += '\n';
  }
  return out;
}

bool ancestors_enabled(const AgentConfig& config, std::string_view type) {
  return std::find(config.enable_ancestors.begin(), config.enable_ancestors.end(), type) !=
         config.enable_ancestors.end();
}

}  // namespace octagon::daemon
