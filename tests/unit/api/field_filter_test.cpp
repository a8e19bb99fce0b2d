// GetEvents field_filters: INCLUDE / EXCLUDE paths per event type (src/api/field_filter.h).
#include <octagon/api/field_filter.h>

#include <cerrno>

#include <gtest/gtest.h>

namespace octagon::api {
namespace {

using tetragon::GetEventsResponse;

GetEventsResponse exec_event() {
  GetEventsResponse e;
  auto* p = e.mutable_process_exec()->mutable_process();
  p->mutable_pid()->set_value(5);
  p->set_binary("/bin/ls");
  p->set_arguments("-l");
  p->set_cwd("/");
  auto* parent = e.mutable_process_exec()->mutable_parent();
  parent->set_binary("/bin/sh");
  parent->mutable_pid()->set_value(1);
  e.mutable_process_exec()->add_ancestors()->set_binary("/sbin/init");
  e.set_node_name("n");
  return e;
}

google::protobuf::RepeatedPtrField<tetragon::FieldFilter> filters(
    std::initializer_list<std::pair<tetragon::FieldFilterAction, std::vector<std::string>>> list,
    std::vector<tetragon::EventType> events = {}) {
  google::protobuf::RepeatedPtrField<tetragon::FieldFilter> out;
  for (const auto& [action, paths] : list) {
    auto* f = out.Add();
    f->set_action(action);
    for (const auto& p : paths)
      f->mutable_fields()->add_paths(p);
    for (auto t : events)
      f->add_event_set(t);
  }
  return out;
}

TEST(FieldFilters, IncludeKeepsOnlyTheListedFields) {
  auto ff = FieldFilters::create(filters({{tetragon::INCLUDE, {"process.binary", "parent"}}}));
  ASSERT_TRUE(ff.has_value()) << ff.error().message();
  GetEventsResponse e = exec_event();
  ff->apply(e);
  const auto& p = e.process_exec().process();
  EXPECT_EQ(p.binary(), "/bin/ls");
  EXPECT_FALSE(p.has_pid());
  EXPECT_EQ(p.arguments(), "");
  EXPECT_EQ(e.process_exec().parent().binary(), "/bin/sh"); // whole parent kept
  EXPECT_EQ(e.process_exec().parent().pid().value(), 1u);
  EXPECT_EQ(e.process_exec().ancestors_size(), 0);
  EXPECT_EQ(e.node_name(), "n"); // top-level fields untouched
}

TEST(FieldFilters, ExcludeWinsOverInclude) {
  auto ff = FieldFilters::create(
      filters({{tetragon::INCLUDE, {"process"}}, {tetragon::EXCLUDE, {"process.arguments"}}}));
  ASSERT_TRUE(ff.has_value());
  GetEventsResponse e = exec_event();
  ff->apply(e);
  EXPECT_EQ(e.process_exec().process().binary(), "/bin/ls");
  EXPECT_EQ(e.process_exec().process().arguments(), "");
  EXPECT_FALSE(e.process_exec().has_parent());
}

TEST(FieldFilters, ExcludeInsideRepeatedMessages) {
  auto ff = FieldFilters::create(filters({{tetragon::EXCLUDE, {"ancestors.binary"}}}));
  ASSERT_TRUE(ff.has_value());
  GetEventsResponse e = exec_event();
  ff->apply(e);
  ASSERT_EQ(e.process_exec().ancestors_size(), 1);
  EXPECT_EQ(e.process_exec().ancestors(0).binary(), "");
  EXPECT_EQ(e.process_exec().process().binary(), "/bin/ls");
}

TEST(FieldFilters, EventSetAndInvert) {
  auto only_exit =
      FieldFilters::create(filters({{tetragon::EXCLUDE, {"process"}}}, {tetragon::PROCESS_EXIT}));
  ASSERT_TRUE(only_exit.has_value());
  GetEventsResponse e = exec_event();
  only_exit->apply(e);
  EXPECT_TRUE(e.process_exec().has_process()); // exec is not in the set
  auto f = filters({{tetragon::EXCLUDE, {"process"}}}, {tetragon::PROCESS_EXIT});
  f[0].mutable_invert_event_set()->set_value(true);
  auto inverted = FieldFilters::create(f);
  ASSERT_TRUE(inverted.has_value());
  inverted->apply(e);
  EXPECT_FALSE(e.process_exec().has_process());
}

TEST(FieldFilters, UnknownPathsAndTypesAreInvalidArgument) {
  auto bad = FieldFilters::create(filters({{tetragon::INCLUDE, {"process.nope"}}}));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), EINVAL);
  EXPECT_NE(bad.error().message().find("field_filters[0]: field 'process.nope'"), std::string::npos)
      << bad.error().message();
  // function_name exists in process_kprobe only.
  EXPECT_FALSE(FieldFilters::create(
                   filters({{tetragon::INCLUDE, {"function_name"}}}, {tetragon::PROCESS_EXEC}))
                   .has_value());
  EXPECT_TRUE(FieldFilters::create(filters({{tetragon::INCLUDE, {"function_name"}}})).has_value());
  auto f = filters({{tetragon::INCLUDE, {"process"}}}, {});
  f[0].add_event_set(static_cast<tetragon::EventType>(3));
  EXPECT_FALSE(FieldFilters::create(f).has_value());
}

} // namespace
} // namespace octagon::api
