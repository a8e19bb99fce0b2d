// YAML side of the agent option table: values, precedence, and errors with file:line:column.
#include <octagon/daemon/config.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "test_helpers.h"

namespace octagon::daemon {
namespace {

class AgentConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/octagon-config-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& text, const std::string& name = "octagon.yaml") {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  Result<AgentConfig> parse_file(const std::string& text, std::vector<std::string> flags = {}) {
    std::vector<std::string> args = {"--config-file", write(text)};
    args.insert(args.end(), flags.begin(), flags.end());
    return parse_agent_config(args);
  }

  std::string dir_;
};

TEST_F(AgentConfigFile, AppliesEveryKind) {
  auto r = parse_file(
      "# Tetragon-style config\n"
      "export-filename: /var/log/octagon/events.log\n"
      "export-file-max-size-mb: 50\n"
      "export-file-max-backups: 3\n"
      "export-file-perm: 640\n"
      "export-stdout: false\n"
      "output: compact\n"
      "color: never\n"
      "rb-size: 16M\n"
      "rb-queue-size: \"32M\"\n"
      "process-cache-size: 1000\n"
      "execve-map-entries: 2048\n"
      "args-max-size: 8192\n"
      "node-name: node-a\n"
      "enable-ancestors: [base, kprobe]\n"
      "enable-process-cred: true\n"
      "enable-process-ns: yes\n"
      "procfs: /host/proc\n"
      "stats-interval: 30s\n"
      "log-level: warn\n");
  ASSERT_OK(r);
  EXPECT_EQ(r->export_filename, "/var/log/octagon/events.log");
  EXPECT_EQ(r->export_file_max_size_mb, 50u);
  EXPECT_EQ(r->export_file_max_backups, 3u);
  EXPECT_EQ(r->export_file_perm, 0640u);
  EXPECT_FALSE(r->export_stdout);
  EXPECT_EQ(r->output, OutputFormat::kCompact);
  EXPECT_EQ(r->color, ColorMode::kNever);
  EXPECT_EQ(r->rb_size, 16u << 20);
  EXPECT_EQ(r->rb_queue_size, 32u << 20);
  EXPECT_EQ(r->process_cache_size, 1000u);
  EXPECT_EQ(r->execve_map_entries, 2048u);
  EXPECT_EQ(r->args_max_size, 8192u);
  EXPECT_EQ(r->node_name, "node-a");
  EXPECT_EQ(r->enable_ancestors, (std::vector<std::string>{"base", "kprobe"}));
  EXPECT_TRUE(r->enable_process_cred);
  EXPECT_TRUE(r->enable_process_ns);
  EXPECT_EQ(r->procfs, "/host/proc");
  EXPECT_EQ(r->stats_interval_seconds, 30u);
  EXPECT_EQ(r->log_level, log::Level::kWarn);
  EXPECT_EQ(r->config_file, dir_ + "/octagon.yaml");
}

TEST_F(AgentConfigFile, ListAsCommaString) {
  auto r = parse_file("enable-ancestors: \"base,lsm\"\n");
  ASSERT_OK(r);
  EXPECT_EQ(r->enable_ancestors, (std::vector<std::string>{"base", "lsm"}));
}

TEST_F(AgentConfigFile, FlagsOverrideFile) {
  // The flag comes first on the command line but still wins over the file.
  std::string path = write("rb-size: 16M\nnode-name: from-file\nexport-stdout: false\n");
  auto r = parse_agent_config({"--rb-size=32M", "--config-file", path, "--export-stdout"});
  ASSERT_OK(r);
  EXPECT_EQ(r->rb_size, 32u << 20);
  EXPECT_EQ(r->node_name, "from-file");
  EXPECT_TRUE(r->export_stdout);
}

TEST_F(AgentConfigFile, EmptyFileAndCommentsOnly) {
  auto r = parse_file("");
  ASSERT_OK(r);
  EXPECT_EQ(r->rb_size, 8u << 20);
  EXPECT_OK(parse_file("# nothing here\n"));
}

TEST_F(AgentConfigFile, UnknownKeyWithPosition) {
  EXPECT_ERR(parse_file("rb-size: 8M\n  \nrb-sise: 16M\n"), EINVAL,
             "octagon\\.yaml:3:1: unknown key 'rb-sise' \\(did you mean 'rb-size'\\?\\)$");
  EXPECT_ERR(parse_file("colour_scheme: dark\n"), EINVAL,
             "octagon\\.yaml:1:1: unknown key 'colour_scheme'$");
}

TEST_F(AgentConfigFile, WrongTypes) {
  EXPECT_ERR(parse_file("rb-size:\n  value: 8M\n"), EINVAL,
             "octagon\\.yaml:2:3: rb-size: expected a scalar, got a mapping$");
  EXPECT_ERR(parse_file("node-name: [a, b]\n"), EINVAL,
             "octagon\\.yaml:1:12: node-name: expected a scalar, got a sequence$");
  EXPECT_ERR(parse_file("procfs:\n"), EINVAL,
             "procfs: expected a scalar \\(write \"\" for an empty value\\), got null$");
  EXPECT_ERR(parse_file("enable-ancestors: [base, [kprobe]]\n"), EINVAL,
             "octagon\\.yaml:1:26: enable-ancestors: list items must be scalars, got a sequence$");
  EXPECT_ERR(parse_file("- rb-size\n- 8M\n"), EINVAL,
             "octagon\\.yaml:1:1: the top level must be a mapping of option names to values, got a "
             "sequence$");
  EXPECT_ERR(parse_file("just a string\n"), EINVAL, "top level must be a mapping");
  EXPECT_ERR(parse_file("[1, 2]: x\n"), EINVAL, "octagon\\.yaml:1:1: keys must be option names$");
}

TEST_F(AgentConfigFile, BadValuesCarryPosition) {
  EXPECT_ERR(parse_file("log-level: info\nrb-size: abc\n"), EINVAL,
             "octagon\\.yaml:2:10: rb-size: 'abc' is not a size");
  EXPECT_ERR(parse_file("args-max-size: 99999\n"), ERANGE,
             "octagon\\.yaml:1:16: args-max-size: '99999' is out of range \\(allowed 64\\.\\.16384\\)$");
  EXPECT_ERR(parse_file("export-stdout: maybe\n"), EINVAL,
             "octagon\\.yaml:1:16: export-stdout: 'maybe' is not a boolean");
  EXPECT_ERR(parse_file("enable-ancestors: [base, kprob]\n"), EINVAL,
             "octagon\\.yaml:1:19: enable-ancestors: unknown event type 'kprob'");
}

TEST_F(AgentConfigFile, CliOnlyAndDuplicateKeys) {
  EXPECT_ERR(parse_file("config-file: /etc/other.yaml\n"), EINVAL,
             "octagon\\.yaml:1:1: 'config-file' is only accepted on the command line$");
  EXPECT_ERR(parse_file("help: true\n"), EINVAL, "'help' is only accepted on the command line");
  EXPECT_ERR(parse_file("rb-size: 8M\nrb-size: 16M\n"), EINVAL,
             "octagon\\.yaml:2:1: duplicate key 'rb-size'$");
}

TEST_F(AgentConfigFile, SyntaxErrorsHaveLineAndColumn) {
  EXPECT_ERR(parse_file("rb-size: 8M\nnode-name: a: b\n"), EINVAL,
             "octagon\\.yaml:2:13: invalid YAML: illegal map value$");
  EXPECT_ERR(parse_file("rb-size: 8M\n\tprocfs: x\n"), EINVAL,
             "octagon\\.yaml:2:1: invalid YAML: illegal tab when looking for indentation$");
  EXPECT_ERR(parse_file("rb-size: 8M\n- x\n"), EINVAL, "octagon\\.yaml:2:1: invalid YAML: ");
  EXPECT_ERR(parse_file("enable-ancestors: [base, kprobe\n"), EINVAL,
             "octagon\\.yaml:2:1: invalid YAML: end of sequence flow not found$");
  EXPECT_ERR(parse_file("x: &a\ny: *b\n"), EINVAL, "octagon\\.yaml:2:4: invalid YAML: ");
}

TEST_F(AgentConfigFile, UnreadableFiles) {
  EXPECT_ERR(parse_agent_config({"--config-file=" + dir_ + "/missing.yaml"}), ENOENT,
             "^cannot open config file .*/missing\\.yaml$");
  EXPECT_ERR(parse_agent_config({"--config-file", dir_}), EISDIR,
             "^cannot read config file /tmp/octagon-config-");
  if (geteuid() != 0) {  // root reads anything
    std::string path = write("rb-size: 8M\n", "secret.yaml");
    ASSERT_EQ(chmod(path.c_str(), 0), 0);
    EXPECT_ERR(parse_agent_config({"--config-file", path}), EACCES, "cannot open config file");
  }
}

TEST_F(AgentConfigFile, ApplyOnTopOfExistingConfig) {
  AgentConfig c;
  c.node_name = "keep";
  ASSERT_OK(apply_config_file(write("rb-size: 4K\n"), c));
  EXPECT_EQ(c.rb_size, 4096u);
  EXPECT_EQ(c.node_name, "keep");
}

}  // namespace
}  // namespace octagon::daemon
