#include <octagon/api/server.h>

#include <octagon/api/policy_rpc.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <grpcpp/grpcpp.h>
#include <tetragon/sensors.grpc.pb.h>

#include <octagon/api/aggregator.h>
#include <octagon/api/field_filter.h>
#include <octagon/base/log.h>

namespace octagon::api {

namespace {
constexpr int kPopWaitMs = 200; // how often a GetEvents loop checks for cancellation

grpc::Status to_status(const Error& e) {
  return grpc::Status(e.code() == ENOSYS ? grpc::StatusCode::UNIMPLEMENTED
                                         : grpc::StatusCode::INVALID_ARGUMENT,
                      e.message());
}
} // namespace

class FineGuidanceService final : public tetragon::FineGuidanceSensors::Service {
public:
  FineGuidanceService(EventHub& hub, std::string version, PolicyControl* policies,
                      FilterOptions filter_options)
      : hub_(hub), version_(std::move(version)), policies_(policies),
        filter_options_(filter_options) {}

  grpc::Status GetEvents(grpc::ServerContext* ctx, const tetragon::GetEventsRequest* req,
                         grpc::ServerWriter<tetragon::GetEventsResponse>* writer) override {
    auto filter = EventFilter::create(*req, filter_options_);
    if (!filter)
      return to_status(filter.error());
    auto fields = FieldFilters::create(req->field_filters());
    if (!fields)
      return to_status(fields.error());
    auto client = hub_.subscribe(ctx->peer(), std::move(*filter));
    if (!client)
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "agent is stopping");
    OCTAGON_LOG_DEBUG("GetEvents client %s connected", ctx->peer().c_str());
    // Headers now, so the client knows the stream is established before the first event.
    writer->SendInitialMetadata();
    // aggregation_options: events go through a bounded buffer to a sender thread (aggregator.h).
    std::unique_ptr<Aggregator> aggregator;
    if (req->has_aggregation_options()) {
      aggregator = std::make_unique<Aggregator>(
          req->aggregation_options().channel_buffer_size(),
          [writer, c = client.get()](const tetragon::GetEventsResponse& m) {
            if (!writer->Write(m))
              return false;
            c->mark_sent();
            return true;
          });
      OCTAGON_LOG_DEBUG("GetEvents client %s: aggregation buffer %llu, window %llu ns",
                        ctx->peer().c_str(), (unsigned long long)aggregator->capacity(),
                        (unsigned long long)aggregation_window_ns(req->aggregation_options()));
    }
    while (!ctx->IsCancelled() && !client->closed()) {
      EventPtr e = client->pop(kPopWaitMs);
      if (!e)
        continue;
      if (!fields->empty()) {
        // The message is shared with other clients: trim a copy (this client's thread).
        auto copy = std::make_shared<tetragon::GetEventsResponse>(*e);
        fields->apply(*copy);
        e = std::move(copy);
      }
      if (aggregator) {
        if (!aggregator->offer(e))
          client->count_aggregation_drop();
        continue;
      }
      if (!writer->Write(*e))
        break;
      client->mark_sent();
    }
    if (aggregator)
      aggregator->stop(); // sends what is still buffered (stream end, agent stop)
    hub_.unsubscribe(client);
    return grpc::Status::OK;
  }

  grpc::Status GetHealth(grpc::ServerContext*, const tetragon::GetHealthStatusRequest*,
                         tetragon::GetHealthStatusResponse* resp) override {
    auto* s = resp->add_health_status();
    s->set_event(tetragon::HEALTH_STATUS_TYPE_STATUS);
    s->set_status(tetragon::HEALTH_STATUS_RUNNING);
    s->set_details("running");
    return grpc::Status::OK;
  }

  grpc::Status GetVersion(grpc::ServerContext*, const tetragon::GetVersionRequest*,
                          tetragon::GetVersionResponse* resp) override {
    resp->set_version(version_);
    return grpc::Status::OK;
  }

  // version and name only: probes, conf and build are not reported yet.
  grpc::Status GetInfo(grpc::ServerContext*, const tetragon::GetInfoRequest*,
                       tetragon::GetInfoResponse* resp) override {
    resp->set_version(version_);
    resp->set_name("octagon");
    return grpc::Status::OK;
  }

