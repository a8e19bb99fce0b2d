// The CLI's TLS flags (tetra's names) and the TLS channel credentials make_stub() uses.
#include <octagon/cli/client.h>

#include <cerrno>
#include <cstdio>
#include <optional>

#include <octagon/cli/client_tls.h>

namespace octagon::cli {
namespace {

std::optional<api::ClientTls>& active_tls() {
  static std::optional<api::ClientTls> tls;
  return tls;
}

void split_commas(const std::string& v, std::vector<std::string>& out) {
  size_t pos = 0;
  while (pos <= v.size()) {
    size_t comma = v.find(',', pos);
    if (comma == std::string::npos)
      comma = v.size();
    if (comma > pos)
      out.push_back(v.substr(pos, comma - pos));
    pos = comma + 1;
  }
}

std::optional<std::chrono::milliseconds>& timeout_flag() {
  static std::optional<std::chrono::milliseconds> t;
  return t;
}

Result<std::chrono::milliseconds> parse_timeout(const std::string& v) {
  size_t digits = 0;
  while (digits < v.size() && digits < 9 && v[digits] >= '0' && v[digits] <= '9')
    digits++;
  const std::string unit = v.substr(digits);
  long long n = digits == 0 ? 0 : std::stoll(v.substr(0, digits));
  long long ms = 0;
  if (unit.empty() || unit == "s")
    ms = n * 1000;
  else if (unit == "ms")
    ms = n;
  else if (unit == "m")
    ms = n * 60000;
  else if (unit == "h")
    ms = n * 3600000;
  else
    digits = 0;
  if (digits == 0 || ms <= 0)
    return make_error(EINVAL, "--timeout: '" + v + "' is not a positive duration (e.g. 10s, 500ms, 2m)");
  return std::chrono::milliseconds(ms);
}

} // namespace

Result<void> take_timeout_flag(std::vector<std::string>& args) {
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& a = args[i];
    if (a == "--") {
      rest.insert(rest.end(), args.begin() + static_cast<long>(i), args.end());
      break;
    }
    std::string value;
    if (a == "--timeout") {
      if (i + 1 >= args.size())
        return make_error(EINVAL, "--timeout: missing value");
      value = args[++i];
    } else if (a.rfind("--timeout=", 0) == 0) {
      value = a.substr(10);
    } else {
      rest.push_back(a);
      continue;
    }
    OCTAGON_ASSIGN_OR_RETURN(timeout_flag(), parse_timeout(value));
  }
  args = std::move(rest);
  return ok();
}

std::chrono::system_clock::time_point rpc_deadline(std::chrono::milliseconds fallback) {
  return std::chrono::system_clock::now() + timeout_flag().value_or(fallback);
}

std::unique_ptr<tetragon::FineGuidanceSensors::Stub> make_stream_stub(const std::string& address,
                                                                      grpc::ClientContext& ctx) {
  auto channel = make_channel(address);
  if (timeout_flag() &&
      !channel->WaitForConnected(std::chrono::system_clock::now() + *timeout_flag()))
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  return tetragon::FineGuidanceSensors::NewStub(channel);
}

