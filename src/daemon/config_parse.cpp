// Command-line and YAML front ends of the option table. yaml-cpp throws; its exceptions are
// caught here and become Errors with file:line:column, so nothing escapes parse_agent_config.
#include <octagon/base/fd.h>
#include <octagon/daemon/config.h>
#include <octagon/daemon/config_tls.h>
#include <octagon/daemon/option_values.h>

#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <set>

namespace octagon::daemon {
namespace {

constexpr size_t kMaxConfigFileBytes = 4u << 20;

// " (did you mean --rb-size?)" for flags, " (did you mean 'rb-size'?)" for YAML keys.
std::string suggestion(std::string_view name, const char* before, const char* after) {
  std::vector<std::string_view> names;
  for (const OptionSpec& spec : agent_options()) names.emplace_back(spec.name);
  std::string_view best = closest_name(name, names);
  if (best.empty()) return "";
  return std::string(" (did you mean ") + before + std::string(best) + after + "?)";
}

Unexpected prefixed(const Error& e, const std::string& prefix) {
  return make_error(e.code(), prefix + ": " + e.message());
}

// ---- YAML ----

std::string where(const std::string& path, const YAML::Mark& mark) {
  if (mark.is_null()) return path;
  return path + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

const char* kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a sequence";
    case YAML::NodeType::Null: return "null";
    default: return "a scalar";
  }
}

// The text form of a YAML value for `spec`: a scalar, or for list options also a sequence of
// scalars (joined with commas).
Result<std::string> value_text(const OptionSpec& spec, const YAML::Node& value,
                               const std::string& loc) {
  if (value.IsScalar()) return value.Scalar();
  if (value.IsSequence() && spec.type == OptionType::kList) {
    std::string joined;
    for (const YAML::Node& item : value) {
      if (!item.IsScalar()) {
        return make_error(EINVAL, where(loc, item.Mark()) + ": " + spec.name +
                                      ": list items must be scalars, got " + kind(item));
      }
      joined += (joined.empty() ? "" : ",") + item.Scalar();
    }
    return joined;
  }
  std::string expected = spec.type == OptionType::kList ? "a scalar or a sequence" : "a scalar";
  if (value.IsNull()) expected += " (write \"\" for an empty value)";
  return make_error(EINVAL, where(loc, value.Mark()) + ": " + spec.name + ": expected " +
                                expected + ", got " + kind(value));
}

Result<std::string> read_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return make_error(errno, "cannot open config file " + path);
  std::string text;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(errno, "cannot read config file " + path);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxConfigFileBytes) {
      return make_error(EFBIG, "config file " + path + " is larger than " +
                                   format_size(kMaxConfigFileBytes));
    }
  }
  return text;
}

Result<void> apply_yaml(const std::string& path, const YAML::Node& root, AgentConfig& config) {
  if (!root || root.IsNull()) return ok();  // empty file: nothing to apply
  if (!root.IsMap()) {
    return make_error(EINVAL, where(path, root.Mark()) +
                                  ": the top level must be a mapping of option names to values, "
                                  "got " + kind(root));
  }
  std::set<std::string> seen;
  for (const auto& kv : root) {
    const std::string loc = where(path, kv.first.Mark());
    if (!kv.first.IsScalar()) return make_error(EINVAL, loc + ": keys must be option names");
    const std::string& name = kv.first.Scalar();
    const OptionSpec* spec = find_option(name);
    if (spec == nullptr) {
      return make_error(EINVAL, loc + ": unknown key '" + name + "'" + suggestion(name, "'", "'"));
    }
    if (spec->cli_only) {
      return make_error(EINVAL, loc + ": '" + name + "' is only accepted on the command line");
    }
    if (!seen.insert(name).second) return make_error(EINVAL, loc + ": duplicate key '" + name + "'");
    OCTAGON_ASSIGN_OR_RETURN(std::string text, value_text(*spec, kv.second, path));
    Result<void> r = spec->set(config, text);
    if (!r) return prefixed(r.error(), where(path, kv.second.Mark()) + ": " + name);
  }
  return ok();
}

// ---- command line ----

struct FlagValue {
  const OptionSpec* spec;
  std::string value;
};

bool is_bool_literal(std::string_view s) { return static_cast<bool>(parse_bool(s)); }

Result<std::vector<FlagValue>> tokenize(const std::vector<std::string>& args) {
  std::vector<FlagValue> flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h") {
      flags.push_back({find_option("help"), "true"});
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      std::string msg = "unexpected argument '" + arg + "'";
      const FlagValue* prev = flags.empty() ? nullptr : &flags.back();
      if (prev != nullptr && prev->spec->type == OptionType::kBool && is_bool_literal(arg) &&
          i > 0 && args[i - 1].find('=') == std::string::npos) {
        msg += std::string(" (boolean flags take their value after '=': --") + prev->spec->name +
               "=" + arg + ")";
      }
      return make_error(EINVAL, msg);
    }
    const size_t dashes = arg.compare(0, 2, "--") == 0 ? 2 : 1;
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(dashes, eq == std::string::npos ? eq : eq - dashes);
    const OptionSpec* spec = dashes == 2 ? find_option(name) : nullptr;
    if (spec == nullptr) {
      return make_error(EINVAL, "unknown flag " + arg.substr(0, eq) + suggestion(name, "--", ""));
    }
    if (eq != std::string::npos) {
      flags.push_back({spec, arg.substr(eq + 1)});
    } else if (spec->type == OptionType::kBool) {
      flags.push_back({spec, "true"});
    } else if (i + 1 >= args.size() ||
               (args[i + 1].size() > 2 && args[i + 1].compare(0, 2, "--") == 0)) {
      return make_error(EINVAL, "--" + name + ": missing value");
    } else {
      flags.push_back({spec, args[++i]});
    }
  }
  return flags;
}

std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

}  // namespace

Result<void> apply_config_file(const std::string& path, AgentConfig& config) {
  OCTAGON_ASSIGN_OR_RETURN(std::string text, read_file(path));
  try {
    return apply_yaml(path, YAML::Load(text), config);
  } catch (const YAML::Exception& e) {
    return make_error(EINVAL, where(path, e.mark) + ": invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return make_error(EINVAL, path + ": " + e.what());
  }
}

Result<AgentConfig> parse_agent_config(const std::vector<std::string>& args) {
  try {
    OCTAGON_ASSIGN_OR_RETURN(std::vector<FlagValue> flags, tokenize(args));
    AgentConfig config;
    // The file first (the last --config-file wins), then every flag on top of it.
    const OptionSpec* file_spec = find_option("config-file");
    for (const FlagValue& f : flags) {
      if (f.spec == file_spec) config.config_file = f.value;
    }
    if (!config.config_file.empty()) OCTAGON_TRY(apply_config_file(config.config_file, config));
    for (const FlagValue& f : flags) {
      Result<void> r = f.spec->set(config, f.value);
      if (!r) return prefixed(r.error(), std::string("--") + f.spec->name);
    }
    if (config.node_name.empty()) config.node_name = hostname();
    if (!config.help) OCTAGON_TRY(check_server_tls(config));
    return config;
  } catch (const std::exception& e) {  // std::bad_alloc and the like: never throw out
    return make_error(ENOMEM, std::string("parsing agent flags: ") + e.what());
  }
}

}  // namespace octagon::daemon
