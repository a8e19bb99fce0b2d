// Command-line side of the agent option table: defaults, flag forms, every error class.
#include <octagon/daemon/config.h>

#include <unistd.h>

#include <cerrno>

#include "test_helpers.h"

namespace octagon::daemon {
namespace {

using Args = std::vector<std::string>;

std::string host() {
  char buf[256] = {};
  gethostname(buf, sizeof(buf) - 1);
  return buf;
}

TEST(AgentConfig, Defaults) {
  auto r = parse_agent_config({});
  ASSERT_OK(r);
  const AgentConfig& c = *r;
  EXPECT_EQ(c.export_filename, "");
  EXPECT_EQ(c.export_file_max_size_mb, 10u);
  EXPECT_EQ(c.export_file_max_backups, 5u);
  EXPECT_EQ(c.export_file_perm, 0600u);
  EXPECT_TRUE(c.export_stdout);
  EXPECT_EQ(c.output, OutputFormat::kJson);
  EXPECT_EQ(c.color, ColorMode::kAuto);
  EXPECT_EQ(c.rb_size, 8u << 20);
  EXPECT_EQ(c.rb_queue_size, 16u << 20);
  EXPECT_EQ(c.process_cache_size, 65536u);
  EXPECT_EQ(c.execve_map_entries, 32768u);
  EXPECT_EQ(c.args_max_size, 4096u);
  EXPECT_EQ(c.node_name, host());
  EXPECT_TRUE(c.enable_ancestors.empty());
  EXPECT_FALSE(c.enable_process_cred);
  EXPECT_FALSE(c.enable_process_ns);
  EXPECT_EQ(c.procfs, "/proc");
  EXPECT_EQ(c.stats_interval_seconds, 0u);
  EXPECT_EQ(c.log_level, log::Level::kInfo);
  EXPECT_EQ(c.config_file, "");
  EXPECT_FALSE(c.help);
}

// The table's default text and AgentConfig's member initializers must agree.
TEST(AgentConfig, TableDefaultsMatchStruct) {
  AgentConfig c;
  c.export_stdout = false;  // make sure the defaults really get applied
  c.rb_size = 1;
  for (const OptionSpec& spec : agent_options()) {
    SCOPED_TRACE(spec.name);
    EXPECT_OK(spec.set(c, spec.default_value));
  }
  EXPECT_TRUE(c == AgentConfig{});
}

TEST(AgentConfig, TableNamesAreUniqueAndFindable) {
  for (const OptionSpec& spec : agent_options()) {
    EXPECT_EQ(find_option(spec.name), &spec) << spec.name;
    EXPECT_NE(std::string(spec.help), "");
  }
  EXPECT_EQ(find_option("nope"), nullptr);
}

TEST(AgentConfig, SpaceAndEqualsForms) {
  auto r = parse_agent_config({"--rb-size", "16M", "--export-filename=/tmp/x.log", "--output",
                               "compact", "--color=never", "--node-name", "n1"});
  ASSERT_OK(r);
  EXPECT_EQ(r->rb_size, 16u << 20);
  EXPECT_EQ(r->export_filename, "/tmp/x.log");
  EXPECT_EQ(r->output, OutputFormat::kCompact);
  EXPECT_EQ(r->color, ColorMode::kNever);
  EXPECT_EQ(r->node_name, "n1");
}

TEST(AgentConfig, EveryValueOption) {
  auto r = parse_agent_config(
      {"--export-file-max-size-mb=100", "--export-file-max-backups=0", "--export-file-perm=0640",
       "--rb-queue-size=64K", "--process-cache-size=10", "--execve-map-entries=1024",
       "--args-max-size=64", "--procfs=/host/proc", "--stats-interval=5m", "--log-level=debug",
       "--color=always"});
  ASSERT_OK(r);
  EXPECT_EQ(r->export_file_max_size_mb, 100u);
  EXPECT_EQ(r->export_file_max_backups, 0u);
  EXPECT_EQ(r->export_file_perm, 0640u);
  EXPECT_EQ(r->rb_queue_size, 64u << 10);
  EXPECT_EQ(r->process_cache_size, 10u);
  EXPECT_EQ(r->execve_map_entries, 1024u);
  EXPECT_EQ(r->args_max_size, 64u);
  EXPECT_EQ(r->procfs, "/host/proc");
  EXPECT_EQ(r->stats_interval_seconds, 300u);
  EXPECT_EQ(r->log_level, log::Level::kDebug);
  EXPECT_EQ(r->color, ColorMode::kAlways);
  EXPECT_EQ(parse_agent_config({"--log-level=warning"})->log_level, log::Level::kWarn);
  EXPECT_EQ(parse_agent_config({"--log-level", "error"})->log_level, log::Level::kError);
}

TEST(AgentConfig, BooleanForms) {
  auto r = parse_agent_config({"--enable-process-cred", "--enable-process-ns=true",
                               "--export-stdout=false"});
  ASSERT_OK(r);
  EXPECT_TRUE(r->enable_process_cred);
  EXPECT_TRUE(r->enable_process_ns);
  EXPECT_FALSE(r->export_stdout);
  EXPECT_FALSE(parse_agent_config({"--enable-process-ns=0"})->enable_process_ns);
  EXPECT_TRUE(parse_agent_config({"--enable-process-ns=YES"})->enable_process_ns);
  EXPECT_TRUE(parse_agent_config({"--help"})->help);
  EXPECT_TRUE(parse_agent_config({"-h"})->help);
}

TEST(AgentConfig, LaterFlagWins) {
  auto r = parse_agent_config({"--rb-size=4K", "--rb-size", "1G"});
  ASSERT_OK(r);
  EXPECT_EQ(r->rb_size, 1u << 30);
}

TEST(AgentConfig, Ancestors) {
  auto r = parse_agent_config({"--enable-ancestors", "kprobe, base,lsm,kprobe,loader"});
  ASSERT_OK(r);
  EXPECT_EQ(r->enable_ancestors, (std::vector<std::string>{"base", "kprobe", "lsm", "loader"}));
  EXPECT_TRUE(ancestors_enabled(*r, "lsm"));
  EXPECT_FALSE(ancestors_enabled(*r, "uprobe"));
  EXPECT_OK(parse_agent_config({"--enable-ancestors=base,kprobe,tracepoint,uprobe,lsm,usdt,loader"}));
  auto empty = parse_agent_config({"--enable-ancestors="});
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->enable_ancestors.empty());
  EXPECT_ERR(parse_agent_config({"--enable-ancestors=base,kprobes"}), EINVAL,
             "^--enable-ancestors: unknown event type 'kprobes' \\(allowed: base,kprobe,");
  EXPECT_ERR(parse_agent_config({"--enable-ancestors=kprobe"}), EINVAL,
             "^--enable-ancestors: 'kprobe' requires 'base'");
}

TEST(AgentConfig, UnknownFlagSuggestsClosest) {
  EXPECT_ERR(parse_agent_config({"--rb-sise=8M"}), EINVAL,
             "^unknown flag --rb-sise \\(did you mean --rb-size\\?\\)$");
  EXPECT_ERR(parse_agent_config({"--export-file-name", "x"}), EINVAL,
             "^unknown flag --export-file-name \\(did you mean --export-filename\\?\\)$");
  EXPECT_ERR(parse_agent_config({"--foo"}), EINVAL, "^unknown flag --foo$");
  EXPECT_ERR(parse_agent_config({"-rb-size", "8M"}), EINVAL,
             "^unknown flag -rb-size \\(did you mean --rb-size\\?\\)$");
}

TEST(AgentConfig, UnexpectedPositional) {
  EXPECT_ERR(parse_agent_config({"run"}), EINVAL, "^unexpected argument 'run'$");
  EXPECT_ERR(parse_agent_config({"--export-stdout", "false"}), EINVAL,
             "^unexpected argument 'false' \\(boolean flags take their value after '=': "
             "--export-stdout=false\\)$");
}

TEST(AgentConfig, MissingValue) {
  EXPECT_ERR(parse_agent_config({"--rb-size"}), EINVAL, "^--rb-size: missing value$");
  EXPECT_ERR(parse_agent_config({"--node-name", "--procfs", "/p"}), EINVAL,
             "^--node-name: missing value$");
}

TEST(AgentConfig, BadNumbers) {
  EXPECT_ERR(parse_agent_config({"--rb-size", "abc"}), EINVAL, "^--rb-size: 'abc' is not a size");
  EXPECT_ERR(parse_agent_config({"--rb-size=8X"}), EINVAL, "^--rb-size: '8X' is not a size");
  EXPECT_ERR(parse_agent_config({"--process-cache-size=-1"}), EINVAL,
             "^--process-cache-size: '-1' is not a number$");
  EXPECT_ERR(parse_agent_config({"--args-max-size=4k"}), EINVAL,
             "^--args-max-size: '4k' is not a number$");
  EXPECT_ERR(parse_agent_config({"--stats-interval=soon"}), EINVAL,
             "^--stats-interval: 'soon' is not a duration");
  EXPECT_ERR(parse_agent_config({"--export-file-perm=rw"}), EINVAL,
             "^--export-file-perm: 'rw' is not an octal file mode");
  EXPECT_ERR(parse_agent_config({"--export-file-perm=680"}), EINVAL, "is not an octal file mode");
  EXPECT_ERR(parse_agent_config({"--enable-process-ns=maybe"}), EINVAL,
             "^--enable-process-ns: 'maybe' is not a boolean");
}

TEST(AgentConfig, OutOfRange) {
  EXPECT_ERR(parse_agent_config({"--rb-size=2G"}), ERANGE,
             "^--rb-size: '2G' is out of range \\(allowed 4K\\.\\.1G\\)$");
  EXPECT_ERR(parse_agent_config({"--rb-size=1024"}), ERANGE, "allowed 4K\\.\\.1G");
  EXPECT_ERR(parse_agent_config({"--rb-size=99999999999999999999999"}), ERANGE, "out of range");
  EXPECT_ERR(parse_agent_config({"--rb-size=17179869184G"}), ERANGE, "out of range");
  EXPECT_ERR(parse_agent_config({"--process-cache-size=0"}), ERANGE,
             "^--process-cache-size: '0' is out of range \\(allowed 1\\.\\.16777216\\)$");
  EXPECT_ERR(parse_agent_config({"--args-max-size=16385"}), ERANGE, "allowed 64\\.\\.16384");
  EXPECT_ERR(parse_agent_config({"--args-max-size=63"}), ERANGE, "allowed 64\\.\\.16384");
  EXPECT_ERR(parse_agent_config({"--export-file-max-size-mb=0"}), ERANGE, "out of range");
  EXPECT_ERR(parse_agent_config({"--export-file-perm=1777"}), ERANGE, "allowed 000\\.\\.777");
  EXPECT_ERR(parse_agent_config({"--stats-interval=2d"}), EINVAL, "not a duration");
  EXPECT_ERR(parse_agent_config({"--stats-interval=25h"}), ERANGE, "allowed 0s\\.\\.86400s");
  EXPECT_ERR(parse_agent_config({"--rb-queue-size=2G"}), ERANGE, "allowed 4K\\.\\.1G");
}

TEST(AgentConfig, RingBufferMustBePowerOfTwo) {
  EXPECT_ERR(parse_agent_config({"--rb-size=12K"}), EINVAL,
             "^--rb-size: '12K' \\(12288\\) is not a power of two \\(allowed 4K\\.\\.1G");
  EXPECT_OK(parse_agent_config({"--rb-size=4096"}));
  EXPECT_OK(parse_agent_config({"--rb-size=64KiB"}));
  EXPECT_OK(parse_agent_config({"--rb-queue-size=12K"}));  // the queue need not be
}

TEST(AgentConfig, BadEnum) {
  EXPECT_ERR(parse_agent_config({"--output=yaml"}), EINVAL,
             "^--output: 'yaml' is not one of json\\|compact$");
  EXPECT_ERR(parse_agent_config({"--color", "sometimes"}), EINVAL,
             "^--color: 'sometimes' is not one of auto\\|always\\|never$");
  EXPECT_ERR(parse_agent_config({"--log-level=trace"}), EINVAL,
             "^--log-level: 'trace' is not one of debug\\|info\\|warn\\|error$");
}

TEST(AgentConfig, ConfigFileFlagErrors) {
  EXPECT_ERR(parse_agent_config({"--config-file", "/nonexistent/octagon.yaml"}), ENOENT,
             "^cannot open config file /nonexistent/octagon.yaml$");
  EXPECT_ERR(parse_agent_config({"--config-file"}), EINVAL, "^--config-file: missing value$");
}

TEST(AgentConfig, UsageListsEveryOption) {
  const std::string text = usage();
  for (const OptionSpec& spec : agent_options()) {
    EXPECT_NE(text.find(std::string("--") + spec.name), std::string::npos) << spec.name;
  }
  EXPECT_NE(text.find("--rb-size SIZE"), std::string::npos);
  EXPECT_NE(text.find("(default 8M)"), std::string::npos);
  EXPECT_NE(text.find("(default \"/proc\")"), std::string::npos);
  EXPECT_NE(text.find("(default json)"), std::string::npos);
  for (size_t start = 0, end; start < text.size(); start = end + 1) {
    end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    EXPECT_LE(end - start, 100u) << text.substr(start, end - start);
  }
}

}  // namespace
}  // namespace octagon::daemon
