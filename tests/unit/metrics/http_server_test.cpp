#include <octagon/metrics/http_server.h>
#include <octagon/metrics/listen_socket.h>

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace octagon::metrics {
namespace {

using namespace std::chrono_literals;

uint16_t port_of(const HttpServer& s) {
  return static_cast<uint16_t>(std::stoi(s.address().substr(s.address().rfind(':') + 1)));
}

Fd connect_to(uint16_t port) {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) fd.reset();
  return fd;
}

// Everything the server sends until it closes (or `limit` passes).
std::string read_all(int fd, std::chrono::milliseconds limit = 3000ms) {
  std::string out;
  auto end = std::chrono::steady_clock::now() + limit;
  char buf[4096];
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string request(uint16_t port, const std::string& raw) {
  Fd fd = connect_to(port);
  if (!fd.valid()) return "connect failed";
  (void)!write(fd.get(), raw.data(), raw.size());
  return read_all(fd.get());
}

HttpResponse echo(std::string_view path) {
  HttpResponse r;
  r.body = "path=" + std::string(path) + "\n";
  return r;
}

TEST(ListenAddress, Parses) {
  auto a = parse_listen_address("127.0.0.1:2112");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 2112);
  a = parse_listen_address(":2112");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "");
  a = parse_listen_address("[::1]:9");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_FALSE(parse_listen_address("2112"));
  EXPECT_FALSE(parse_listen_address("host:99999"));
  EXPECT_FALSE(parse_listen_address("host:"));
  EXPECT_FALSE(parse_listen_address("::1:80"));
  EXPECT_FALSE(parse_listen_address("host:12x"));
}

TEST(HttpServer, ServesGetAndHead) {
  auto s = HttpServer::create("127.0.0.1:0", echo);
  ASSERT_TRUE(s) << s.error().describe();
  uint16_t port = port_of(**s);
  std::string r = request(port, "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Content-Length: 14\r\n"), std::string::npos) << r;
  EXPECT_NE(r.find("\r\n\r\npath=/metrics\n"), std::string::npos) << r;
  r = request(port, "HEAD /x HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_TRUE(r.ends_with("\r\n\r\n")) << r;  // no body
}

TEST(HttpServer, RefusesOtherMethodsMalformedAndOversizedRequests) {
  HttpServerOptions o;
  o.max_request_bytes = 256;
  auto s = HttpServer::create("127.0.0.1:0", echo, o);
  ASSERT_TRUE(s);
  uint16_t port = port_of(**s);
  EXPECT_EQ(request(port, "POST /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 405", 0), 0u);
  EXPECT_EQ(request(port, "garbage\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(request(port, "GET " + std::string(1000, 'a') + " HTTP/1.1\r\n").rfind("HTTP/1.1 431", 0), 0u);
  EXPECT_GE((*s)->stats().bad_requests, 3u);
}

TEST(HttpServer, StalledClientsDoNotBlockOthersAndTimeOut) {
  HttpServerOptions o;
  o.timeout = 500ms;
  auto s = HttpServer::create("127.0.0.1:0", echo, o);
  ASSERT_TRUE(s);
  uint16_t port = port_of(**s);
  Fd stalled = connect_to(port);
  ASSERT_TRUE(stalled.valid());
  (void)!write(stalled.get(), "GET /slow", 9);  // never finishes its request
  auto t0 = std::chrono::steady_clock::now();
  std::string r = request(port, "GET /fast HTTP/1.1\r\n\r\n");
  EXPECT_NE(r.find("path=/fast"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 400ms);
  // The stalled connection is closed at its deadline without an answer.
  EXPECT_EQ(read_all(stalled.get(), 2000ms), "");
  EXPECT_EQ((*s)->stats().timed_out, 1u);
}

TEST(HttpServer, LimitsConcurrentConnections) {
  HttpServerOptions o;
  o.max_connections = 2;
  o.timeout = 2000ms;
  auto s = HttpServer::create("127.0.0.1:0", echo, o);
  ASSERT_TRUE(s);
  uint16_t port = port_of(**s);
  Fd a = connect_to(port), b = connect_to(port);
  std::this_thread::sleep_for(100ms);  // both accepted
  std::string r = request(port, "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 503", 0), 0u) << r;
  EXPECT_EQ((*s)->stats().rejected_busy, 1u);
  a.reset();
  b.reset();
  std::this_thread::sleep_for(100ms);
  EXPECT_NE(request(port, "GET /again HTTP/1.1\r\n\r\n").find("path=/again"), std::string::npos);
}

TEST(HttpServer, BusyAddressIsAClearError) {
  auto first = HttpServer::create("127.0.0.1:0", echo);
  ASSERT_TRUE(first);
  auto second = HttpServer::create((*first)->address(), echo);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), EADDRINUSE) << second.error().describe();
  auto bad = HttpServer::create("127.0.0.1", echo);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().describe().find("HOST:PORT"), std::string::npos);
}

}  // namespace
}  // namespace octagon::metrics
