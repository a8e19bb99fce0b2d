// GetUrl / DnsLookup performed by the agent: a real HTTP GET against a local server, a resolve
// of localhost, failures and a full queue counted.
#include <octagon/daemon/http_get.h>
#include <octagon/daemon/user_actions.h>

#include <gtest/gtest.h>

#include "test_http_server.h"

namespace octagon::daemon {
namespace {

using namespace std::chrono_literals;
using testing::TestHttpServer;

policy::UserAction get_url(std::string url) {
  return {policy::UserAction::Kind::kGetUrl, std::move(url)};
}

TEST(HttpGet, SendsARequestAndReadsTheStatus) {
  TestHttpServer server;
  ASSERT_NE(server.port(), 0);
  auto r = http_get(server.url("/canary?id=7"), 2000ms);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(*r, 204);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].rfind("GET /canary?id=7 HTTP/1.1\r\n", 0), 0u) << reqs[0];
  EXPECT_NE(reqs[0].find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"),
            std::string::npos)
      << reqs[0];
}

TEST(HttpGet, Failures) {
  uint16_t closed;
  {
    TestHttpServer gone;
    closed = gone.port();
  }
  auto r = http_get("http://127.0.0.1:" + std::to_string(closed) + "/", 1000ms);
  EXPECT_FALSE(r);
  r = http_get("https://127.0.0.1/", 1000ms);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("https"), std::string::npos);

  TestHttpServer slow;
  slow.hold();
  r = http_get(slow.url("/"), 200ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ETIMEDOUT);
  slow.release();
}

TEST(DnsLookup, ResolvesLocalhost) {
  auto r = dns_lookup("localhost");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_GE(*r, 1u);
}

TEST(UserActionRunner, RunsAndCountsOffTheCallersThread) {
  TestHttpServer server;
  UserActionRunner runner;
  EXPECT_TRUE(runner.submit(get_url(server.url("/a"))));
  EXPECT_TRUE(runner.submit({policy::UserAction::Kind::kDnsLookup, "localhost"}));
  EXPECT_TRUE(runner.submit(get_url("http://127.0.0.1:1/"))); // nothing listens on port 1
  ASSERT_TRUE(runner.wait_idle(5000ms));
  UserActionCounts c = runner.counts();
  EXPECT_EQ(c.get_url_ok, 1u);
  EXPECT_EQ(c.get_url_failed, 1u);
  EXPECT_EQ(c.dns_lookup_ok, 1u);
  EXPECT_EQ(c.dns_lookup_failed, 0u);
  EXPECT_EQ(c.dropped_queue_full, 0u);
  ASSERT_EQ(server.requests().size(), 1u);
}

TEST(UserActionRunner, FullQueueDropsAndCounts) {
  TestHttpServer server;
  server.hold(); // the one worker stays busy with the first request
  UserActionRunner::Options o;
  o.workers = 1;
  o.queue = 2;
  o.http_timeout = 3000ms;
  UserActionRunner runner(o);
  EXPECT_TRUE(runner.submit(get_url(server.url("/1"))));
  ASSERT_TRUE(server.wait_requests(1, 2000ms)); // taken by the worker
  EXPECT_TRUE(runner.submit(get_url(server.url("/2"))));
  EXPECT_TRUE(runner.submit(get_url(server.url("/3"))));
  EXPECT_FALSE(runner.submit(get_url(server.url("/4")))); // queue full: never blocks
  EXPECT_EQ(runner.counts().dropped_queue_full, 1u);
  server.release();
  ASSERT_TRUE(runner.wait_idle(5000ms));
  EXPECT_EQ(runner.counts().get_url_ok, 3u);
}

} // namespace
} // namespace octagon::daemon
