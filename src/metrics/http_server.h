// HttpServer: a small HTTP/1.1 server for the metrics and health endpoints.
//
// One thread runs a poll loop over non-blocking sockets, so a slow or stalled client never
// blocks the agent or another client; it only holds one of the bounded connection slots until
// its deadline. Bounded: at most max_connections at once (more are answered 503 and closed),
// requests larger than max_request_bytes are refused (431), and every connection is closed
// when `timeout` after its accept runs out. One request per connection (Connection: close).
// Only GET and HEAD are served; the handler runs on the server thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include <octagon/base/fd.h>
#include <octagon/base/result.h>

namespace octagon::metrics {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Called with the request path (query string removed).
using HttpHandler = std::function<HttpResponse(std::string_view path)>;

struct HttpServerOptions {
  size_t max_connections = 16;
  size_t max_request_bytes = 8192;
  std::chrono::milliseconds timeout{5000};
};

struct HttpServerStats {
  uint64_t requests = 0, rejected_busy = 0, timed_out = 0, bad_requests = 0;
};

class HttpServer {
 public:
  // Binds `address` (see listen_socket.h) and starts the server thread.
  static Result<std::unique_ptr<HttpServer>> create(std::string_view address, HttpHandler handler,
                                                    HttpServerOptions options = {});
  ~HttpServer();  // stops the thread and closes every connection
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  const std::string& address() const { return bound_; }  // e.g. "127.0.0.1:2112"
  HttpServerStats stats() const;

 private:
  struct Connection;
  HttpServer(Fd listener, Fd wake, HttpHandler handler, HttpServerOptions options);
  void run();

  Fd listener_;
  Fd wake_;  // eventfd: the destructor's stop signal
  HttpHandler handler_;
  const HttpServerOptions options_;
  std::string bound_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> requests_{0}, rejected_busy_{0}, timed_out_{0}, bad_requests_{0};
  std::thread thread_;  // last: started once the members above exist
};

// The response bytes for one request (the request head is complete). Exposed for unit tests.
std::string http_reply(std::string_view request_head, const HttpHandler& handler, bool* bad);
// A complete response with Connection: close.
std::string http_format(const HttpResponse& r, bool head_only);

}  // namespace octagon::metrics
