// Helpers shared by the policy parser tests.
#pragma once

#include <octagon/policy/parser.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace octagon::policy::testing {

inline std::string fixtures_dir() {
  return std::string(OCTAGON_SOURCE_DIR) + "/tests/fixtures/policies";
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The *.yaml files of `dir`, sorted by name.
inline std::vector<std::string> yaml_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".yaml")
      out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A minimal valid policy header; `spec_body` is indented two spaces under "spec:".
inline std::string policy_yaml(const std::string& spec_body, const std::string& name = "test") {
  return "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: " + name +
         "\nspec:\n" + spec_body;
}

// Parses `yaml` and fails the test (with the error) when it does not parse.
inline TracingPolicy parse_ok(const std::string& yaml) {
  Result<TracingPolicy> r = parse_policy(yaml, "test.yaml");
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  return r ? std::move(r).value() : TracingPolicy{};
}

// The error message of parsing `yaml` ("" when it parsed).
inline std::string parse_error(const std::string& yaml) {
  Result<TracingPolicy> r = parse_policy(yaml, "test.yaml");
  EXPECT_FALSE(r.has_value()) << "parsed unexpectedly";
  return r ? std::string() : r.error().message();
}

// A directory under /tmp removed at the end of the test.
class TempDir {
public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "octagon-policy-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty())
      std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  void write(const std::string& rel, const std::string& text) const {
    const std::filesystem::path p = std::filesystem::path(path_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }

private:
  std::string path_;
};

} // namespace octagon::policy::testing