Result<api::ClientTlsFiles> take_tls_flags(std::vector<std::string>& args) {
  api::ClientTlsFiles files;
  bool server_name_given = false;
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); i++) {
    std::string flag = args[i];
    if (flag == "--") { // everything after it belongs to the command
      rest.insert(rest.end(), args.begin() + static_cast<long>(i), args.end());
      break;
    }
    if (flag.rfind("--tls-", 0) != 0) {
      rest.push_back(flag);
      continue;
    }
    std::string value;
    bool has_value = false;
    if (auto eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
      has_value = true;
    }
    if (flag == "--tls-skip-verify")
      return make_error(EINVAL, "--tls-skip-verify is not supported: give the agent's CA with "
                                "--tls-ca-cert-files");
    if (flag != "--tls-ca-cert-files" && flag != "--tls-cert-file" && flag != "--tls-key-file" &&
        flag != "--tls-server-name")
      return make_error(EINVAL, "unknown flag " + flag +
                                    " (TLS flags: --tls-ca-cert-files, --tls-cert-file, "
                                    "--tls-key-file, --tls-server-name)");
    if (!has_value) {
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)
        return make_error(EINVAL, flag + ": missing value");
      value = args[++i];
    }
    if (value.empty())
      return make_error(EINVAL, flag + ": empty value");
    if (flag == "--tls-ca-cert-files")
      split_commas(value, files.ca_files);
    else if (flag == "--tls-cert-file")
      files.cert_file = value;
    else if (flag == "--tls-key-file")
      files.key_file = value;
    else {
      files.server_name = value;
      server_name_given = true;
    }
  }
  if (server_name_given && !files.enabled())
    return make_error(EINVAL, "--tls-server-name needs TLS: give --tls-ca-cert-files (or "
                              "--tls-cert-file/--tls-key-file)");
  if (files.cert_file.empty() != files.key_file.empty())
    return make_error(EINVAL, "--tls-cert-file and --tls-key-file must be given together");
  args = std::move(rest);
  return files;
}

Result<void> use_client_tls(const api::ClientTlsFiles& files) {
  if (!files.enabled()) {
    active_tls().reset();
    return ok();
  }
  std::string warning;
  OCTAGON_ASSIGN_OR_RETURN(api::ClientTls tls, api::load_client_tls(files, &warning));
  if (!warning.empty())
    fprintf(stderr, "octagon: warning: %s\n", terminal_safe(warning).c_str());
  active_tls() = std::move(tls);
  return ok();
}

bool tls_active() {
  return active_tls().has_value();
}

std::shared_ptr<grpc::Channel> make_channel(const std::string& address) {
  if (!active_tls())
    return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  const api::ClientTls& tls = *active_tls();
  grpc::SslCredentialsOptions opts;
  opts.pem_root_certs = tls.roots;
  opts.pem_cert_chain = tls.cert_chain;
  opts.pem_private_key = tls.private_key;
  grpc::ChannelArguments args;
  if (!tls.server_name.empty())
    args.SetSslTargetNameOverride(tls.server_name);
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(opts), args);
}

std::string tls_hint(const std::string& message) {
  auto has = [&](const char* s) { return message.find(s) != std::string::npos; };
  if (!tls_active()) {
    if (has("Socket closed") || has("Connection reset"))
      return " (the agent may serve TLS: give --tls-ca-cert-files)";
    return "";
  }
  if (has("certificate verify failed"))
    return " (TLS: the agent's certificate is not signed by a CA in --tls-ca-cert-files)";
  if (has("not in peer certificate"))
    return " (TLS: the agent's certificate is for another name; --tls-server-name NAME verifies "
           "that name instead)";
  if (has("wrong version number") || has("packet length too long"))
    return " (TLS: the agent does not serve TLS on this address)";
  if (has("Socket closed") || has("Connection reset"))
    return active_tls()->cert_chain.empty()
               ? " (TLS: the agent closed the connection; it may require a client certificate: "
                 "--tls-cert-file/--tls-key-file)"
               : " (TLS: the agent closed the connection; it may not accept this client "
                 "certificate: is it signed by the agent's client CA?)";
  return "";
}

const char* tls_flags_help() {
  return "TLS flags (any command that talks to the agent; tetra's names):\n"
         "      --tls-ca-cert-files LIST  PEM CA bundles that sign the agent's certificate\n"
         "                                (comma-separated; turns TLS on)\n"
         "      --tls-cert-file FILE      PEM client certificate, for mutual TLS\n"
         "      --tls-key-file FILE       its PEM private key\n"
         "      --tls-server-name NAME    name to verify in the agent's certificate (default:\n"
         "                                the host of --server-address)\n"
         "      --timeout DURATION        RPC deadline, for getevents the connection's (e.g.\n"
         "                                10s, 500ms; default 10s, tracingpolicy 30s)\n";
}

} // namespace octagon::cli
