// Export options: --export-allowlist/--export-denylist parsing and errors, ExportFilter on the
// event model, and the --export-rate-limit window.
#include <octagon/daemon/config.h>
#include <octagon/daemon/export_filter.h>
#include <octagon/daemon/export_rate_limit.h>

#include "test_helpers.h"

namespace octagon::daemon {
namespace {

std::string parse_error(std::vector<std::string> args) {
  auto r = parse_agent_config(args);
  return r ? std::string("(no error)") : r.error().message();
}

TEST(ExportOptions, ListsAreStoredAndDefaultsAreOff) {
  auto r = parse_agent_config({"--export-allowlist", "{\"binary_regex\":[\"sh$\"]}\n\n{\"pid\":[1]}",
                               "--export-denylist", "{\"health_check\":true}",
                               "--export-rate-limit", "100"});
  ASSERT_OK(r);
  EXPECT_EQ(r->export_allowlist, "{\"binary_regex\":[\"sh$\"]}\n\n{\"pid\":[1]}");
  EXPECT_EQ(r->export_denylist, "{\"health_check\":true}");
  EXPECT_EQ(r->export_rate_limit, 100);
  auto d = parse_agent_config({});
  ASSERT_OK(d);
  EXPECT_EQ(d->export_rate_limit, -1);
  EXPECT_EQ(d->export_allowlist, "");
  auto off = parse_agent_config({"--export-rate-limit=-1"});
  ASSERT_OK(off);
  EXPECT_EQ(off->export_rate_limit, -1);
}

TEST(ExportOptions, BadListsNameFlagLineAndCause) {
  std::string e = parse_error({"--export-allowlist", "{\"pid\":[1]}\n{\"binary_regex\":[\"(\"]}"});
  EXPECT_NE(e.find("--export-allowlist"), std::string::npos) << e;
  EXPECT_NE(e.find("line 2"), std::string::npos) << e;
  EXPECT_NE(e.find("binary_regex"), std::string::npos) << e;

  e = parse_error({"--export-denylist", "\n\n{\"nope\":1}"});
  EXPECT_NE(e.find("--export-denylist"), std::string::npos) << e;
  EXPECT_NE(e.find("line 3"), std::string::npos) << e;
  EXPECT_NE(e.find("nope"), std::string::npos) << e;

  e = parse_error({"--export-allowlist", "{not json"});
  EXPECT_NE(e.find("--export-allowlist: line 1: not a Filter object"), std::string::npos) << e;

  e = parse_error({"--export-denylist", "{\"event_set\":[\"NOT_A_TYPE\"]}"});
  EXPECT_NE(e.find("line 1"), std::string::npos) << e;

  e = parse_error({"--export-rate-limit", "-2"});
  EXPECT_NE(e.find("--export-rate-limit"), std::string::npos) << e;
  e = parse_error({"--export-rate-limit", "lots"});
  EXPECT_NE(e.find("--export-rate-limit"), std::string::npos) << e;
}

class ExportFilterTest : public ::testing::Test {
protected:
  ExportFilterTest() {
    sh_.binary = "/usr/bin/sh";
    sh_.pid = 10;
    sh_.arguments = "-c true";
    cat_.binary = "/usr/bin/cat";
    cat_.pid = 11;
    cat_.arguments = "/etc/hostname";
  }
  std::unique_ptr<ExportFilter> make(std::string_view allow, std::string_view deny) {
    auto f = ExportFilter::create(allow, deny, api::EventToProto("node", events::RenderOptions{}));
    EXPECT_OK(f);
    return f ? std::move(*f) : nullptr;
  }
  bool pass(ExportFilter& f, const events::Process& p) {
    return f.pass(events::ExecEvent{&p, nullptr, {}, 1}, 0);
  }
  events::Process sh_, cat_;
};

TEST_F(ExportFilterTest, EmptyListsNeedNoFilter) {
  auto f = ExportFilter::create("", "\n \n", api::EventToProto("node", events::RenderOptions{}));
  ASSERT_OK(f);
  EXPECT_EQ(*f, nullptr);
}

TEST_F(ExportFilterTest, AllowLinesAreOredFieldsAnded) {
  auto f = make("{\"binary_regex\":[\"/sh$\"],\"arguments_regex\":[\"-c\"]}\n"
                "{\"binary_regex\":[\"cat\"],\"event_set\":[\"PROCESS_EXIT\"]}",
                "");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(pass(*f, sh_));
  EXPECT_FALSE(pass(*f, cat_)); // second line needs an exit event
  EXPECT_TRUE(f->pass(events::ExitEvent{&cat_, nullptr, {}, 0, 0, 1}, 0));
  sh_.arguments = "x";           // first line: the binary matches, the arguments do not
  EXPECT_FALSE(pass(*f, sh_));
}

TEST_F(ExportFilterTest, DenyWins) {
  auto f = make("{\"binary_regex\":[\"/usr/bin/\"]}", "{\"binary_regex\":[\"cat$\"]}");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(pass(*f, sh_));
  EXPECT_FALSE(pass(*f, cat_));
  auto deny_only = make("", "{\"pid\":[10]}");
  EXPECT_FALSE(pass(*deny_only, sh_));
  EXPECT_TRUE(pass(*deny_only, cat_));
}

TEST(ExportRateLimit, DropsOverTheLimitAndReportsEachWindowOnce) {
  ExportRateLimit l(3, 1000);
  EXPECT_EQ(l.take_finished(0), 0u);
  for (int i = 0; i < 3; i++) EXPECT_TRUE(l.admit(10 + i));
  EXPECT_FALSE(l.admit(20));
  EXPECT_FALSE(l.admit(30));
  EXPECT_EQ(l.take_finished(999), 0u); // window [10, 1010) still open
  EXPECT_EQ(l.take_finished(1010), 2u);
  EXPECT_EQ(l.take_finished(1011), 0u); // reported once
  EXPECT_TRUE(l.admit(1011));           // a new window
  EXPECT_EQ(l.dropped(), 2u);
  for (int i = 0; i < 5; i++) l.admit(1020);
  EXPECT_EQ(l.take_pending(), 3u); // at stop: the open window's drops
  EXPECT_EQ(l.take_pending(), 0u);
  EXPECT_EQ(l.dropped(), 5u);
}

TEST(ExportRateLimit, OffAndZero) {
  ExportRateLimit off(-1);
  EXPECT_FALSE(off.enabled());
  for (int i = 0; i < 1000; i++) EXPECT_TRUE(off.admit(i));
  ExportRateLimit none(0);
  EXPECT_TRUE(none.enabled());
  EXPECT_FALSE(none.admit(1));
  EXPECT_FALSE(none.admit(2));
  EXPECT_EQ(none.take_pending(), 2u);
}

} // namespace
} // namespace octagon::daemon
