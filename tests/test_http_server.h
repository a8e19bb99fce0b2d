// A tiny HTTP server on 127.0.0.1 (ephemeral port) for GetUrl tests: records each request's
// first line and answers "HTTP/1.1 204 No Content". While hold() is on, it accepts but does
// not answer, so clients stay busy.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace octagon::testing {

class TestHttpServer {
public:
  TestHttpServer() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 16) != 0)
      return;
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TestHttpServer() {
    stop_ = true;
    release();
    if (thread_.joinable())
      thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void hold() { held_ = true; }
  void release() {
    {
      std::lock_guard l(mu_);
      held_ = false;
    }
    cv_.notify_all();
  }
  std::vector<std::string> requests() {
    std::lock_guard l(mu_);
    return requests_;
  }
  // Waits until `n` requests arrived.
  bool wait_requests(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock l(mu_);
    return cv_.wait_for(l, timeout, [&] { return requests_.size() >= n; });
  }

private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0)
        continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0)
        continue;
      std::string req;
      char buf[1024];
      while (req.find("\r\n\r\n") == std::string::npos && req.size() < 65536) {
        ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0)
          break;
        req.append(buf, size_t(n));
      }
      {
        std::unique_lock l(mu_);
        requests_.push_back(req);
        cv_.notify_all();
        cv_.wait(l, [&] { return !held_ || stop_; });
      }
      const char resp[] = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
      (void)!send(c, resp, sizeof resp - 1, MSG_NOSIGNAL);
      close(c);
    }
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false}, held_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

} // namespace octagon::testing
