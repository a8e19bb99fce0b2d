#include <octagon/cli/client.h>

#include <octagon/cli/client_tls.h>

namespace octagon::cli {

std::unique_ptr<tetragon::FineGuidanceSensors::Stub> make_stub(const std::string& address) {
  return tetragon::FineGuidanceSensors::NewStub(make_channel(address));
}

std::string terminal_safe(const std::string& s) {
  // Control bytes (ESC, CR, ...) as \xNN; everything else, UTF-8 included, as is. (Not
  // append_terminal_safe: it Go-quotes strings with spaces, which suits event fields, not
  // sentences.)
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

namespace {
const char* code_name(grpc::StatusCode c) {
  switch (c) {
  case grpc::StatusCode::CANCELLED:
    return "CANCELLED";
  case grpc::StatusCode::INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case grpc::StatusCode::DEADLINE_EXCEEDED:
    return "DEADLINE_EXCEEDED";
  case grpc::StatusCode::NOT_FOUND:
    return "NOT_FOUND";
  case grpc::StatusCode::PERMISSION_DENIED:
    return "PERMISSION_DENIED";
  case grpc::StatusCode::UNIMPLEMENTED:
    return "UNIMPLEMENTED";
  case grpc::StatusCode::UNAVAILABLE:
    return "UNAVAILABLE";
  case grpc::StatusCode::INTERNAL:
    return "INTERNAL";
  default:
    return "ERROR";
  }
}
} // namespace

std::string describe_status(const grpc::Status& status, const std::string& address) {
  std::string msg = status.error_message();
  if (auto nl = msg.find('\n'); nl != std::string::npos)
    msg.resize(nl);
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
    return "cannot reach the agent at " + terminal_safe(address) + ": " + terminal_safe(msg) +
           tls_hint(msg);
  return std::string(code_name(status.error_code())) + ": " + terminal_safe(msg);
}

} // namespace octagon::cli