  grpc::Status AddTracingPolicy(grpc::ServerContext*, const tetragon::AddTracingPolicyRequest* req,
                                tetragon::AddTracingPolicyResponse*) override {
    return add_policy(policies_, *req);
  }
  grpc::Status DeleteTracingPolicy(grpc::ServerContext*, const tetragon::DeleteTracingPolicyRequest* req,
                                   tetragon::DeleteTracingPolicyResponse*) override {
    return delete_policy(policies_, *req);
  }
  grpc::Status ListTracingPolicies(grpc::ServerContext*, const tetragon::ListTracingPoliciesRequest*,
                                   tetragon::ListTracingPoliciesResponse* resp) override {
    return list_policies(policies_, *resp);
  }
  grpc::Status ConfigureTracingPolicy(grpc::ServerContext*, const tetragon::ConfigureTracingPolicyRequest* req,
                                      tetragon::ConfigureTracingPolicyResponse*) override {
    return configure_policy(policies_, *req);
  }

private:
  EventHub& hub_;
  std::string version_;
  PolicyControl* policies_;
  FilterOptions filter_options_;
};

std::string unix_socket_path(const std::string& address) {
  if (address.rfind("unix://", 0) == 0)
    return address.substr(7);
  if (address.rfind("unix:", 0) == 0)
    return address.substr(5);
  return {};
}

namespace {

// Whether something accepts connections on the unix socket at `path` (a live agent).
bool socket_is_live(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path))
    return false;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  const bool live = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return live;
}

Result<void> prepare_socket_path(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty()) {
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec)
        return make_error(ec.value(), "cannot create " + dir.string());
      if (chmod(dir.c_str(), 0700) != 0)
        return make_error(errno, "chmod 0700 " + dir.string());
    }
  }
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return make_error(EEXIST, path + " exists and is not a socket; not removing it");
    if (socket_is_live(path))
      return make_error(EADDRINUSE, "another process (agent?) is listening on " + path);
    if (unlink(path.c_str()) != 0)
      return make_error(errno, "cannot remove stale socket " + path);
  }
  return ok();
}

} // namespace

namespace {

std::shared_ptr<grpc::ServerCredentials> server_credentials(const ServerTls* tls) {
  if (tls == nullptr)
    return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions opts(
      tls->client_ca.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                             : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  opts.pem_root_certs = tls->client_ca;
  opts.pem_key_cert_pairs.push_back({tls->private_key, tls->cert_chain});
  return grpc::SslServerCredentials(opts);
}

// "host:0" -> "host:PORT" once the port is known.
std::string bound_address(const std::string& address, int port) {
  const size_t colon = address.rfind(':');
  if (port <= 0 || colon == std::string::npos)
    return address;
  return address.substr(0, colon + 1) + std::to_string(port);
}

} // namespace

Result<std::unique_ptr<ApiServer>> ApiServer::create(const std::string& address, EventHub& hub,
                                                     std::string version, PolicyControl* policies,
                                                     const ServerTls* tls,
                                                     FilterOptions filter_options) {
  std::unique_ptr<ApiServer> s(new ApiServer());
  s->address_ = address;
  s->socket_path_ = unix_socket_path(address);
  if (tls != nullptr && !s->socket_path_.empty())
    return make_error(EINVAL, "--server-tls-* needs a TCP --server-address (host:port), not " +
                                  address + ": the unix socket is root-only and stays plaintext");
  if (!s->socket_path_.empty())
    OCTAGON_TRY(prepare_socket_path(s->socket_path_));
  s->service_ = std::make_unique<FineGuidanceService>(hub, std::move(version), policies,
                                                    filter_options);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, server_credentials(tls), &port);
  builder.RegisterService(s->service_.get());
  s->server_ = builder.BuildAndStart();
  if (!s->server_ || (s->socket_path_.empty() && port == 0))
    return make_error(EADDRNOTAVAIL, "cannot listen on --server-address " + address);
  if (!s->socket_path_.empty() && chmod(s->socket_path_.c_str(), 0600) != 0)
    return make_error(errno, "chmod 0600 " + s->socket_path_);
  if (s->socket_path_.empty())
    s->address_ = bound_address(address, port);
  const char* mode = tls == nullptr ? "" : tls->client_ca.empty() ? " (TLS)" : " (mTLS: client certificates required)";
  OCTAGON_LOG_INFO("gRPC API listening on %s%s", s->address_.c_str(), mode);
  return s;
}

void ApiServer::stop() {
  if (!server_)
    return;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server_->Wait();
  server_.reset();
  if (!socket_path_.empty())
    unlink(socket_path_.c_str());
}

ApiServer::~ApiServer() {
  stop();
}

} // namespace octagon::api
