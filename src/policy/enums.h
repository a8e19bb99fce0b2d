// The closed vocabularies of a TracingPolicy (argument types, operators, actions, namespaces...)
// and their spellings. Every spelling Tetragon accepts is listed, aliases included; the first
// spelling of a value is its canonical name.
#pragma once

#include <octagon/events/capabilities.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace octagon::policy {

enum class PolicyKind { kTracingPolicy, kTracingPolicyNamespaced };

// args[].type, returnArg.type, data[].type (reference section 1.5). Aliases map onto one value:
// sint32/int32, sint16/int16, sint8/int8, sint64/int64/long, uint64/ulong. `int` and `size_t`
// stay distinct values because Tetragon gives them their own types (same width as sint32/uint64).
enum class ArgType {
  kAuto,
  kInt,
  kSint8,
  kUint8,
  kSint16,
  kUint16,
  kSint32,
  kUint32,
  kSint64,
  kUint64,
  kSizeT,
  kString,
  kCharBuf,
  kCharIovec,
  kConstBuf,
  kFilename,
  kFd,
  kFile,
  kPath,
  kDentry,
  kLinuxBinprm,
  kKiocb,
  kIovIter,
  kSkb,
  kSock,
  kSocket,
  kSockaddr,
  kSockaddrUn,
  kNetDevice,
  kCred,
  kUserNamespace,
  kCapability,
  kKernelCapT,
  kCapInheritable,
  kCapPermitted,
  kCapEffective,
  kBpfAttr,
  kBpfProg,
  kBpfMap,
  kBpfCmd,
  kPerfEvent,
  kLoadInfo,
  kModule,
  kSyscall64,
  kDataLoc,
  kNop,
};

// matchArgs / matchData / matchReturnArgs operators (reference section 1.6), every spelling:
// GreaterThan/GT/gt, LessThan/LT/lt, NotSPortPriv/NotSportPriv (the CRD's spelling),
// SubStringIgnCase/SubStringIgnoreCase (the docs' spelling).
enum class ArgOperator {
  kEqual,
  kNotEqual,
  kPrefix,
  kNotPrefix,
  kPostfix,
  kNotPostfix,
  kMask,
  kGreaterThan,
  kLessThan,
  kInRange,
  kNotInRange,
  kInMap,
  kNotInMap,
  kSAddr,
  kNotSAddr,
  kDAddr,
  kNotDAddr,
  kSPort,
  kNotSPort,
  kDPort,
  kNotDPort,
  kSPortPriv,
  kNotSPortPriv,
  kDPortPriv,
  kNotDPortPriv,
  kProtocol,
  kFamily,
  kState,
  kCapabilitiesGained,
  kSubString,
  kSubStringIgnCase,
  kCelExpr,
  kFileType,
  kNotFileType,
};

// Operators of matchPIDs / matchNamespaces / matchCapabilities (In, NotIn) and of
// matchBinaries / matchParentBinaries (all six).
enum class SetOperator { kIn, kNotIn, kPrefix, kNotPrefix, kPostfix, kNotPostfix };

// matchActions[].action. The values are Tetragon's KprobeAction numbers (event field `action`).
// FollowFD, UnfollowFD and CopyFD were removed from Tetragon and are refused by the parser.
enum class ActionType : uint8_t {
  kPost = 1,
  kSigkill = 3,
  kOverride = 5,
  kGetUrl = 7,
  kDnsLookup = 8,
  kNoPost = 9,
  kSignal = 10,
  kTrackSock = 11,
  kUntrackSock = 12,
  kNotifyEnforcer = 13,
  kCleanupEnforcerNotification = 14,
  kSet = 15,
};

enum class RateLimitScope { kThread, kProcess, kGlobal };

enum class NamespaceType {
  kUts,
  kIpc,
  kMnt,
  kPid,
  kPidForChildren,
  kNet,
  kTime,
  kTimeForChildren,
  kCgroup,
  kUser,
};

enum class CapabilitySet { kEffective, kInheritable, kPermitted };

// lists[].type; kNone is the empty string (a plain list of function names).
enum class ListType { kNone, kSyscalls, kGeneratedSyscalls, kGeneratedFtrace };

enum class PolicyMode { kEnforce, kMonitor };
enum class OverrideMethod { kFmodRet, kOverrideReturn };
enum class LabelOperator { kIn, kNotIn, kExists, kDoesNotExist };
enum class DataSource { kNone, kCurrentTask, kPtRegs }; // data[].source
enum class ReturnArgAction { kNone, kTrackSock, kUntrackSock };
enum class DigestAlgorithm { kSha1, kSha256, kSha384, kSha512, kBuildId };

template <typename E> struct EnumSpelling {
  std::string_view name;
  E value;
};

// One table per enum (defined in enums.cpp); the first spelling of a value is canonical.
template <typename E> std::span<const EnumSpelling<E>> enum_spellings();

template <> std::span<const EnumSpelling<PolicyKind>> enum_spellings();
template <> std::span<const EnumSpelling<ArgType>> enum_spellings();
template <> std::span<const EnumSpelling<ArgOperator>> enum_spellings();
template <> std::span<const EnumSpelling<SetOperator>> enum_spellings();
template <> std::span<const EnumSpelling<ActionType>> enum_spellings();
template <> std::span<const EnumSpelling<RateLimitScope>> enum_spellings();
template <> std::span<const EnumSpelling<NamespaceType>> enum_spellings();
template <> std::span<const EnumSpelling<CapabilitySet>> enum_spellings();
template <> std::span<const EnumSpelling<ListType>> enum_spellings();
template <> std::span<const EnumSpelling<PolicyMode>> enum_spellings();
template <> std::span<const EnumSpelling<OverrideMethod>> enum_spellings();
template <> std::span<const EnumSpelling<LabelOperator>> enum_spellings();
template <> std::span<const EnumSpelling<DataSource>> enum_spellings();
template <> std::span<const EnumSpelling<ReturnArgAction>> enum_spellings();
template <> std::span<const EnumSpelling<DigestAlgorithm>> enum_spellings();

// Exact (case-sensitive) lookup of a spelling.
template <typename E> std::optional<E> parse_enum(std::string_view text) {
  for (const auto& s : enum_spellings<E>()) {
    if (s.name == text)
      return s.value;
  }
  return std::nullopt;
}

// The canonical spelling of a value.
template <typename E> std::string_view enum_name(E value) {
  for (const auto& s : enum_spellings<E>()) {
    if (s.value == value)
      return s.name;
  }
  return "?";
}

// Every accepted spelling, for hints and "did you mean".
template <typename E> std::vector<std::string_view> enum_names() {
  std::vector<std::string_view> out;
  for (const auto& s : enum_spellings<E>())
    out.push_back(s.name);
  return out;
}

// Linux capabilities: "CAP_SYS_ADMIN" (any case, the CAP_ prefix optional) <-> 21.
using events::kMaxCapability;  // CAP_CHECKPOINT_RESTORE
std::optional<uint8_t> parse_capability(std::string_view text);
std::string_view capability_name(uint8_t cap); // "CAP_SYS_ADMIN"; "?" when out of range
std::vector<std::string_view> capability_names();

// Kinds of argument types, for operator checks and the compiler.
bool is_integer_type(ArgType t); // int family, size_t, syscall64, capability, bpf_cmd
bool is_string_type(ArgType t);  // string, char_buf, char_iovec, filename, data_loc, ...
bool is_path_type(ArgType t);    // fd, file, path, dentry, linux_binprm, kiocb
bool is_buffer_type(ArgType t);  // char_buf, char_iovec (sizeArgIndex, returnCopy)

} // namespace octagon::policy
