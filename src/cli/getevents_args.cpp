#include <octagon/cli/getevents.h>

#include <cctype>
#include <cerrno>

#include <octagon/api/server.h>
#include <octagon/cli/client.h>

namespace octagon::cli {
namespace {

std::vector<std::string> split_commas(const std::string& v) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= v.size()) {
    size_t comma = v.find(',', pos);
    if (comma == std::string::npos)
      comma = v.size();
    if (comma > pos)
      out.push_back(v.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

} // namespace

std::string getevents_usage() {
  return "Usage: octagon getevents [flags]\n\n"
         "Print events from the agent's gRPC API; when stdin is a pipe or a file, print the JSON\n"
         "events read from it instead (e.g. octagon getevents -o compact < events.log).\n\nFlags:\n"
         "  -o, --output json|compact   output format (default json)\n"
         "      --server-address ADDR   agent gRPC address (default " +
         std::string(api::kDefaultServerAddress) +
         ")\n"
         "  -e, --event-types LIST      event types, e.g. PROCESS_EXEC,PROCESS_EXIT\n"
         "      --process REGEX         binary regex (repeatable, comma-separated)\n"
         "      --pod REGEX             pod name regex\n"
         "  -n, --namespace NS          pod namespace (\"\" = host processes)\n"
         "      --policy-names LIST     tracing policy names\n"
         "  -f, --include-fields LIST   only these fields, e.g. process.binary,parent.binary\n"
         "  -F, --exclude-fields LIST   without these fields\n"
         "      --timestamps            prefix compact lines with the event time\n"
         "      --color auto|always|never  compact colours (auto: only on a terminal)\n"
         "      --reconnect             reconnect when the stream breaks\n"
         "      --reconnect-wait SECS   wait between reconnects (default 2)\n"
         "  -h, --help                  print this help\n\n" +
         std::string(tls_flags_help());
}

Result<GetEventsOptions> parse_getevents_args(const std::vector<std::string>& args) {
  GetEventsOptions o;
  o.server_address = api::kDefaultServerAddress;
  for (size_t i = 0; i < args.size(); i++) {
    std::string flag = args[i];
    std::string value;
    bool has_value = false;
    if (flag.rfind("--", 0) == 0) {
      if (auto eq = flag.find('='); eq != std::string::npos) {
        value = flag.substr(eq + 1);
        flag.resize(eq);
        has_value = true;
      }
    }
    auto need = [&]() -> Result<std::string> {
      if (has_value)
        return value;
      if (i + 1 >= args.size())
        return make_error(EINVAL, flag + ": missing value");
      return args[++i];
    };
    auto list = [&](std::vector<std::string>& out) -> Result<void> {
      OCTAGON_ASSIGN_OR_RETURN(std::string v, need());
      for (auto& s : split_commas(v))
        out.push_back(s);
      return ok();
    };
    if (flag == "-h" || flag == "--help") {
      o.help = true;
    } else if (flag == "-o" || flag == "--output") {
      OCTAGON_ASSIGN_OR_RETURN(std::string v, need());
      if (v != "json" && v != "compact")
        return make_error(EINVAL, flag + ": '" + v + "' is not json or compact");
      o.compact = v == "compact";
    } else if (flag == "--server-address") {
      OCTAGON_ASSIGN_OR_RETURN(o.server_address, need());
    } else if (flag == "-e" || flag == "--event-types") {
      std::vector<std::string> names;
      OCTAGON_TRY(list(names));
      for (std::string n : names) {
        for (char& c : n)
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        tetragon::EventType t;
        if (!tetragon::EventType_Parse(n, &t) || t == tetragon::UNDEF)
          return make_error(EINVAL, flag + ": unknown event type '" + n +
                                        "' (e.g. PROCESS_EXEC, PROCESS_EXIT, PROCESS_KPROBE)");
        o.event_types.push_back(t);
      }
    } else if (flag == "--process") {
      OCTAGON_TRY(list(o.process_regex));
    } else if (flag == "--pod") {
      OCTAGON_TRY(list(o.pod_regex));
    } else if (flag == "-n" || flag == "--namespace") {
      OCTAGON_ASSIGN_OR_RETURN(std::string v, need());
      o.namespaces.push_back(v); // may be "" (host processes)
    } else if (flag == "--policy-names") {
      OCTAGON_TRY(list(o.policy_names));
    } else if (flag == "-f" || flag == "--include-fields") {
      OCTAGON_TRY(list(o.include_fields));
    } else if (flag == "-F" || flag == "--exclude-fields") {
      OCTAGON_TRY(list(o.exclude_fields));
    } else if (flag == "--timestamps") {
      o.timestamps = true;
    } else if (flag == "--reconnect") {
      o.reconnect = true;
    } else if (flag == "--reconnect-wait") {
      OCTAGON_ASSIGN_OR_RETURN(std::string v, need());
      char* end = nullptr;
      unsigned long n = std::strtoul(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n > 3600)
        return make_error(EINVAL, flag + ": '" + v + "' is not a number of seconds (0..3600)");
      o.reconnect_wait_s = static_cast<unsigned>(n);
    } else if (flag == "--color") {
      OCTAGON_ASSIGN_OR_RETURN(std::string v, need());
      if (v == "auto")
        o.color = GetEventsOptions::Color::kAuto;
      else if (v == "always")
        o.color = GetEventsOptions::Color::kAlways;
      else if (v == "never")
        o.color = GetEventsOptions::Color::kNever;
      else
        return make_error(EINVAL, flag + ": '" + v + "' is not auto, always or never");
    } else {
      return make_error(EINVAL, "unknown flag '" + flag + "'");
    }
  }
  return o;
}

tetragon::GetEventsRequest build_request(const GetEventsOptions& o) {
  tetragon::GetEventsRequest req;
  auto field_filter = [&](const std::vector<std::string>& fields, tetragon::FieldFilterAction a) {
    if (fields.empty())
      return;
    auto* ff = req.add_field_filters();
    ff->set_action(a);
    for (const auto& f : fields)
      ff->mutable_fields()->add_paths(f);
  };
  field_filter(o.include_fields, tetragon::INCLUDE);
  field_filter(o.exclude_fields, tetragon::EXCLUDE);
  if (o.event_types.empty() && o.process_regex.empty() && o.pod_regex.empty() &&
      o.namespaces.empty() && o.policy_names.empty())
    return req;
  tetragon::Filter* f = req.add_allow_list();
  for (int t : o.event_types)
    f->add_event_set(static_cast<tetragon::EventType>(t));
  for (const auto& s : o.process_regex)
    f->add_binary_regex(s);
  for (const auto& s : o.pod_regex)
    f->add_pod_regex(s);
  for (const auto& s : o.namespaces)
    f->add_namespace_(s);
  for (const auto& s : o.policy_names)
    f->add_policy_names(s);
  return req;
}

} // namespace octagon::cli
