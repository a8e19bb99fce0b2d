// GetEvents Filter fields labels, capabilities and in_init_tree (src/api/event_filter.h).
#include <octagon/api/event_filter.h>

#include <cerrno>

#include <gtest/gtest.h>

namespace octagon::api {
namespace {

using tetragon::GetEventsRequest;
using tetragon::GetEventsResponse;

GetEventsResponse exec_event() {
  GetEventsResponse e;
  auto* p = e.mutable_process_exec()->mutable_process();
  p->mutable_pid()->set_value(42);
  p->set_binary("/usr/bin/true");
  return e;
}

GetEventsResponse with_labels(std::initializer_list<std::pair<const char*, const char*>> labels) {
  GetEventsResponse e = exec_event();
  auto* pod = e.mutable_process_exec()->mutable_process()->mutable_pod();
  pod->set_name("web-1");
  for (const auto& [k, v] : labels)
    (*pod->mutable_pod_labels())[k] = v;
  return e;
}

EventFilter allow(const std::function<void(tetragon::Filter&)>& set, FilterOptions o = {}) {
  GetEventsRequest r;
  set(*r.add_allow_list());
  auto f = EventFilter::create(r, o);
  EXPECT_TRUE(f.has_value()) << (f ? "" : f.error().message());
  return std::move(*f);
}

TEST(EventFilterLabels, SelectorsAreOredAndMatchPodLabels) {
  auto f = allow([](tetragon::Filter& x) {
    x.add_labels("app=web,tier in (front)");
    x.add_labels("team=ops");
  });
  EXPECT_TRUE(f.matches(with_labels({{"app", "web"}, {"tier", "front"}})));
  EXPECT_FALSE(f.matches(with_labels({{"app", "web"}, {"tier", "back"}})));
  EXPECT_TRUE(f.matches(with_labels({{"team", "ops"}})));
  EXPECT_FALSE(f.matches(with_labels({})));
}

TEST(EventFilterLabels, EventsWithoutPodNeverMatchEvenTheEmptySelector) {
  auto any = allow([](tetragon::Filter& x) { x.add_labels(""); });
  EXPECT_FALSE(any.matches(exec_event())) << "host process: no pod";
  EXPECT_TRUE(any.matches(with_labels({})));
  // As a deny filter, a label filter therefore never removes host events.
  GetEventsRequest r;
  r.add_deny_list()->add_labels("app=web");
  auto deny = EventFilter::create(r);
  ASSERT_TRUE(deny.has_value());
  EXPECT_TRUE(deny->matches(exec_event()));
  EXPECT_FALSE(deny->matches(with_labels({{"app", "web"}})));
}

TEST(EventFilterLabels, BadSelectorIsInvalidArgumentNamingIt) {
  GetEventsRequest r;
  r.add_allow_list()->add_labels("app in (");
  auto f = EventFilter::create(r);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code(), EINVAL);
  EXPECT_NE(f.error().message().find("invalid pod label filter: invalid label selector 'app in ('"),
            std::string::npos)
      << f.error().message();
}

GetEventsResponse with_caps(std::initializer_list<tetragon::CapabilitiesType> eff) {
  GetEventsResponse e = exec_event();
  auto* cap = e.mutable_process_exec()->mutable_process()->mutable_cap();
  for (auto c : eff) {
    cap->add_effective(c);
    cap->add_permitted(c);
  }
  return e;
}

TEST(EventFilterCaps, AnyAllExactlyNone) {
  using namespace tetragon;
  auto any = allow([](Filter& x) {
    x.mutable_capabilities()->mutable_effective()->add_any(CAP_SYS_ADMIN);
    x.mutable_capabilities()->mutable_effective()->add_any(CAP_NET_RAW);
  });
  EXPECT_TRUE(any.matches(with_caps({CAP_CHOWN, CAP_NET_RAW})));
  EXPECT_FALSE(any.matches(with_caps({CAP_CHOWN})));
  EXPECT_FALSE(any.matches(exec_event())) << "no cap in the event: no match";

  auto all = allow([](Filter& x) {
    x.mutable_capabilities()->mutable_permitted()->add_all(CAP_CHOWN);
    x.mutable_capabilities()->mutable_permitted()->add_all(CAP_KILL);
  });
  EXPECT_TRUE(all.matches(with_caps({CAP_CHOWN, CAP_KILL, CAP_SETUID})));
  EXPECT_FALSE(all.matches(with_caps({CAP_CHOWN})));

  auto exactly = allow([](Filter& x) {
    x.mutable_capabilities()->mutable_effective()->add_exactly(CAP_CHOWN);
  });
  EXPECT_TRUE(exactly.matches(with_caps({CAP_CHOWN})));
  EXPECT_FALSE(exactly.matches(with_caps({CAP_CHOWN, CAP_KILL})));

  auto none = allow([](Filter& x) {
    x.mutable_capabilities()->mutable_effective()->add_none(CAP_SYS_ADMIN);
  });
  EXPECT_TRUE(none.matches(with_caps({})));
  EXPECT_TRUE(none.matches(with_caps({CAP_CHOWN})));
  EXPECT_FALSE(none.matches(with_caps({CAP_SYS_ADMIN})));

  // Sets are AND-ed: effective any SYS_ADMIN and inheritable none of anything present.
  auto both = allow([](Filter& x) {
    x.mutable_capabilities()->mutable_effective()->add_any(CAP_SYS_ADMIN);
    x.mutable_capabilities()->mutable_inheritable()->add_none(CAP_SYS_ADMIN);
  });
  EXPECT_TRUE(both.matches(with_caps({CAP_SYS_ADMIN})));
}

TEST(EventFilterCaps, RefusedWithZeroOrSeveralMatchSetsOrWithoutProcessCred) {
  auto make = [](const std::function<void(tetragon::CapFilterSet&)>& set, FilterOptions o = {}) {
    GetEventsRequest r;
    set(*r.add_allow_list()->mutable_capabilities()->mutable_effective());
    return EventFilter::create(r, o);
  };
  auto empty = make([](auto&) {});
  ASSERT_FALSE(empty.has_value());
  EXPECT_NE(empty.error().message().find("capabilities.effective: a capability filter must define "
                                         "exactly one match set"),
            std::string::npos)
      << empty.error().message();
  auto two = make([](auto& s) {
    s.add_any(tetragon::CAP_CHOWN);
    s.add_none(tetragon::CAP_KILL);
  });
  ASSERT_FALSE(two.has_value());
  EXPECT_NE(two.error().message().find("may only define one match set, got: any, none"),
            std::string::npos)
      << two.error().message();
  auto nocred = make([](auto& s) { s.add_any(tetragon::CAP_CHOWN); }, FilterOptions{false});
  ASSERT_FALSE(nocred.has_value());
  EXPECT_EQ(nocred.error().code(), EINVAL);
  EXPECT_NE(nocred.error().message().find("capabilities are not enabled in process events"),
            std::string::npos);
}

TEST(EventFilterInitTree, TrueNeedsTrueFalseTakesUnset) {
  GetEventsResponse in = exec_event(), out = exec_event(), unset = exec_event();
  in.mutable_process_exec()->mutable_process()->mutable_in_init_tree()->set_value(true);
  out.mutable_process_exec()->mutable_process()->mutable_in_init_tree()->set_value(false);
  auto t = allow([](tetragon::Filter& x) { x.mutable_in_init_tree()->set_value(true); });
  EXPECT_TRUE(t.matches(in));
  EXPECT_FALSE(t.matches(out));
  EXPECT_FALSE(t.matches(unset));
  auto f = allow([](tetragon::Filter& x) { x.mutable_in_init_tree()->set_value(false); });
  EXPECT_FALSE(f.matches(in));
  EXPECT_TRUE(f.matches(out));
  EXPECT_TRUE(f.matches(unset));
}

} // namespace
} // namespace octagon::api
