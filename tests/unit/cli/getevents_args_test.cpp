// `octagon getevents` flag parsing and the request it builds.
#include <octagon/api/server.h>
#include <octagon/cli/getevents.h>

#include <gtest/gtest.h>

namespace octagon::cli {
namespace {

TEST(GetEventsArgs, DefaultsNeedNoFlags) {
  auto o = parse_getevents_args({});
  ASSERT_TRUE(o.has_value());
  EXPECT_FALSE(o->compact);
  EXPECT_EQ(o->server_address, api::kDefaultServerAddress);
  EXPECT_EQ(build_request(*o).allow_list_size(), 0);
}

TEST(GetEventsArgs, AllFlagsBuildOneAndFilter) {
  auto o = parse_getevents_args({"-o",
                                 "compact",
                                 "--server-address=unix:///tmp/x.sock",
                                 "-e",
                                 "process_exec,PROCESS_EXIT",
                                 "--process",
                                 "curl,wget",
                                 "--pod",
                                 "web",
                                 "-n",
                                 "",
                                 "--policy-names",
                                 "a",
                                 "--timestamps",
                                 "--color",
                                 "never",
                                 "--reconnect",
                                 "--reconnect-wait",
                                 "5",
                                 "-f",
                                 "process.binary,parent",
                                 "-F",
                                 "process.pid"});
  ASSERT_TRUE(o.has_value()) << o.error().message();
  EXPECT_TRUE(o->compact);
  EXPECT_EQ(o->server_address, "unix:///tmp/x.sock");
  EXPECT_TRUE(o->timestamps);
  EXPECT_TRUE(o->reconnect);
  EXPECT_EQ(o->reconnect_wait_s, 5u);
  EXPECT_EQ(o->color, GetEventsOptions::Color::kNever);
  auto r = build_request(*o);
  ASSERT_EQ(r.allow_list_size(), 1);
  const auto& f = r.allow_list(0);
  ASSERT_EQ(f.event_set_size(), 2);
  EXPECT_EQ(f.event_set(0), tetragon::PROCESS_EXEC);
  EXPECT_EQ(f.event_set(1), tetragon::PROCESS_EXIT);
  ASSERT_EQ(f.binary_regex_size(), 2);
  EXPECT_EQ(f.binary_regex(1), "wget");
  EXPECT_EQ(f.pod_regex(0), "web");
  ASSERT_EQ(f.namespace__size(), 1);
  EXPECT_EQ(f.namespace_(0), "");
  EXPECT_EQ(f.policy_names(0), "a");
  ASSERT_EQ(r.field_filters_size(), 2);
  EXPECT_EQ(r.field_filters(0).action(), tetragon::INCLUDE);
  ASSERT_EQ(r.field_filters(0).fields().paths_size(), 2);
  EXPECT_EQ(r.field_filters(0).fields().paths(1), "parent");
  EXPECT_EQ(r.field_filters(1).action(), tetragon::EXCLUDE);
  EXPECT_EQ(r.field_filters(1).fields().paths(0), "process.pid");
}

TEST(GetEventsArgs, ErrorsNameTheFlag) {
  struct Case {
    std::vector<std::string> args;
    const char* want;
  };
  const std::vector<Case> cases = {
      {{"-o", "yaml"}, "-o: 'yaml' is not json or compact"},
      {{"-e", "PROCESS_EXEC,BOGUS"}, "-e: unknown event type 'BOGUS'"},
      {{"-e", "UNDEF"}, "unknown event type 'UNDEF'"},
      {{"--color", "sometimes"}, "--color: 'sometimes'"},
      {{"--reconnect-wait", "x"}, "--reconnect-wait: 'x'"},
      {{"--process"}, "--process: missing value"},
      {{"--frobnicate"}, "unknown flag '--frobnicate'"},
  };
  for (const Case& c : cases) {
    auto o = parse_getevents_args(c.args);
    ASSERT_FALSE(o.has_value()) << c.want;
    EXPECT_NE(o.error().message().find(c.want), std::string::npos) << o.error().message();
  }
}

TEST(GetEventsArgs, Help) {
  auto o = parse_getevents_args({"--help"});
  ASSERT_TRUE(o.has_value());
  EXPECT_TRUE(o->help);
  EXPECT_NE(getevents_usage().find("--event-types"), std::string::npos);
}

} // namespace
} // namespace octagon::cli
