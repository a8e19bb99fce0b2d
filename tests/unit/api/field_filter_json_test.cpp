// FieldFilters::apply_json (--field-filters on the JSON export): for each filter set, the
// filtered JSON line is the same object as the gRPC path (EventToProto + FieldFilters::apply +
// protobuf's JSON printer), and every kept byte is the encoder's own (field order, escaping).
#include <octagon/api/event_to_proto.h>
#include <octagon/api/field_filter.h>
#include <octagon/daemon/config.h>
#include <octagon/daemon/export_fields.h>
#include <octagon/exporters/json/json_encoder.h>

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "unit/exporters/process_fixtures.h"

namespace octagon::api {
namespace {

using nlohmann::json;
namespace fx = exporters::fixtures;

FieldFilters filters(const std::string& text) {
  auto r = daemon::parse_field_filters(text);
  EXPECT_TRUE(r.has_value()) << r.error().message();
  EXPECT_TRUE(r.has_value() && *r);
  return r && *r ? std::move(**r) : FieldFilters();
}

class FieldFilterJson : public ::testing::Test {
protected:
  FieldFilterJson() : enc_(fx::kDocNode, {true, true, true, true}), conv_(fx::kDocNode, {true, true, true, true}) {
    proc_ = fx::doc_curl();
    proc_.arguments = "https://example.com \"a b\" \xc3\xa9 \x1b";
    parent_ = fx::doc_bash();
    grand_ = fx::doc_bash();
    grand_.binary = "/sbin/init";
    enc_.set_boot_to_wall_ns(fx::kDocBootToWall);
    conv_.set_boot_to_wall_ns(fx::kDocBootToWall);
    exec_ = events::ExecEvent{&proc_, &parent_, {&grand_}, fx::kDocEventTime};
    kprobe_.process = &proc_;
    kprobe_.parent = &parent_;
    kprobe_.ancestors = {&grand_};
    kprobe_.policy_name = "p";
    kprobe_.function_name = "__x64_sys_openat";
    kprobe_.args.resize(2);
    kprobe_.args[0].kind = events::Argument::Kind::kInt, kprobe_.args[0].i = -5;
    kprobe_.args[1].kind = events::Argument::Kind::kFile, kprobe_.args[1].s = "/etc/shadow";
    kprobe_.args[1].permission = "-rw-r-----";
    kprobe_.time_ns = fx::kDocEventTime;
  }

  // Returns the filtered line; checks it against the protobuf path.
  template <typename Event> std::string expect_same(const Event& ev, const FieldFilters& ff) {
    std::string line, out;
    enc_.encode(ev, line);
    const bool changed = ff.apply_json(line, out);
    const std::string& filtered = changed ? out : line;

    tetragon::GetEventsResponse msg;
    EXPECT_TRUE(conv_.convert(ev, msg));
    ff.apply(msg);
    std::string pj;
    google::protobuf::util::JsonPrintOptions po;
    po.preserve_proto_field_names = true;
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(msg, &pj, po).ok());
    EXPECT_EQ(json::parse(filtered), json::parse(pj)) << "JSON line: " << filtered
                                                       << "protobuf:  " << pj;
    return filtered;
  }

