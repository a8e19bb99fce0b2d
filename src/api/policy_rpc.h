// The policy methods of FineGuidanceSensors, over a PolicyControl (nullptr: the agent has no
// policy engine, every call answers UNAVAILABLE with the reason).
#pragma once

#include <grpcpp/grpcpp.h>
#include <tetragon/sensors.pb.h>

#include <octagon/api/policy_control.h>

namespace octagon::api {

grpc::Status add_policy(PolicyControl* pc, const tetragon::AddTracingPolicyRequest& req);
grpc::Status delete_policy(PolicyControl* pc, const tetragon::DeleteTracingPolicyRequest& req);
grpc::Status list_policies(PolicyControl* pc, tetragon::ListTracingPoliciesResponse& resp);
grpc::Status configure_policy(PolicyControl* pc, const tetragon::ConfigureTracingPolicyRequest& req);

}  // namespace octagon::api
