// GetEvents allow/deny filters on protobuf events (src/api/event_filter.h).
#include <octagon/api/event_filter.h>

#include <cerrno>

#include <gtest/gtest.h>

namespace octagon::api {
namespace {

using tetragon::GetEventsRequest;
using tetragon::GetEventsResponse;

GetEventsResponse exec(uint32_t pid, const std::string& binary, const std::string& args,
                       uint32_t ppid = 1, const std::string& parent_binary = "/bin/bash") {
  GetEventsResponse e;
  auto* p = e.mutable_process_exec()->mutable_process();
  p->mutable_pid()->set_value(pid);
  p->set_binary(binary);
  p->set_arguments(args);
  p->set_docker("abc123");
  auto* parent = e.mutable_process_exec()->mutable_parent();
  parent->mutable_pid()->set_value(ppid);
  parent->set_binary(parent_binary);
  parent->set_arguments("-c x");
  auto* anc = e.mutable_process_exec()->add_ancestors();
  anc->mutable_pid()->set_value(1);
  anc->set_binary("/sbin/init");
  return e;
}

GetEventsResponse kprobe(const std::string& policy) {
  GetEventsResponse e;
  e.mutable_process_kprobe()->mutable_process()->mutable_pid()->set_value(7);
  e.mutable_process_kprobe()->mutable_process()->set_binary("/usr/bin/cat");
  e.mutable_process_kprobe()->set_policy_name(policy);
  return e;
}

EventFilter make(const GetEventsRequest& r) {
  auto f = EventFilter::create(r);
  EXPECT_TRUE(f.has_value()) << (f ? "" : f.error().message());
  return std::move(*f);
}

TEST(EventFilter, EmptyRequestPassesEverything) {
  EventFilter f = make({});
  EXPECT_TRUE(f.matches(exec(1, "/a", "")));
  EXPECT_TRUE(f.matches(kprobe("p")));
}

TEST(EventFilter, EachSupportedFieldMatchesAndRejects) {
  struct Case {
    const char* name;
    std::function<void(tetragon::Filter&)> set;
    bool want;
  };
  const GetEventsResponse e = exec(42, "/usr/bin/curl", "https://x --flag");
  const std::vector<Case> cases = {
      {"binary_regex hit", [](auto& f) { f.add_binary_regex("curl$"); }, true},
      {"binary_regex miss", [](auto& f) { f.add_binary_regex("^curl"); }, false},
      {"arguments_regex", [](auto& f) { f.add_arguments_regex("--fl[a]g"); }, true},
      {"arguments_regex miss", [](auto& f) { f.add_arguments_regex("nope"); }, false},
      {"parent_binary_regex", [](auto& f) { f.add_parent_binary_regex("bash"); }, true},
      {"parent_binary_regex miss", [](auto& f) { f.add_parent_binary_regex("zsh"); }, false},
      {"parent_arguments_regex", [](auto& f) { f.add_parent_arguments_regex("^-c"); }, true},
      {"ancestor_binary_regex", [](auto& f) { f.add_ancestor_binary_regex("init"); }, true},
      {"ancestor_binary_regex miss", [](auto& f) { f.add_ancestor_binary_regex("sshd"); }, false},
      {"container_id", [](auto& f) { f.add_container_id("^abc"); }, true},
      {"pod_regex (no pod)", [](auto& f) { f.add_pod_regex("."); }, false},
      {"pid", [](auto& f) { f.add_pid(42); }, true},
      {"pid miss", [](auto& f) { f.add_pid(43); }, false},
      {"namespace host", [](auto& f) { f.add_namespace_(""); }, true},
      {"namespace other", [](auto& f) { f.add_namespace_("kube-system"); }, false},
      {"event_set exec", [](auto& f) { f.add_event_set(tetragon::PROCESS_EXEC); }, true},
      {"event_set exit", [](auto& f) { f.add_event_set(tetragon::PROCESS_EXIT); }, false},
      {"policy_names on exec", [](auto& f) { f.add_policy_names("p"); }, false},
      {"health_check true", [](auto& f) { f.mutable_health_check()->set_value(true); }, false},
      {"health_check false", [](auto& f) { f.mutable_health_check()->set_value(false); }, true},
      {"AND inside a filter",
       [](auto& f) {
         f.add_binary_regex("curl");
         f.add_pid(1);
       },
       false},
  };
  for (const Case& c : cases) {
    GetEventsRequest r;
    c.set(*r.add_allow_list());
    EventFilter f = make(r);
    EXPECT_EQ(f.matches(e), c.want) << c.name;
  }
}

TEST(EventFilter, PolicyNames) {
  GetEventsRequest r;
  r.add_allow_list()->add_policy_names("mine");
  EventFilter f = make(r);
  EXPECT_TRUE(f.matches(kprobe("mine")));
  EXPECT_FALSE(f.matches(kprobe("other")));
}

TEST(EventFilter, AllowIsOrDenyWins) {
  GetEventsRequest r;
  r.add_allow_list()->add_binary_regex("curl");
  r.add_allow_list()->add_binary_regex("wget");
  r.add_deny_list()->add_arguments_regex("secret");
  EventFilter f = make(r);
  EXPECT_TRUE(f.matches(exec(1, "/usr/bin/curl", "a")));
  EXPECT_TRUE(f.matches(exec(1, "/usr/bin/wget", "a")));
  EXPECT_FALSE(f.matches(exec(1, "/usr/bin/ls", "a")));
  EXPECT_FALSE(f.matches(exec(1, "/usr/bin/curl", "a secret")));
}

TEST(EventFilter, PidSetFollowsDescendants) {
  GetEventsRequest r;
  r.add_allow_list()->add_pid_set(100);
  EventFilter f = make(r);
  EXPECT_TRUE(f.matches(exec(100, "/a", "")));
  EXPECT_TRUE(f.matches(exec(101, "/b", "", 100))); // child of 100
  EXPECT_TRUE(f.matches(exec(102, "/c", "", 101))); // grandchild, learned above
  EXPECT_FALSE(f.matches(exec(200, "/d", "", 1)));
}

TEST(EventFilter, BadRegexIsInvalidArgumentNamingTheField) {
  GetEventsRequest r;
  r.add_allow_list();
  r.add_allow_list()->add_parent_binary_regex("(unclosed");
  auto f = EventFilter::create(r);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code(), EINVAL);
  EXPECT_NE(f.error().message().find("allow_list[1]"), std::string::npos) << f.error().message();
  EXPECT_NE(f.error().message().find("parent_binary_regex"), std::string::npos);
  EXPECT_NE(f.error().message().find("(unclosed"), std::string::npos);
}

TEST(EventFilter, UnknownEventTypeIsInvalidArgument) {
  GetEventsRequest r;
  r.add_deny_list()->add_event_set(static_cast<tetragon::EventType>(77));
  auto f = EventFilter::create(r);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code(), EINVAL);
  EXPECT_NE(f.error().message().find("deny_list[0] -- event_set: unknown event type 77"),
            std::string::npos)
      << f.error().message();
}

TEST(EventFilter, CelExpressionIsUnimplementedAndSaysSo) {
  GetEventsRequest r;
  r.add_allow_list()->add_cel_expression("true");
  auto f = EventFilter::create(r);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code(), ENOSYS);
  EXPECT_NE(f.error().message().find("'cel_expression' is not supported"), std::string::npos)
      << f.error().message();
}

TEST(EventFilter, AggregationOptionsAreAccepted) {
  GetEventsRequest r;
  r.mutable_aggregation_options()->set_channel_buffer_size(5);
  EXPECT_TRUE(EventFilter::create(r).has_value());
}

} // namespace
} // namespace octagon::api
