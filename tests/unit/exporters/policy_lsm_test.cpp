// process_lsm JSON (compat reference 2.2: fields in ProcessLsm's order, ima_hash last) and the
// compact 🔒 LSM line with the IMA hash's second line (2.4); the kernel's hash_algo ids.
#include <octagon/exporters/json/compact_encoder.h>
#include <octagon/exporters/json/json_encoder.h>
#include <octagon/sensors/generic/ima_hash.h>

#include <gtest/gtest.h>

#include <string>

#include "unit/exporters/policy_fixtures.h"

namespace octagon::exporters {
namespace {

using K = events::Argument::Kind;
using fixtures::Arg;

events::Process zsh() {
  events::Process p;
  p.pid = p.tid = 10;
  p.binary = "/usr/bin/zsh";
  return p;
}

events::LsmEvent bprm(const events::Process& p) {
  events::LsmEvent ev;
  ev.process = &p;
  ev.function_name = "bprm_check_security";
  ev.policy_name = "file-integrity-monitoring";
  ev.args = {Arg(K::kLinuxBinprm).s("/usr/bin/grep").permission("-rwxr-xr-x")};
  ev.ima_hash = "sha256:73abb4280520053564fd4917286909ba3b054598b32c9cdfaf1d733e0202cc96";
  ev.time_ns = 2'000'000'000;
  return ev;
}

TEST(PolicyLsmJson, AsInTheReference) {
  const events::Process p = zsh();
  JsonEncoder enc("node-1", {});
  std::string out;
  enc.encode(bprm(p), out);
  const std::string head = R"({"process_lsm":{"process":{"pid":10,"uid":0,"binary":"/usr/bin/zsh",)";
  ASSERT_EQ(out.rfind(head, 0), 0u) << out;
  EXPECT_NE(out.find(R"(},"function_name":"bprm_check_security","policy_name":"file-integrity-monitoring",)"
                     R"("args":[{"linux_binprm_arg":{"path":"/usr/bin/grep","permission":"-rwxr-xr-x"}}],)"
                     R"("action":"KPROBE_ACTION_POST",)"
                     R"("ima_hash":"sha256:73abb4280520053564fd4917286909ba3b054598b32c9cdfaf1d733e0202cc96"},)"
                     R"("node_name":"node-1","time":"1970-01-01T00:00:02Z"})"),
            std::string::npos)
      << out;
  events::LsmEvent none = bprm(p);
  none.ima_hash.clear();
  out.clear();
  enc.encode(none, out);
  EXPECT_EQ(out.find("ima_hash"), std::string::npos) << out;  // empty: omitted
}

TEST(PolicyLsmCompact, HookThenHashLine) {
  const events::Process p = zsh();
  CompactEncoder enc("user-nix", false, false);
  std::string out;
  events::LsmEvent ev = bprm(p);
  ev.ima_hash = "sha256:dd55";
  enc.encode(ev, out);
  EXPECT_EQ(out, "🔒 LSM     user-nix /usr/bin/zsh bprm_check_security\n   /usr/bin/grep sha256:dd55\n");
  out.clear();
  ev.ima_hash.clear();
  enc.encode(ev, out);
  EXPECT_EQ(out, "🔒 LSM     user-nix /usr/bin/zsh bprm_check_security\n");
}

TEST(ImaHash, KernelAlgorithmIds) {
  EXPECT_EQ(sensors::ima_algo_name(4), "sha256");
  EXPECT_EQ(sensors::ima_digest_size(4), 32u);
  EXPECT_EQ(sensors::ima_algo_name(2), "sha1");
  EXPECT_EQ(sensors::ima_digest_size(6), 64u);
  std::string ab;
  for (int i = 0; i < 20; i++) ab += "ab";
  EXPECT_EQ(sensors::ima_hash_string(2, std::string(20, '\xab')), "sha1:" + ab);
  EXPECT_EQ(sensors::ima_hash_string(4, "short"), "");  // wrong digest size
  EXPECT_EQ(sensors::ima_hash_string(99, ""), "");      // unknown algorithm
  EXPECT_EQ(sensors::ima_algo_name(-95), "");
}

}  // namespace
}  // namespace octagon::exporters
