// EventHub: per-client bounded queues; a stalled client loses (and counts) only its own events.
#include <octagon/api/event_hub.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace octagon::api {
namespace {

EventPtr event(const std::string& binary) {
  auto e = std::make_shared<tetragon::GetEventsResponse>();
  e->mutable_process_exec()->mutable_process()->set_binary(binary);
  e->mutable_process_exec()->mutable_process()->mutable_pid()->set_value(1);
  return e;
}

EventFilter no_filter() {
  return std::move(*EventFilter::create(tetragon::GetEventsRequest{}));
}

TEST(EventHub, NoClientsNoWork) {
  EventHub hub(4);
  EXPECT_FALSE(hub.has_clients());
  auto c = hub.subscribe("a", no_filter());
  EXPECT_TRUE(hub.has_clients());
  hub.unsubscribe(c);
  EXPECT_FALSE(hub.has_clients());
}

TEST(EventHub, StalledClientDropsOnlyItsOwnEvents) {
  EventHub hub(4);
  auto stalled = hub.subscribe("stalled", no_filter());
  auto live = hub.subscribe("live", no_filter());
  int got = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; i++) {
    hub.publish(event("/bin/x")); // never blocks, whatever `stalled` does
    if (auto e = live->pop(0)) {
      ++got;
      live->mark_sent();
    }
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(got, 100);
  const auto s = stalled->stats();
  EXPECT_EQ(s.queued, 4u);
  EXPECT_EQ(s.dropped, 96u);
  EXPECT_EQ(live->stats().dropped, 0u);
  EXPECT_EQ(live->stats().sent, 100u);
  EXPECT_EQ(hub.total_dropped(), 96u);
  hub.unsubscribe(stalled);
  EXPECT_EQ(hub.total_dropped(), 96u); // kept after the client is gone
  ASSERT_EQ(hub.client_stats().size(), 1u);
  EXPECT_EQ(hub.client_stats()[0].peer, "live");
}

TEST(EventHub, FilteredEventsDoNotUseQueueSpace) {
  EventHub hub(2);
  tetragon::GetEventsRequest r;
  r.add_allow_list()->add_binary_regex("wanted");
  auto c = hub.subscribe("f", std::move(*EventFilter::create(r)));
  for (int i = 0; i < 10; i++)
    hub.publish(event("/bin/other"));
  hub.publish(event("/bin/wanted"));
  auto e = c->pop(0);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->process_exec().process().binary(), "/bin/wanted");
  EXPECT_EQ(c->stats().filtered, 10u);
  EXPECT_EQ(c->stats().dropped, 0u);
}

TEST(EventHub, CloseWakesConsumersAndRefusesNewClients) {
  EventHub hub(2);
  auto c = hub.subscribe("a", no_filter());
  std::thread t([&] { EXPECT_EQ(c->pop(10000), nullptr); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto start = std::chrono::steady_clock::now();
  hub.close();
  t.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(hub.subscribe("b", no_filter()), nullptr);
}

} // namespace
} // namespace octagon::api
