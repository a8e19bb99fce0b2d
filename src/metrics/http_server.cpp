#include <octagon/metrics/http_server.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <octagon/base/log.h>
#include <octagon/metrics/listen_socket.h>

namespace octagon::metrics {
namespace {

using Clock = std::chrono::steady_clock;

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

HttpResponse plain(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

std::string http_format(const HttpResponse& r, bool head_only) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason(r.status) + "\r\n";
  out += "Content-Type: " + r.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  if (r.status == 405) out += "Allow: GET, HEAD\r\n";
  out += "Connection: close\r\n\r\n";
  if (!head_only) out += r.body;
  return out;
}

std::string http_reply(std::string_view head, const HttpHandler& handler, bool* bad) {
  *bad = true;
  std::string_view line = head.substr(0, head.find("\r\n"));
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || !line.substr(sp2 + 1).starts_with("HTTP/1."))
    return http_format(plain(400, "bad request line\n"), false);
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!target.starts_with('/')) return http_format(plain(400, "bad request target\n"), false);
  target = target.substr(0, target.find('?'));
  const bool head_only = method == "HEAD";
  if (method != "GET" && !head_only)
    return http_format(plain(405, "only GET and HEAD are served\n"), false);
  *bad = false;
  return http_format(handler(target), head_only);
}

struct HttpServer::Connection {
  Fd fd;
  Clock::time_point deadline;
  std::string in;
  std::string out;
  size_t sent = 0;
  bool replying = false;
};

Result<std::unique_ptr<HttpServer>> HttpServer::create(std::string_view address, HttpHandler handler,
                                                       HttpServerOptions options) {
  OCTAGON_ASSIGN_OR_RETURN(ListenAddress a, parse_listen_address(address));
  OCTAGON_ASSIGN_OR_RETURN(Fd listener, listen_tcp(a, 64));
  Fd wake(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake.valid()) return make_error(errno, "eventfd");
  return std::unique_ptr<HttpServer>(
      new HttpServer(std::move(listener), std::move(wake), std::move(handler), options));
}

HttpServer::HttpServer(Fd listener, Fd wake, HttpHandler handler, HttpServerOptions options)
    : listener_(std::move(listener)),
      wake_(std::move(wake)),
      handler_(std::move(handler)),
      options_(options),
      bound_(local_address(listener_.get())),
      thread_(&HttpServer::run, this) {}

HttpServer::~HttpServer() {
  stop_ = true;
  uint64_t one = 1;
  if (write(wake_.get(), &one, sizeof(one)) < 0) {
    // The eventfd cannot be full after one write; the poll timeout bounds the stop anyway.
  }
  if (thread_.joinable()) thread_.join();
}

HttpServerStats HttpServer::stats() const {
  HttpServerStats s;
  s.requests = requests_.load();
  s.rejected_busy = rejected_busy_.load();
  s.timed_out = timed_out_.load();
  s.bad_requests = bad_requests_.load();
  return s;
}

void HttpServer::run() {
  std::vector<Connection> conns;
  std::vector<pollfd> pfds;
  char buf[4096];
  while (!stop_.load()) {
    pfds.clear();
    pfds.push_back({wake_.get(), POLLIN, 0});
    pfds.push_back({listener_.get(), POLLIN, 0});
    auto now = Clock::now();
    auto wait = std::chrono::milliseconds(1000);
    for (const Connection& c : conns) {
      pfds.push_back({c.fd.get(), static_cast<short>(c.replying ? POLLOUT : POLLIN), 0});
      wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(c.deadline - now));
    }
    if (poll(pfds.data(), pfds.size(), static_cast<int>(std::max<int64_t>(0, wait.count()))) < 0 &&
        errno != EINTR) {
      OCTAGON_LOG_WARN("metrics server: poll: %s", strerror(errno));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    now = Clock::now();
    for (size_t i = 0; i < conns.size(); i++) {
      Connection& c = conns[i];
      const short rev = pfds[i + 2].revents;
      bool done = false;
      if (!c.replying && (rev & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t n = recv(c.fd.get(), buf, sizeof(buf), 0);
        if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR))) {
          done = true;
        } else if (n > 0) {
          c.in.append(buf, static_cast<size_t>(n));
          const size_t end = c.in.find("\r\n\r\n");
          if (end != std::string::npos) {
            bool bad = false;
            c.out = http_reply(std::string_view(c.in).substr(0, end), handler_, &bad);
            (bad ? bad_requests_ : requests_).fetch_add(1);
            c.replying = true;
          } else if (c.in.size() > options_.max_request_bytes) {
            c.out = http_format(HttpResponse{431, "text/plain; charset=utf-8", "request too large\n"}, false);
            bad_requests_.fetch_add(1);
            c.replying = true;
          }
        }
      } else if (c.replying && (rev & (POLLOUT | POLLHUP | POLLERR))) {
        ssize_t n = send(c.fd.get(), c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
        if (n > 0) c.sent += static_cast<size_t>(n);
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || c.sent == c.out.size()) done = true;
      }
      if (!done && now >= c.deadline) {
        timed_out_.fetch_add(1);
        done = true;
      }
      if (done && c.replying && c.sent == c.out.size()) {
        // Discard what the client sent beyond its request head, so that closing does not
        // reset the connection before the client has read the response.
        shutdown(c.fd.get(), SHUT_WR);
        while (recv(c.fd.get(), buf, sizeof(buf), MSG_DONTWAIT) > 0) {
        }
      }
      if (done) c.fd.reset();
    }
    std::erase_if(conns, [](const Connection& c) { return !c.fd.valid(); });
    if (pfds[1].revents & POLLIN) {
      while (true) {
        Fd fd(accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd.valid()) break;
        if (conns.size() >= options_.max_connections) {
          // Best effort on a fresh socket (its send buffer is empty), then close.
          std::string busy = http_format(HttpResponse{503, "text/plain; charset=utf-8", "busy\n"}, false);
          (void)!send(fd.get(), busy.data(), busy.size(), MSG_NOSIGNAL);
          rejected_busy_.fetch_add(1);
          continue;
        }
        Connection c;
        c.fd = std::move(fd);
        c.deadline = now + options_.timeout;
        conns.push_back(std::move(c));
      }
    }
  }
}

}  // namespace octagon::metrics
