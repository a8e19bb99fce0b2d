// --server-address / --server-client-queue-size and the status report's API block.
#include <octagon/daemon/config.h>
#include <octagon/daemon/status.h>

#include <gtest/gtest.h>

namespace octagon::daemon {
namespace {

TEST(ApiConfig, DefaultIsTheRootOnlySocketAndEmptyDisables) {
  auto c = parse_agent_config({});
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->server_address, "unix:///var/run/octagon/octagon.sock");
  EXPECT_EQ(c->server_client_queue_size, 10000u);
  auto off = parse_agent_config({"--server-address", "", "--server-client-queue-size=64"});
  ASSERT_TRUE(off.has_value()) << off.error().message();
  EXPECT_EQ(off->server_address, "");
  EXPECT_EQ(off->server_client_queue_size, 64u);
  auto eq = parse_agent_config({"--server-address=localhost:54321"});
  ASSERT_TRUE(eq.has_value());
  EXPECT_EQ(eq->server_address, "localhost:54321");
  EXPECT_FALSE(parse_agent_config({"--server-client-queue-size", "0"}).has_value());
}

TEST(ApiStatus, PerClientDropsAreReported) {
  StatusSnapshot s;
  std::string off = render_status_json(s);
  EXPECT_EQ(off.find("\"api\""), std::string::npos); // API disabled: no block
  s.api_enabled = true;
  s.api_dropped = 12;
  s.api_aggregation_dropped = 9;
  s.api_clients.push_back({3, "unix:", 5, 4, 7, 2, 6});
  std::string on = render_status_json(s);
  EXPECT_NE(on.find(R"("api":{"dropped":12,"aggregation_dropped":9,"clients":[{"id":3,)"
                    R"("peer":"unix:","queued":5,"sent":4,"dropped":7,"filtered":2,)"
                    R"("aggregation_dropped":6}]})"),
            std::string::npos)
      << on;
}

} // namespace
} // namespace octagon::daemon