  exporters::JsonEncoder enc_;
  EventToProto conv_;
  events::Process proc_, parent_, grand_;
  events::ExecEvent exec_;
  events::KprobeEvent kprobe_;
};

TEST_F(FieldFilterJson, IncludeProcessBinaryForExec) {
  FieldFilters ff =
      filters(R"J({"fields":"process.binary","event_set":["PROCESS_EXEC"],"action":"INCLUDE"})J");
  std::string out = expect_same(exec_, ff);
  EXPECT_EQ(out.substr(0, out.find(",\"node_name\"")),
            R"J({"process_exec":{"process":{"binary":"/usr/bin/curl"}})J")
      << out;
  EXPECT_EQ(out.back(), '\n');
  // The filter is for exec events: a kprobe line is left alone.
  std::string line, untouched;
  enc_.encode(kprobe_, line);
  EXPECT_FALSE(ff.apply_json(line, untouched));
  EXPECT_TRUE(untouched.empty());
}

TEST_F(FieldFilterJson, SameObjectsAsTheGrpcPath) {
  const char* sets[] = {
      R"J({"fields":"process.binary,parent","action":"INCLUDE"})J",
      R"J({"fields":"process.arguments,parent.pod,ancestors.binary","action":"EXCLUDE"})J",
      R"J({"fields":"ancestors.binary,process.pid,process.ns.mnt","action":"INCLUDE"})J",
      "{\"fields\":\"process\",\"action\":\"INCLUDE\"}\n"
      "{\"fields\":\"process.arguments,process.cap\",\"action\":\"EXCLUDE\"}",
      R"J({"fields":"process.startTime","event_set":["PROCESS_EXEC"],"invert_event_set":true})J",
      R"J({"fields":"args.file_arg.path,function_name","action":"INCLUDE"})J",
      R"J({"fields":"args.int_arg,process","action":"EXCLUDE"})J",
      R"J({"fields":"process.pid.value,parent.exec_id","action":"INCLUDE"})J",
  };
  for (const char* s : sets) {
    SCOPED_TRACE(s);
    FieldFilters ff = filters(s);
    expect_same(exec_, ff);
    expect_same(kprobe_, ff);
  }
}

TEST_F(FieldFilterJson, KeptBytesAreTheEncodersBytes) {
  std::string line;
  enc_.encode(exec_, line);
  FieldFilters ff = filters(R"J({"fields":"process.binary","action":"EXCLUDE"})J");
  std::string out;
  ASSERT_TRUE(ff.apply_json(line, out));
  // Removing "binary":"/usr/bin/curl", (and only that) from the encoder's line gives the output.
  const std::string member = "\"binary\":\"/usr/bin/curl\",";
  const size_t at = line.find(member);
  ASSERT_NE(at, std::string::npos) << line;
  EXPECT_EQ(out, line.substr(0, at) + line.substr(at + member.size()));
  // The escaped arguments are copied as the encoder wrote them.
  EXPECT_NE(out.find(R"(\"a b\")"), std::string::npos) << out;
}

TEST(FieldFilterJsonOption, BadValuesNameTheFlagLineAndCause) {
  auto err = [](const std::string& v) {
    auto r = daemon::parse_agent_config({"--field-filters", v});
    return r ? std::string("(no error)") : r.error().message();
  };
  std::string e = err(R"J({"fields":"process.binary"})J" "\n" R"J({"fields":"process.nope"})J");
  EXPECT_NE(e.find("--field-filters: line 2: field 'process.nope' is not in the events"),
            std::string::npos)
      << e;
  e = err(R"J({"fields":"process.binary","event_set":["NOT_AN_EVENT"]})J");
  EXPECT_NE(e.find("--field-filters: line 1: not a FieldFilter object"), std::string::npos) << e;
  e = err("\n{oops");
  EXPECT_NE(e.find("--field-filters: line 2: not a FieldFilter object"), std::string::npos) << e;
  e = err(R"J({"fields":"process.binary","actions":"INCLUDE"})J");
  EXPECT_NE(e.find("line 1"), std::string::npos) << e;
  EXPECT_NE(e.find("actions"), std::string::npos) << e;
  e = err(R"J({"action":"EXCLUDE"})J");
  EXPECT_NE(e.find("line 1: no fields"), std::string::npos) << e;
  auto good = daemon::parse_agent_config(
      {"--field-filters", R"J({"fields":"process.binary","event_set":["PROCESS_EXEC"]})J"});
  ASSERT_TRUE(good.has_value()) << good.error().message();
  EXPECT_EQ(good->field_filters, R"J({"fields":"process.binary","event_set":["PROCESS_EXEC"]})J");
}

} // namespace
} // namespace octagon::api
