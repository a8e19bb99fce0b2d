#include <octagon/api/policy_rpc.h>

#include <cerrno>

namespace octagon::api {
namespace {

grpc::Status status_of(const Error& e) {
  grpc::StatusCode code = grpc::StatusCode::FAILED_PRECONDITION;  // e.g. the kernel refused it
  switch (e.code()) {
    case EINVAL: code = grpc::StatusCode::INVALID_ARGUMENT; break;
    case ENOENT: code = grpc::StatusCode::NOT_FOUND; break;
    case EEXIST: code = grpc::StatusCode::ALREADY_EXISTS; break;
    case ENOTSUP: code = grpc::StatusCode::UNIMPLEMENTED; break;
    default: break;
  }
  return grpc::Status(code, e.message());
}

grpc::Status no_engine() {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      "the agent has no policy engine (tracefs unavailable; see its log)");
}

// Namespaced policies are refused at load, so a namespace here names nothing we have.
grpc::Status check_namespace(const std::string& ns) {
  if (ns.empty()) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::NOT_FOUND,
                      "namespace " + ns + ": TracingPolicyNamespaced is not supported by Octagon");
}

}  // namespace

grpc::Status add_policy(PolicyControl* pc, const tetragon::AddTracingPolicyRequest& req) {
  if (!pc) return no_engine();
  if (req.yaml().empty()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "yaml is empty");
  auto r = pc->add_yaml(req.yaml());
  return r ? grpc::Status::OK : status_of(r.error());
}

grpc::Status delete_policy(PolicyControl* pc, const tetragon::DeleteTracingPolicyRequest& req) {
  if (!pc) return no_engine();
  if (auto s = check_namespace(req.namespace_()); !s.ok()) return s;
  auto r = pc->remove(req.name());
  return r ? grpc::Status::OK : status_of(r.error());
}

grpc::Status list_policies(PolicyControl* pc, tetragon::ListTracingPoliciesResponse& resp) {
  if (!pc) return no_engine();
  for (const PolicyInfo& p : pc->list()) {
    auto* s = resp.add_policies();
    s->set_id(p.id);
    s->set_name(p.name);
    s->set_namespace_(p.namespace_);
    for (const auto& sensor : p.sensors) s->add_sensors(sensor);
    // Deprecated in the proto, still read by older clients.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    s->set_enabled(p.state == tetragon::TP_STATE_ENABLED);
#pragma GCC diagnostic pop
    s->set_error(p.error);
    s->set_state(static_cast<tetragon::TracingPolicyState>(p.state));
    s->set_kernel_memory_bytes(p.kernel_memory_bytes);
    s->set_mode(p.monitor ? tetragon::TP_MODE_MONITOR : tetragon::TP_MODE_ENFORCE);
  }
  return grpc::Status::OK;
}

grpc::Status configure_policy(PolicyControl* pc, const tetragon::ConfigureTracingPolicyRequest& req) {
  if (!pc) return no_engine();
  if (auto s = check_namespace(req.namespace_()); !s.ok()) return s;
  if (!req.has_enable() && !req.has_mode())
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "nothing to configure: set enable or mode");
  if (req.has_mode() && req.mode() != tetragon::TP_MODE_ENFORCE && req.mode() != tetragon::TP_MODE_MONITOR)
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "mode must be TP_MODE_ENFORCE or TP_MODE_MONITOR, not " + std::to_string(req.mode()));
  // Mode first: a policy enabled by the same request starts in the requested mode.
  if (req.has_mode()) {
    auto r = pc->set_monitor(req.name(), req.mode() == tetragon::TP_MODE_MONITOR);
    if (!r) return status_of(r.error());
  }
  if (req.has_enable()) {
    auto r = req.enable() ? pc->enable(req.name()) : pc->disable(req.name());
    if (!r) return status_of(r.error());
  }
  return grpc::Status::OK;
}

}  // namespace octagon::api
