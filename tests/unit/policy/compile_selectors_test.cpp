// The compiler's process filters and the SubString / FileType operators: the plans produced
// for the kernel (abi/generic.h) and the refusals, against a fake kernel.
#include <octagon/policy/compiler.h>
#include <octagon/policy/parser.h>

#include <cstring>

#include "test_helpers.h"

namespace octagon::policy {
namespace {

class Kernel : public KernelFacts {
 public:
  bool host_known = true;
  Result<std::vector<FormatField>> tracepoint_fields(const std::string& sub, const std::string& ev) override {
    std::vector<FormatField> f = {{"common_type", "unsigned short", 0, 2, false},
                                  {"common_flags", "unsigned char", 2, 1, false},
                                  {"common_preempt_count", "unsigned char", 3, 1, false},
                                  {"common_pid", "int", 4, 4, true},
                                  {"__syscall_nr", "int", 8, 4, true}};
    if (sub != "syscalls") return make_error(ENOENT, "no tracepoint");
    if (ev == "sys_enter_openat") {
      f.push_back({"dfd", "int", 16, 8, false});
      f.push_back({"filename", "const char *", 24, 8, false});
      f.push_back({"flags", "int", 32, 8, false});
    } else if (ev == "sys_enter_fsync") {
      f.push_back({"fd", "unsigned int", 16, 8, false});
    } else if (ev.rfind("sys_exit_", 0) == 0) {
      f.push_back({"ret", "long", 16, 8, true});
    } else {
      return make_error(ENOENT, "no tracepoint " + ev);
    }
    return f;
  }
  std::string syscall_prefix() const override { return "__x64_"; }
  std::optional<int> syscall_number(const std::string&) const override { return std::nullopt; }
  std::optional<uint32_t> host_namespace(NamespaceType t) const override {
    if (!host_known) return std::nullopt;
    return 4026531000u + uint32_t(t);
  }
};

// A sys_openat kprobe (path argument at position 0, flags at 1) with the given selectors.
std::string openat(const std::string& selectors) {
  return "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: p}\nspec:\n"
         "  kprobes:\n  - call: sys_openat\n"
         "    args: [{index: 1, type: string}, {index: 2, type: int}]\n"
         "    selectors:\n" + selectors;
}

Result<CompiledPolicy> compile(const std::string& yaml, bool host_known = true) {
  OCTAGON_ASSIGN_OR_RETURN(TracingPolicy p, parse_policy(yaml, "test.yaml"));
  Kernel k;
  k.host_known = host_known;
  return compile_policy(p, k);
}

std::string key_text(const oct_gen_lpm_key& k) {
  return std::string(reinterpret_cast<const char*>(&k.data[1]), k.prefixlen / 8 - 1);
}

TEST(CompileSelectors, PidFiltersKeepTheirFlags) {
  auto c = compile(openat(R"(    - matchPIDs:
      - {operator: NotIn, followForks: true, isNamespacePID: true, values: [1]}
      - {operator: In, values: [10, 20]}
)"));
  ASSERT_OK(c);
  const oct_gen_selector& s = c->hooks[0].enter.config.selectors[0];
  ASSERT_EQ(s.npid_filters, 2);
  EXPECT_EQ(s.pid_filters[0].op, OCT_SET_NOTIN);
  EXPECT_EQ(s.pid_filters[0].flags, OCT_PIDF_FOLLOW | OCT_PIDF_NSPID);
  EXPECT_EQ(s.pid_filters[0].pids[0], 1u);
  EXPECT_EQ(s.pid_filters[1].op, OCT_SET_IN);
  EXPECT_EQ(s.pid_filters[1].flags, 0);
  EXPECT_EQ(s.pid_filters[1].npids, 2);
  EXPECT_EQ(s.pid_filters[1].pids[1], 20u);
  EXPECT_EQ(c->hooks[0].enter.config.proc_needs, 0u);
  EXPECT_EQ(c->hooks[0].exit->config.selectors[0].npid_filters, 2);  // both halves filter
}

TEST(CompileSelectors, NamespacesHostNsAndChanges) {
  auto c = compile(openat(R"(    - matchNamespaces:
      - {namespace: Pid, operator: In, values: [host_ns, "4026532000"]}
      - {namespace: User, operator: NotIn, values: [host_ns]}
      matchNamespaceChanges: [{operator: In, values: [Mnt, Net]}]
)"));
  ASSERT_OK(c);
  const oct_gen_config& cfg = c->hooks[0].enter.config;
  const oct_gen_selector& s = cfg.selectors[0];
  ASSERT_EQ(s.nns_filters, 2);
  EXPECT_EQ(s.ns_filters[0].ns, OCT_NS_PID);
  EXPECT_EQ(s.ns_filters[0].op, OCT_SET_IN);
  ASSERT_EQ(s.ns_filters[0].nvals, 2);
  EXPECT_EQ(s.ns_filters[0].vals[0], 4026531000u + OCT_NS_PID);  // host_ns from the kernel facts
  EXPECT_EQ(s.ns_filters[0].vals[1], 4026532000u);
  EXPECT_EQ(s.ns_filters[1].ns, OCT_NS_USER);
  EXPECT_EQ(s.ns_filters[1].op, OCT_SET_NOTIN);
  EXPECT_EQ(s.nschg_op, OCT_SET_IN);
  EXPECT_EQ(s.nschg_mask, (1u << OCT_NS_MNT) | (1u << OCT_NS_NET));
  EXPECT_EQ(cfg.proc_needs, unsigned(OCT_PN_NAMESPACES | OCT_PN_EXEC_INFO));

  EXPECT_ERR(compile(openat("    - matchNamespaces: [{namespace: Uts, operator: In, values: [host_ns]}]\n"), false),
             EINVAL, "test.yaml:9:.*host's Uts namespace is unknown.*hint: give the namespace's inode number");
}

TEST(CompileSelectors, CapabilitiesAndChanges) {
  auto c = compile(openat(R"(    - matchCapabilities:
      - {type: Permitted, operator: NotIn, isNamespaceCapability: true, values: [CAP_SYS_ADMIN, CAP_CHOWN]}
      matchCapabilityChanges:
      - {operator: In, values: [CAP_SETUID]}
)"));
  ASSERT_OK(c);
  const oct_gen_config& cfg = c->hooks[0].enter.config;
  const oct_gen_selector& s = cfg.selectors[0];
  ASSERT_EQ(s.ncap_filters, 1);
  EXPECT_EQ(s.cap_filters[0].set, OCT_CAPS_PERMITTED);
  EXPECT_EQ(s.cap_filters[0].op, OCT_SET_NOTIN);
  EXPECT_EQ(s.cap_filters[0].ns_only, 1);
  EXPECT_EQ(s.cap_filters[0].mask, (1ull << 21) | (1ull << 0));
  ASSERT_EQ(s.ncapchg_filters, 1);
  EXPECT_EQ(s.capchg_filters[0].set, OCT_CAPS_EFFECTIVE);  // the default type
  EXPECT_EQ(s.capchg_filters[0].mask, 1ull << 7);
  EXPECT_EQ(cfg.proc_needs, unsigned(OCT_PN_CAPS | OCT_PN_EXEC_INFO));
}

TEST(CompileSelectors, BinarySetsPerSelectorAndOperator) {
  auto c = compile(openat(R"(    - matchBinaries: [{operator: In, values: [/usr/bin/cat, /bin/sh]}]
    - matchBinaries: [{operator: Postfix, values: [/curl]}]
      matchParentBinaries: [{operator: NotIn, followChildren: true, values: [/usr/sbin/sshd]}]
    - matchBinaries: [{operator: NotPrefix, values: [/usr/]}]
)"));
  ASSERT_OK(c);
  const HookAttach& h = c->hooks[0].enter;
  const oct_gen_config& cfg = h.config;
  EXPECT_EQ(cfg.selectors[0].bin_op, OCT_OP_EQ);
  EXPECT_EQ(cfg.selectors[1].bin_op, OCT_OP_POSTFIX);
  EXPECT_EQ(cfg.selectors[1].pbin_op, OCT_OP_NEQ);
  EXPECT_EQ(cfg.selectors[1].pbin_follow, 1);
  EXPECT_EQ(cfg.selectors[2].bin_op, OCT_OP_NOTPREFIX);
  EXPECT_EQ(cfg.proc_needs, unsigned(OCT_PN_EXEC_INFO | OCT_PN_PARENT_INFO | OCT_PN_ANCESTOR_INFO));
  ASSERT_EQ(h.binaries.size(), 5u);
  // In: NUL-terminated (only an exact path is a prefix), in set selector * 2.
  EXPECT_EQ(h.binaries[0].data[0], 0);
  EXPECT_EQ(key_text(h.binaries[0]), std::string("/usr/bin/cat") + '\0');
  EXPECT_EQ(key_text(h.binaries[1]), std::string("/bin/sh") + '\0');
  // Postfix: reversed.
  EXPECT_EQ(h.binaries[2].data[0], 2);
  EXPECT_EQ(key_text(h.binaries[2]), "lruc/");
  // Parents: set selector * 2 + 1.
  EXPECT_EQ(h.binaries[3].data[0], 3);
  EXPECT_EQ(key_text(h.binaries[3]), std::string("/usr/sbin/sshd") + '\0');
  EXPECT_EQ(h.binaries[4].data[0], 4);
  EXPECT_EQ(key_text(h.binaries[4]), "/usr/");
  EXPECT_EQ(h.binaries[4].prefixlen, 6u * 8);
  ASSERT_TRUE(c->hooks[0].exit);
  EXPECT_EQ(c->hooks[0].exit->binaries.size(), 5u);
}

TEST(CompileSelectors, SubStringAndFileType) {
  auto c = compile(R"(apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata: {name: p}
spec:
  kprobes:
  - call: sys_fsync
    args: [{index: 0, type: fd}]
    selectors:
    - matchArgs: [{index: 0, operator: NotFileType, values: [reg, S_IFDIR, sock]}]
  - call: sys_openat
    args: [{index: 1, type: string}]
    selectors:
    - matchArgs: [{index: 1, operator: SubString, values: [passwd]}]
)");
  ASSERT_OK(c);
  const oct_gen_filter& ft = c->hooks[0].enter.config.selectors[0].filters[0];
  EXPECT_EQ(ft.op, OCT_OP_NOTFILETYPE);
  EXPECT_EQ(ft.is_string, 0);
  ASSERT_EQ(ft.nvals, 3);
  EXPECT_EQ(ft.ivals[0], 0100000);
  EXPECT_EQ(ft.ivals[2], 0040000);
  EXPECT_EQ(ft.ivals[4], 0140000);
  const oct_gen_filter& ss = c->hooks[1].enter.config.selectors[0].filters[0];
  EXPECT_EQ(ss.op, OCT_OP_SUBSTRING);
  EXPECT_EQ(ss.is_string, 1);
  EXPECT_EQ(std::string(ss.svals[0], ss.slen[0]), "passwd");
}

TEST(CompileSelectors, FdPathStringFilters) {
  auto c = compile(R"(apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata: {name: p}
spec:
  kprobes:
  - call: sys_fsync
    args: [{index: 0, type: fd}]
    selectors:
    - matchArgs: [{index: 0, operator: Prefix, values: [/etc/, /var/]}]
    - matchArgs: [{index: 0, operator: NotPostfix, values: [.log]}]
)");
  ASSERT_OK(c);
  const oct_gen_filter& pf = c->hooks[0].enter.config.selectors[0].filters[0];
  EXPECT_EQ(pf.op, OCT_OP_PREFIX);
  EXPECT_EQ(pf.is_string, OCT_GEN_STR_PATH);
  ASSERT_EQ(pf.nvals, 2);
  EXPECT_EQ(std::string(pf.svals[1], pf.slen[1]), "/var/");
  const oct_gen_filter& nf = c->hooks[0].enter.config.selectors[1].filters[0];
  EXPECT_EQ(nf.op, OCT_OP_NOTPOSTFIX);
  EXPECT_EQ(nf.is_string, OCT_GEN_STR_PATH);
}

TEST(CompileSelectors, StringInMapGoesToTheTrie) {
  auto c = compile(R"(apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata: {name: p}
spec:
  tracepoints:
  - subsystem: syscalls
    event: sys_enter_openat
    args: [{index: 6}]
    selectors:
    - matchArgs: [{index: 0, operator: NotInMap, values: [/etc/passwd, /etc/shadow]}]
)");
  ASSERT_OK(c);
  const auto& h = c->hooks[0].enter;
  const oct_gen_filter& f = h.config.selectors[0].filters[0];
  EXPECT_EQ(f.op, OCT_OP_NOTINMAP);
  EXPECT_EQ(f.is_string, 1);
  ASSERT_EQ(h.binaries.size(), 2u);
  EXPECT_EQ(h.binaries[1].data[0], OCT_GEN_LPM_STRSET_BASE + f.set);
  EXPECT_EQ(h.binaries[1].prefixlen, (11u + 2) * 8);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&h.binaries[1].data[1]), 12), std::string("/etc/shadow") + '\0');
}

TEST(CompileSelectors, Refusals) {
  std::string long_path = "/" + std::string(300, 'a');
  EXPECT_ERR(compile(openat("    - matchBinaries: [{operator: In, values: [\"" + long_path + "\"]}]\n")),
             EINVAL, "test.yaml:9:.*binary path of 301 bytes; at most 254");
  EXPECT_ERR(compile(openat("    - matchArgs: [{index: 1, operator: SubString, values: [\"\"]}]\n")), EINVAL,
             "an empty SubString value matches everything");
  EXPECT_ERR(compile(openat("    - matchArgs: [{index: 1, operator: FileType, values: [reg]}]\n")), EINVAL,
             "FileType");
  EXPECT_ERR(compile(R"(apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata: {name: p}
spec:
  kprobes:
  - call: sys_fsync
    args: [{index: 0, type: fd}]
    selectors:
    - matchArgs: [{index: 0, operator: FileType, values: [socket]}]
)"),
             EINVAL, "unknown file type 'socket'.*hint: one of reg, dir");
  std::string five;
  for (int i = 0; i < 5; i++) five += "      - {operator: In, values: [" + std::to_string(i + 1) + "]}\n";
  EXPECT_ERR(compile(openat("    - matchPIDs:\n" + five)), EINVAL, "at most 4 matchPIDs entries");
  EXPECT_ERR(compile(openat("    - matchNamespaceChanges: [{operator: In, values: [Mnt]}, {operator: In, values: [Uts]}]\n")),
             EINVAL, "only one matchNamespaceChanges entry");
}

}  // namespace
}  // namespace octagon::policy
