// Spelling tables of the policy vocabularies (facts from Tetragon's CRD and documentation).
#include <octagon/policy/enums.h>

#include <array>
#include <cctype>
#include <string>

namespace octagon::policy {
namespace {

using AT = ArgType;
constexpr EnumSpelling<ArgType> kArgTypes[] = {
    {"auto", AT::kAuto},
    {"int", AT::kInt},
    {"int8", AT::kSint8},
    {"sint8", AT::kSint8},
    {"uint8", AT::kUint8},
    {"int16", AT::kSint16},
    {"sint16", AT::kSint16},
    {"uint16", AT::kUint16},
    {"int32", AT::kSint32},
    {"sint32", AT::kSint32},
    {"uint32", AT::kUint32},
    {"int64", AT::kSint64},
    {"sint64", AT::kSint64},
    {"long", AT::kSint64},
    {"uint64", AT::kUint64},
    {"ulong", AT::kUint64},
    {"size_t", AT::kSizeT},
    {"string", AT::kString},
    {"char_buf", AT::kCharBuf},
    {"char_iovec", AT::kCharIovec},
    {"const_buf", AT::kConstBuf},
    {"filename", AT::kFilename},
    {"fd", AT::kFd},
    {"file", AT::kFile},
    {"path", AT::kPath},
    {"dentry", AT::kDentry},
    {"linux_binprm", AT::kLinuxBinprm},
    {"kiocb", AT::kKiocb},
    {"iov_iter", AT::kIovIter},
    {"skb", AT::kSkb},
    {"sock", AT::kSock},
    {"socket", AT::kSocket},
    {"sockaddr", AT::kSockaddr},
    {"sockaddr_un", AT::kSockaddrUn},
    {"net_device", AT::kNetDevice},
    {"cred", AT::kCred},
    {"user_namespace", AT::kUserNamespace},
    {"capability", AT::kCapability},
    {"kernel_cap_t", AT::kKernelCapT},
    {"cap_inheritable", AT::kCapInheritable},
    {"cap_permitted", AT::kCapPermitted},
    {"cap_effective", AT::kCapEffective},
    {"bpf_attr", AT::kBpfAttr},
    {"bpf_prog", AT::kBpfProg},
    {"bpf_map", AT::kBpfMap},
    {"bpf_cmd", AT::kBpfCmd},
    {"perf_event", AT::kPerfEvent},
    {"load_info", AT::kLoadInfo},
    {"module", AT::kModule},
    {"syscall64", AT::kSyscall64},
    {"data_loc", AT::kDataLoc},
    {"nop", AT::kNop},
};

using AO = ArgOperator;
constexpr EnumSpelling<ArgOperator> kArgOperators[] = {
    {"Equal", AO::kEqual},
    {"NotEqual", AO::kNotEqual},
    {"Prefix", AO::kPrefix},
    {"NotPrefix", AO::kNotPrefix},
    {"Postfix", AO::kPostfix},
    {"NotPostfix", AO::kNotPostfix},
    {"Mask", AO::kMask},
    {"GreaterThan", AO::kGreaterThan},
    {"GT", AO::kGreaterThan},
    {"gt", AO::kGreaterThan},
    {"LessThan", AO::kLessThan},
    {"LT", AO::kLessThan},
    {"lt", AO::kLessThan},
    {"InRange", AO::kInRange},
    {"NotInRange", AO::kNotInRange},
    {"InMap", AO::kInMap},
    {"NotInMap", AO::kNotInMap},
    {"SAddr", AO::kSAddr},
    {"NotSAddr", AO::kNotSAddr},
    {"DAddr", AO::kDAddr},
    {"NotDAddr", AO::kNotDAddr},
    {"SPort", AO::kSPort},
    {"NotSPort", AO::kNotSPort},
    {"DPort", AO::kDPort},
    {"NotDPort", AO::kNotDPort},
    {"SPortPriv", AO::kSPortPriv},
    {"NotSPortPriv", AO::kNotSPortPriv},
    {"NotSportPriv", AO::kNotSPortPriv},
    {"DPortPriv", AO::kDPortPriv},
    {"NotDPortPriv", AO::kNotDPortPriv},
    {"Protocol", AO::kProtocol},
    {"Family", AO::kFamily},
    {"State", AO::kState},
    {"CapabilitiesGained", AO::kCapabilitiesGained},
    {"SubString", AO::kSubString},
    {"SubStringIgnCase", AO::kSubStringIgnCase},
    {"SubStringIgnoreCase", AO::kSubStringIgnCase},
    {"CelExpr", AO::kCelExpr},
    {"FileType", AO::kFileType},
    {"NotFileType", AO::kNotFileType},
};

constexpr EnumSpelling<SetOperator> kSetOperators[] = {
    {"In", SetOperator::kIn},           {"NotIn", SetOperator::kNotIn},
    {"Prefix", SetOperator::kPrefix},   {"NotPrefix", SetOperator::kNotPrefix},
    {"Postfix", SetOperator::kPostfix}, {"NotPostfix", SetOperator::kNotPostfix},
};

using AC = ActionType;
constexpr EnumSpelling<ActionType> kActions[] = {
    {"Post", AC::kPost},
    {"NoPost", AC::kNoPost},
    {"Sigkill", AC::kSigkill},
    {"Signal", AC::kSignal},
    {"Override", AC::kOverride},
    {"GetUrl", AC::kGetUrl},
    {"DnsLookup", AC::kDnsLookup},
    {"TrackSock", AC::kTrackSock},
    {"UntrackSock", AC::kUntrackSock},
    {"NotifyEnforcer", AC::kNotifyEnforcer},
    {"CleanupEnforcerNotification", AC::kCleanupEnforcerNotification},
    {"Set", AC::kSet},
};

constexpr EnumSpelling<PolicyKind> kKinds[] = {
    {"TracingPolicy", PolicyKind::kTracingPolicy},
    {"TracingPolicyNamespaced", PolicyKind::kTracingPolicyNamespaced},
};

constexpr EnumSpelling<RateLimitScope> kScopes[] = {
    {"thread", RateLimitScope::kThread},
    {"process", RateLimitScope::kProcess},
    {"global", RateLimitScope::kGlobal},
};

using NT = NamespaceType;
constexpr EnumSpelling<NamespaceType> kNamespaces[] = {
    {"Uts", NT::kUts},
    {"Ipc", NT::kIpc},
    {"Mnt", NT::kMnt},
    {"Pid", NT::kPid},
    {"PidForChildren", NT::kPidForChildren},
    {"Net", NT::kNet},
    {"Time", NT::kTime},
    {"TimeForChildren", NT::kTimeForChildren},
    {"Cgroup", NT::kCgroup},
    {"User", NT::kUser},
};

constexpr EnumSpelling<CapabilitySet> kCapSets[] = {
    {"Effective", CapabilitySet::kEffective},
    {"Inheritable", CapabilitySet::kInheritable},
    {"Permitted", CapabilitySet::kPermitted},
};

constexpr EnumSpelling<ListType> kListTypes[] = {
    {"", ListType::kNone},
    {"syscalls", ListType::kSyscalls},
    {"generated_syscalls", ListType::kGeneratedSyscalls},
    {"generated_ftrace", ListType::kGeneratedFtrace},
};

constexpr EnumSpelling<PolicyMode> kModes[] = {
    {"enforce", PolicyMode::kEnforce},
    {"monitor", PolicyMode::kMonitor},
};

constexpr EnumSpelling<OverrideMethod> kOverrideMethods[] = {
    {"fmod-ret", OverrideMethod::kFmodRet},
    {"override-return", OverrideMethod::kOverrideReturn},
};

constexpr EnumSpelling<LabelOperator> kLabelOperators[] = {
    {"In", LabelOperator::kIn},
    {"NotIn", LabelOperator::kNotIn},
    {"Exists", LabelOperator::kExists},
    {"DoesNotExist", LabelOperator::kDoesNotExist},
};

constexpr EnumSpelling<DataSource> kDataSources[] = {
    {"", DataSource::kNone},
    {"current_task", DataSource::kCurrentTask},
    {"pt_regs", DataSource::kPtRegs},
};

constexpr EnumSpelling<ReturnArgAction> kReturnArgActions[] = {
    {"", ReturnArgAction::kNone},
    {"TrackSock", ReturnArgAction::kTrackSock},
    {"UntrackSock", ReturnArgAction::kUntrackSock},
};

constexpr EnumSpelling<DigestAlgorithm> kDigests[] = {
    {"sha1", DigestAlgorithm::kSha1},        {"sha256", DigestAlgorithm::kSha256},
    {"sha384", DigestAlgorithm::kSha384},    {"sha512", DigestAlgorithm::kSha512},
    {"build-id", DigestAlgorithm::kBuildId},
};

// Index = capability number: the one table in events/capabilities.h.
constexpr auto& kCapabilities = events::kCapabilityNames;

} // namespace

template <> std::span<const EnumSpelling<PolicyKind>> enum_spellings() {
  return kKinds;
}
template <> std::span<const EnumSpelling<ArgType>> enum_spellings() {
  return kArgTypes;
}
template <> std::span<const EnumSpelling<ArgOperator>> enum_spellings() {
  return kArgOperators;
}
template <> std::span<const EnumSpelling<SetOperator>> enum_spellings() {
  return kSetOperators;
}
template <> std::span<const EnumSpelling<ActionType>> enum_spellings() {
  return kActions;
}
template <> std::span<const EnumSpelling<RateLimitScope>> enum_spellings() {
  return kScopes;
}
template <> std::span<const EnumSpelling<NamespaceType>> enum_spellings() {
  return kNamespaces;
}
template <> std::span<const EnumSpelling<CapabilitySet>> enum_spellings() {
  return kCapSets;
}
template <> std::span<const EnumSpelling<ListType>> enum_spellings() {
  return kListTypes;
}
template <> std::span<const EnumSpelling<PolicyMode>> enum_spellings() {
  return kModes;
}
template <> std::span<const EnumSpelling<OverrideMethod>> enum_spellings() {
  return kOverrideMethods;
}
template <> std::span<const EnumSpelling<LabelOperator>> enum_spellings() {
  return kLabelOperators;
}
template <> std::span<const EnumSpelling<DataSource>> enum_spellings() {
  return kDataSources;
}
template <> std::span<const EnumSpelling<ReturnArgAction>> enum_spellings() {
  return kReturnArgActions;
}
template <> std::span<const EnumSpelling<DigestAlgorithm>> enum_spellings() {
  return kDigests;
}

std::optional<uint8_t> parse_capability(std::string_view text) {
  std::string upper;
  for (char c : text)
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (upper.rfind("CAP_", 0) != 0)
    upper = "CAP_" + upper;
  for (size_t i = 0; i < std::size(kCapabilities); ++i) {
    if (kCapabilities[i] == upper)
      return static_cast<uint8_t>(i);
  }
  return std::nullopt;
}

std::string_view capability_name(uint8_t cap) {
  return cap < std::size(kCapabilities) ? kCapabilities[cap] : std::string_view("?");
}

std::vector<std::string_view> capability_names() {
  return {std::begin(kCapabilities), std::end(kCapabilities)};
}

bool is_integer_type(ArgType t) {
  switch (t) {
  case AT::kInt:
  case AT::kSint8:
  case AT::kUint8:
  case AT::kSint16:
  case AT::kUint16:
  case AT::kSint32:
  case AT::kUint32:
  case AT::kSint64:
  case AT::kUint64:
  case AT::kSizeT:
  case AT::kSyscall64:
  case AT::kCapability:
  case AT::kBpfCmd:
  case AT::kKernelCapT:
  case AT::kCapInheritable:
  case AT::kCapPermitted:
  case AT::kCapEffective:
    return true;
  default:
    return false;
  }
}

bool is_string_type(ArgType t) {
  switch (t) {
  case AT::kString:
  case AT::kCharBuf:
  case AT::kCharIovec:
  case AT::kConstBuf:
  case AT::kFilename:
  case AT::kDataLoc:
  case AT::kNetDevice:
  case AT::kLoadInfo:
  case AT::kModule:
    return true;
  default:
    return false;
  }
}

bool is_path_type(ArgType t) {
  switch (t) {
  case AT::kFd:
  case AT::kFile:
  case AT::kPath:
  case AT::kDentry:
  case AT::kLinuxBinprm:
  case AT::kKiocb:
    return true;
  default:
    return false;
  }
}

bool is_buffer_type(ArgType t) {
  return t == AT::kCharBuf || t == AT::kCharIovec;
}

} // namespace octagon::policy
