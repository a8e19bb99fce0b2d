#include <octagon/cli/getevents.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <thread>

#include <google/protobuf/util/json_util.h>

#include <octagon/api/event_filter.h>
#include <octagon/api/field_filter.h>
#include <octagon/api/proto_to_event.h>
#include <octagon/cli/client.h>
#include <octagon/exporters/json/compact_encoder.h>

namespace octagon::cli {
namespace {

// Prints events in the chosen format; one encoder per node name (the compact "source").
class Printer {
public:
  explicit Printer(const GetEventsOptions& o)
      : o_(o), color_(o.color == GetEventsOptions::Color::kAlways ||
                      (o.color == GetEventsOptions::Color::kAuto && isatty(STDOUT_FILENO))) {}

  // `raw_json`: the line the event was parsed from (stdin), printed as is for -o json.
  void print(const tetragon::GetEventsResponse& e, const std::string* raw_json) {
    line_.clear();
    if (!o_.compact) {
      if (raw_json) {
        line_ = *raw_json;
      } else {
        google::protobuf::util::JsonPrintOptions po;
        po.preserve_proto_field_names = true;
        (void)google::protobuf::util::MessageToJsonString(e, &line_, po);
      }
      line_ += '\n';
    } else {
      if (!encoder_ || node_ != e.node_name()) {
        node_ = e.node_name();
        encoder_.emplace(node_, o_.timestamps, color_, true);
      }
      if (!proto_event_.encode(e, *encoder_, line_))
        return; // kind without a compact form
    }
    fwrite(line_.data(), 1, line_.size(), stdout);
    fflush(stdout);
  }

private:
  const GetEventsOptions& o_;
  bool color_;
  std::string node_;
  std::optional<exporters::CompactEncoder> encoder_;
  api::ProtoEvent proto_event_;
  std::string line_;
};

bool stdin_has_events() {
  struct stat st {};
  if (fstat(STDIN_FILENO, &st) != 0)
    return false;
  return S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode);
}

int from_stdin(const GetEventsOptions& o) {
  auto req = build_request(o);
  auto filter = api::EventFilter::create(req.allow_list(), req.deny_list());
  auto fields = api::FieldFilters::create(req.field_filters());
  if (!filter || !fields) {
    const Error& err = !filter ? filter.error() : fields.error();
    fprintf(stderr, "octagon getevents: %s\n", terminal_safe(err.message()).c_str());
    return 2;
  }
  Printer printer(o);
  google::protobuf::util::JsonParseOptions jo;
  jo.ignore_unknown_fields = true;
  std::string line;
  size_t lineno = 0, bad = 0;
  while (std::getline(std::cin, line)) {
    ++lineno;
    if (line.empty())
      continue;
    tetragon::GetEventsResponse e;
    if (!google::protobuf::util::JsonStringToMessage(line, &e, jo).ok()) {
      if (bad++ == 0)
        fprintf(stderr,
                "octagon getevents: stdin line %zu is not a JSON event; skipping such lines\n",
                lineno);
      continue;
    }
    if (!filter->matches(e))
      continue;
    if (fields->empty()) {
      printer.print(e, &line);
    } else {
      fields->apply(e);
      printer.print(e, nullptr); // re-encoded: the line no longer matches the event
    }
  }
  return 0;
}

// One stream; returns its final status (OK only if the server ended it cleanly).
grpc::Status stream_once(const GetEventsOptions& o, Printer& printer, bool& got_any) {
  grpc::ClientContext ctx;
  auto stub = make_stream_stub(o.server_address, ctx);
  auto reader = stub->GetEvents(&ctx, build_request(o));
  tetragon::GetEventsResponse e;
  while (reader->Read(&e)) {
    got_any = true;
    printer.print(e, nullptr);
  }
  return reader->Finish();
}

} // namespace

int run_getevents(const std::vector<std::string>& args) {
  auto o = parse_getevents_args(args);
  if (!o) {
    fprintf(stderr, "octagon getevents: %s\n", terminal_safe(o.error().message()).c_str());
    fprintf(stderr, "Run 'octagon getevents --help' for the list of flags.\n");
    return 2;
  }
  if (o->help) {
    fputs(getevents_usage().c_str(), stdout);
    return 0;
  }
  if (stdin_has_events())
    return from_stdin(*o);
  Printer printer(*o);
  for (;;) {
    bool got_any = false;
    grpc::Status s = stream_once(*o, printer, got_any);
    const bool request_error = s.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
                               s.error_code() == grpc::StatusCode::UNIMPLEMENTED;
    if (!o->reconnect || request_error) {
      if (s.ok())
        return 0;
      fprintf(stderr, "octagon getevents: %s\n", describe_status(s, o->server_address).c_str());
      return 1;
    }
    fprintf(stderr, "octagon getevents: %s; reconnecting in %us\n",
            s.ok() ? "stream ended" : describe_status(s, o->server_address).c_str(),
            o->reconnect_wait_s);
    std::this_thread::sleep_for(std::chrono::seconds(o->reconnect_wait_s));
  }
}

} // namespace octagon::cli
