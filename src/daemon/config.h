// AgentConfig: everything `octagon agent` can be told, from command-line flags and an optional
// YAML file (--config-file; top-level keys are the flag names, as in /etc/tetragon/tetragon.yaml).
//
// ONE table (agent_options()) describes every option: name, value type, default, help and a
// setter that parses and validates the text form. Flags and YAML keys both go through it, so
// they accept exactly the same values; usage() is generated from it. Flags override the file.
#pragma once

#include <octagon/base/log.h>
#include <octagon/base/result.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace octagon::daemon {

enum class OutputFormat { kJson, kCompact };
enum class ColorMode { kAuto, kAlways, kNever };

// Ancestor event types accepted by --enable-ancestors, in canonical order.
inline constexpr std::string_view kAncestorTypes[] = {"base", "kprobe", "tracepoint", "uprobe",
                                                      "lsm",  "usdt",   "loader"};

struct AgentConfig {
  // Export (compat reference 1.10).
  std::string export_filename;             // empty: no file export
  uint64_t export_file_max_size_mb = 10;   // rotate when the file would exceed this
  uint32_t export_file_max_backups = 5;    // rotated files kept (0: none)
  uint32_t export_file_perm = 0600;        // mode of the export file and its backups
  bool export_stdout = true;               // also write events to stdout
  std::string export_allowlist;            // newline-separated JSON Filter objects
  std::string export_denylist;             // same; the denylist wins
  int64_t export_rate_limit = -1;          // events per minute per exporter; -1 off, 0 none
  std::string field_filters;       // newline-separated JSON FieldFilter objects (JSON exports)
  std::string redaction_filters;   // newline-separated JSON RedactionFilter objects
  // Tetragon's export aggregation (src/api/aggregator.h): a bounded buffer of this many events
  // in front of each exporter's writer; an event finding it full is dropped and counted. No
  // event type is aggregated (as in Tetragon), so the window has nothing to flush.
  bool enable_export_aggregation = false;
  uint64_t export_aggregation_window_ns = 15'000'000'000ull;
  uint64_t export_aggregation_buffer_size = 10000;
  OutputFormat output = OutputFormat::kJson;  // stdout format
  ColorMode color = ColorMode::kAuto;         // compact output colors

  // Buffers.
  uint64_t rb_size = 8u << 20;         // BPF ring buffer bytes (power of two)
  uint64_t rb_queue_size = 16u << 20;  // export queue bytes (ByteQueue ring)

  // Process tracking and enrichment.
  uint32_t process_cache_size = 65536;
  uint32_t execve_map_entries = 32768;
  uint32_t args_max_size = 4096;            // bytes of argv captured per exec
  std::string node_name;                    // parse_agent_config fills in the hostname if empty
  std::vector<std::string> enable_ancestors;  // subset of kAncestorTypes, canonical order
  bool enable_process_cred = false;  // credentials, and capabilities (Tetragon ties them together)
  bool enable_process_ns = false;

  // Policies (TracingPolicy YAML) loaded at start-up.
  std::string tracing_policy;      // one policy file
  std::string tracing_policy_dir;  // every *.yaml / *.yml in it (and one level of subdirectories)
  bool expose_stack_addresses = false;  // real addresses in stack trace entries

  // gRPC API (src/api): Tetragon's --server-address; empty disables the server.
  std::string server_address = "unix:///var/run/octagon/octagon.sock";
  uint32_t server_client_queue_size = 10000;  // events queued per GetEvents client
  // TLS on a TCP --server-address (Tetragon's --server-tls-*; daemon/config_tls.h).
  std::string server_tls_cert_file;
  std::string server_tls_key_file;
  std::vector<std::string> server_tls_client_ca_files;  // non-empty: mTLS (client cert required)
  bool server_tls_require_client_cert = false;           // Tetragon's switch; needs the CA files
  // Prometheus /metrics and /healthz over HTTP (Tetragon's --metrics-server); empty: off.
  std::string metrics_server;

  // Runtime.
  std::string procfs = "/proc";
  uint32_t stats_interval_seconds = 0;  // 0: no periodic status report
  log::Level log_level = log::Level::kInfo;
  std::string config_file;  // the YAML file that was applied, if any
  bool help = false;        // --help / -h: print usage() and exit

  bool operator==(const AgentConfig&) const = default;
};

enum class OptionType { kBool, kUint, kSize, kDuration, kString, kEnum, kList, kMode };

struct OptionSpec {
  const char* name;           // flag without "--", and the YAML key
  OptionType type;
  const char* default_value;  // text form, parsed by `set` to the AgentConfig{} default
  const char* help;
  // Parses `value` into `config`. Errors do not name the option; callers add "--name: ".
  Result<void> (*set)(AgentConfig& config, std::string_view value);
  bool cli_only;  // --config-file and --help are not accepted as YAML keys
};

// The option table, in help order.
std::span<const OptionSpec> agent_options();
const OptionSpec* find_option(std::string_view name);

// Parses the arguments after the `agent` subcommand. Never throws.
Result<AgentConfig> parse_agent_config(const std::vector<std::string>& args);

// Applies a YAML config file on top of `config`. Errors carry file:line:column.
Result<void> apply_config_file(const std::string& path, AgentConfig& config);

// --help text generated from the table.
std::string usage();

// Whether --enable-ancestors includes `type` (e.g. "kprobe").
bool ancestors_enabled(const AgentConfig& config, std::string_view type);

}  // namespace octagon::daemon
