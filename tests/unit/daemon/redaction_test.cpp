// --redaction-filters: the RE2 capture-group redaction engine, its option errors, and the
// event processor redacting every process that enters the cache (exec records, /proc seeding,
// clones inheriting) before any sink sees it.
#include <octagon/daemon/config.h>
#include <octagon/daemon/event_processor.h>
#include <octagon/daemon/redaction.h>

#include "test_helpers.h"
#include "unit/sensors/record_builder.h"

namespace octagon::daemon {
namespace {

constexpr const char* kPassword = R"J({"redact":["--password(?:\\s+|=)(\\S*)"]})J";

std::unique_ptr<Redaction> make(std::string_view text) {
  auto r = Redaction::create(text);
  EXPECT_TRUE(r.has_value()) << r.error().message();
  return r ? std::move(*r) : nullptr;
}

std::string redacted(const Redaction& r, std::string args, std::string_view binary = "/bin/x") {
  r.apply(binary, args);
  return args;
}

std::string flag_error(const std::string& value) {
  auto r = parse_agent_config({"--redaction-filters", value});
  return r ? std::string("(no error)") : r.error().message();
}

TEST(Redaction, CaptureGroupsBecomeStars) {
  auto r = make(kPassword);
  ASSERT_TRUE(r);
  EXPECT_EQ(redacted(*r, "--user root --password=hunter2 -v"), "--user root --password=***** -v");
  EXPECT_EQ(redacted(*r, "--password hunter2"), "--password *****");
  // Every match, not only the first.
  EXPECT_EQ(redacted(*r, "--password=a --password b"), "--password=***** --password *****");
  std::string untouched = "--pass hunter2";
  EXPECT_FALSE(r->apply("/bin/x", untouched));
  EXPECT_EQ(untouched, "--pass hunter2");
}

TEST(Redaction, EveryGroupOfEveryExpressionOfEveryFilter) {
  auto r = make(R"J({"redact":["-u (\\S+) -p (\\S+)", "token=(\\w+)"]})J"
                "\n\n"
                R"J({"redact":["(secret)"]})J");
  ASSERT_TRUE(r);
  EXPECT_EQ(redacted(*r, "-u bob -p pw token=abc secret"), "-u ***** -p ***** token=***** *****");
  // A group nested in another is part of the outer one: redacted once.
  auto nested = make(R"J({"redact":["k=((a)b)"]})J");
  ASSERT_TRUE(nested);
  EXPECT_EQ(redacted(*nested, "k=ab k=ab"), "k=***** k=*****");
  // A group that did not take part in the match is left alone.
  auto alt = make(R"J({"redact":["(?:x=(\\d+)|y=(\\d+))"]})J");
  ASSERT_TRUE(alt);
  EXPECT_EQ(redacted(*alt, "y=1 x=2"), "y=***** x=*****");
}

TEST(Redaction, BinaryRegexSelectsProcesses) {
  auto r = make(R"J({"binary_regex":["mysql$","^/opt/"],"redact":["--password(?:\\s+|=)(\\S*)"]})J");
  ASSERT_TRUE(r);
  EXPECT_EQ(redacted(*r, "--password=x", "/usr/bin/mysql"), "--password=*****");
  EXPECT_EQ(redacted(*r, "--password=x", "/opt/tool"), "--password=*****");
  EXPECT_EQ(redacted(*r, "--password=x", "/usr/bin/mysqldump"), "--password=x");
  EXPECT_EQ(redacted(*r, "--password=x", "/bin/echo"), "--password=x");
}

TEST(Redaction, NoFilterMeansNothingToDo) {
  auto r = Redaction::create("\n  \n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->get(), nullptr);
  auto c = parse_agent_config({});
  ASSERT_OK(c);
  EXPECT_EQ(c->redaction_filters, "");
}

TEST(Redaction, BadValuesNameTheFlagLineAndCause) {
  std::string e = flag_error(std::string(kPassword) + "\n{not json");
  EXPECT_NE(e.find("--redaction-filters: line 2: not a RedactionFilter object"), std::string::npos)
      << e;
  e = flag_error(R"J({"redact":["(a)"],"binary":["x"]})J");
  EXPECT_NE(e.find("line 1"), std::string::npos) << e;
  EXPECT_NE(e.find("binary"), std::string::npos) << e;
  e = flag_error("\n" R"J({"redact":["(unclosed"]})J");
  EXPECT_NE(e.find("--redaction-filters: line 2: redact: invalid regular expression '(unclosed'"),
            std::string::npos)
      << e;
  e = flag_error(R"J({"binary_regex":["["],"redact":["(a)"]})J");
  EXPECT_NE(e.find("line 1: binary_regex: invalid regular expression"), std::string::npos) << e;
  e = flag_error(R"J({"redact":["--password=\\S+"]})J");
  EXPECT_NE(e.find("line 1: redact: '--password=\\S+' has no capture group"), std::string::npos)
      << e;
  e = flag_error(R"J({"match":[{"binary_regex":["x"]}],"redact":["(a)"]})J");
  EXPECT_NE(e.find("line 1: 'match' is deprecated"), std::string::npos) << e;
  e = flag_error(R"J({"binary_regex":["x"]})J");
  EXPECT_NE(e.find("line 1: no 'redact' expression"), std::string::npos) << e;
  // A good value is kept as written.
  auto ok = parse_agent_config({"--redaction-filters", kPassword});
  ASSERT_OK(ok);
  EXPECT_EQ(ok->redaction_filters, kPassword);
}

class FixedClock : public BootClock {
public:
  uint64_t boot_now_ns() const override { return 1000; }
  uint64_t wall_now_ns() const override { return 1700000000000000000ull; }
};

class Collect : public EventSink {
public:
  void on_exec(const events::ExecEvent& e) override {
    args.push_back(e.process->arguments);
    parent_args.push_back(e.parent ? e.parent->arguments : "(none)");
  }
  void on_exit(const events::ExitEvent& e) override { args.push_back(e.process->arguments); }
  std::vector<std::string> args, parent_args;
};

TEST(Redaction, ProcessorRedactsExecsSeedsAndClones) {
  auto r = make(R"J({"binary_regex":["/(true|init)$"],"redact":["--password(?:\\s+|=)(\\S*)"]})J");
  ASSERT_TRUE(r);
  FixedClock clock;
  events::ProcessCache cache(64);
  ProcessorOptions options{"node", true, 8};
  options.redaction = r.get();
  EventProcessor proc(options, cache, clock);
  Collect sink;
  proc.add_sink(&sink);

  events::Process init;
  init.key = {1, 1000};
  init.pid = 1;
  init.binary = "/sbin/init";
  init.arguments = "--password=seeded";
  init.flags = events::kFlagProcFS;
  std::vector<events::Process> seeded;
  seeded.push_back(init);
  proc.seed(std::move(seeded));

  testing::ExecSpec spec; // /usr/bin/true, child of init
  spec.args = std::string("/usr/bin/true\0--password\0hunter2\0-v\0", 36);
  auto exec = testing::build_exec(spec);
  proc.on_record(exec.data(), exec.size());
  auto clone = testing::build_clone(101, 6000, 100, 5000);
  proc.on_record(clone.data(), clone.size());
  auto exit = testing::build_exit(101, 6000, 0);
  proc.on_record(exit.data(), exit.size());

  ASSERT_EQ(sink.args.size(), 2u);
  EXPECT_EQ(sink.args[0], "--password ***** -v");
  EXPECT_EQ(sink.parent_args[0], "--password=*****");
  EXPECT_EQ(sink.args[1], "--password ***** -v"); // the clone inherited the redacted text
  const events::Process* cached = cache.peek({100, 5000});
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ(cached->arguments.find("hunter2"), std::string::npos) << cached->arguments;

  // Another binary: not selected by binary_regex.
  testing::ExecSpec other;
  other.pid = 300;
  other.ktime = 9000;
  other.binary_components = std::string("echo\0bin\0", 9);
  other.args = std::string("/bin/echo\0--password=visible\0", 29);
  auto exec2 = testing::build_exec(other);
  proc.on_record(exec2.data(), exec2.size());
  ASSERT_EQ(sink.args.size(), 3u);
  EXPECT_EQ(sink.args[2], "--password=visible");
}

} // namespace
} // namespace octagon::daemon
