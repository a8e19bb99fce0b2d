// Shared pieces of the CLI commands that talk to a running agent over gRPC.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <tetragon/sensors.grpc.pb.h>

namespace octagon::cli {

std::unique_ptr<tetragon::FineGuidanceSensors::Stub> make_stub(const std::string& address);

// One line, terminal-safe: "cannot reach the agent at ADDR: REASON" for UNAVAILABLE, else
// "CODE_NAME: message".
std::string describe_status(const grpc::Status& status, const std::string& address);

// Copy of an untrusted string with control bytes escaped as \xNN (server messages, flags).
std::string terminal_safe(const std::string& s);

} // namespace octagon::cli
