// spec.lists as the compiler uses them: the syscall numbers of a list (InMap / NotInMap values)
// and the calls of `call: "list:NAME"`. Lists of type syscalls hold syscall names as Tetragon
// reads them ("dup", "sys_dup", "__x64_sys_dup", "x64/sys_dup", "i386/sys_dup"),
// generated_syscalls lists are every syscall the kernel implements, generated_ftrace lists the
// functions of available_filter_functions that match a regular expression.
#include <octagon/policy/compile_internal.h>

#include <algorithm>
#include <regex>

#include <octagon/policy/kernel/syscalls.h>

namespace octagon::policy::detail {
namespace {

using kernel::SyscallAbi;

// One syscall entry of a list: its name ("dup") and whether it is the 64-bit (native) one.
struct ListSyscall {
  std::string name;
  bool native = true;
};

bool is_identifier(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Result<ListSyscall> parse_list_value(const TracingPolicy& p, const ListSpec& l, size_t i) {
  const std::string& v = l.values[i];
  SourcePos at = field_pos(l.pos, "values[" + std::to_string(i) + "]");
  std::string abi, call = v;
  if (size_t slash = v.find('/'); slash != std::string::npos) {
    abi = v.substr(0, slash);
    call = v.substr(slash + 1);
    if (abi != "x64" && abi != "i386")
      return make_error(policy_error(p, at, "'" + v + "': ABI " + abi + " is not one of this x86_64 kernel's",
                                     "use x64/ (the default) or i386/"));
  }
  ListSyscall out;
  if (auto sc = kernel::parse_syscall_call(call)) {
    if (sc->abi == SyscallAbi::kArm64)
      return make_error(policy_error(p, at, "'" + v + "' is an arm64 syscall function, not one of this x86_64 kernel's"));
    if ((sc->abi == SyscallAbi::kIa32 && abi == "x64") || (sc->abi == SyscallAbi::kX64 && abi == "i386"))
      return make_error(policy_error(p, at, "'" + v + "': the ABI prefix and the function's ABI differ"));
    out.name = sc->name;
    out.native = sc->abi != SyscallAbi::kIa32 && abi != "i386";
  } else if (is_identifier(call) && call.find("sys_") == std::string::npos) {
    out.name = call;  // a bare name ("dup")
    out.native = abi != "i386";
  } else {
    return make_error(policy_error(p, at, "'" + v + "' is not a syscall name",
                                   "write sys_NAME, NAME, __x64_sys_NAME or x64/sys_NAME"));
  }
  return out;
}

// The syscall names of a syscalls / generated_syscalls list; 32-bit entries are left out
// (`skip_i386`) or refused with `why`.
Result<std::vector<std::string>> native_syscalls(const TracingPolicy& p, const ListSpec& l, KernelFacts& k,
                                                 bool skip_i386, const std::string& why, const std::string& hint) {
  if (l.type == ListType::kGeneratedSyscalls && !(l.validated && !l.values.empty())) {
    auto names = k.kernel_syscalls();
    if (!names)
      return make_error(policy_error(p, field_pos(l.pos, "type"), "cannot generate list " + l.name + ": " +
                                                                      names.error().message()));
    return std::move(*names);
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < l.values.size(); i++) {
    OCTAGON_ASSIGN_OR_RETURN(ListSyscall sc, parse_list_value(p, l, i));
    if (!sc.native && skip_i386) continue;
    if (!sc.native)
      return make_error(policy_error(p, field_pos(l.pos, "values[" + std::to_string(i) + "]"),
                                     "'" + l.values[i] + "' is a 32-bit (i386) syscall: " + why, hint));
    out.push_back(sc.name);
  }
  return out;
}

// generated_ftrace: the functions of available_filter_functions that `pattern` matches
// (anywhere in the name, as Go's MatchString).
Result<std::vector<std::string>> ftrace_functions(const TracingPolicy& p, const ListSpec& l, KernelFacts& k) {
  if (l.validated && !l.values.empty()) return l.values;  // generated already
  SourcePos at = field_pos(l.pos, "pattern");
  const std::string pattern = l.pattern.value_or("");
  std::regex re;
  try {
    re = std::regex(pattern, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& e) {
    return make_error(policy_error(p, at, "pattern '" + pattern + "' is not a regular expression: " + e.what()));
  }
  auto all = k.filter_functions();
  if (!all)
    return make_error(policy_error(p, at, "cannot generate list " + l.name + ": " + all.error().message()));
  std::vector<std::string> out;
  for (const std::string& fn : *all)
    if (std::regex_search(fn, re)) out.push_back(fn);
  if (out.empty())
    return make_error(policy_error(p, at, "pattern '" + pattern + "' matches none of the " + std::to_string(all->size()) +
                                              " functions of available_filter_functions"));
  return out;
}

}  // namespace

Result<std::vector<uint64_t>> list_syscall_numbers(const TracingPolicy& p, const ListSpec& l, KernelFacts& k) {
  OCTAGON_ASSIGN_OR_RETURN(
      std::vector<std::string> names,
      native_syscalls(p, l, k, true, "", ""));
  std::vector<uint64_t> out;
  for (size_t i = 0; i < names.size(); i++) {
    auto nr = k.syscall_number(names[i]);
    if (!nr) {
      SourcePos at = l.type == ListType::kSyscalls ? field_pos(l.pos, "values[" + std::to_string(i) + "]") : l.pos;
      return make_error(policy_error(p, at, "list " + l.name + ": unknown x86_64 syscall '" + names[i] + "'",
                                     "names as in <asm/unistd_64.h>, e.g. openat, dup2"));
    }
    out.push_back(uint64_t(*nr));
  }
  return out;
}

std::string list_i386_note(const TracingPolicy& p, const ListSpec& l) {
  std::string found;
  for (size_t i = 0; i < l.values.size() && l.type != ListType::kGeneratedFtrace; i++) {
    auto sc = parse_list_value(p, l, i);
    if (sc && !sc->native) found += (found.empty() ? "" : ", ") + l.values[i];
  }
  if (found.empty()) return "";
  return "list " + l.name + ": the i386 entries (" + found + ") match nothing here: the syscall id this "
         "hook reads does not tell 32-bit syscalls from 64-bit ones (Tetragon marks 32-bit ids with bit 31), so "
         "32-bit syscalls are not matched by InMap (NotInMap lets them through)";
}

Result<std::vector<std::string>> list_calls(const TracingPolicy& p, const KProbeSpec& spec, KernelFacts& k,
                                            std::vector<std::string>& notes) {
  const ListSpec* l = find_list(p, spec.call_list);
  if (!l) return make_error(policy_error(p, field_pos(spec.pos, "call"), "no list " + spec.call_list));
  std::vector<std::string> calls;
  if (l->type == ListType::kGeneratedFtrace) {
    OCTAGON_ASSIGN_OR_RETURN(std::vector<std::string> fns, ftrace_functions(p, *l, k));
    std::vector<std::string> others;
    for (const std::string& fn : fns) {
      auto sc = kernel::parse_syscall_call(fn);
      if (sc && (sc->abi == SyscallAbi::kX64 || sc->abi == SyscallAbi::kNative)) calls.push_back("sys_" + sc->name);
      else others.push_back(fn);
    }
    HookSupport hs = k.hook_support();
    if (!others.empty() && (hs.kprobe || hs.fentry)) {
      calls.insert(calls.end(), others.begin(), others.end());
      others.clear();
    }
    if (!others.empty())
      return make_error(policy_error(
          p, field_pos(l->pos, "pattern"),
          "pattern '" + l->pattern.value_or("") + "' matches " + std::to_string(fns.size()) + " functions, " +
              std::to_string(others.size()) + " of them not x86_64 syscall functions (" + others[0] +
              (others.size() > 1 ? ", ..." : "") + "): kprobes on kernel functions need a kernel with kprobes, "
              "which this one does not have",
          "narrow the pattern to syscall functions (e.g. ^__x64_sys_dup), which run on syscall tracepoints"));
    std::sort(calls.begin(), calls.end());
    calls.erase(std::unique(calls.begin(), calls.end()), calls.end());
    return calls;
  }
  if (l->type != ListType::kSyscalls && l->type != ListType::kGeneratedSyscalls) {
    for (const std::string& v : l->values) calls.push_back(v);  // type-less list: function names
    return calls;
  }
  OCTAGON_ASSIGN_OR_RETURN(
      std::vector<std::string> names,
      native_syscalls(p, *l, k, false,
                      "its kprobe would be on the 32-bit entry, and the syscall tracepoints that stand in for "
                      "syscall kprobes on this kernel do not fire for 32-bit syscalls",
                      "hook the x86_64 syscall (sys_NAME)"));
  std::vector<std::string> missing;
  for (const std::string& n : names) {
    // A generated list holds every syscall; the few without a tracepoint are left out (said).
    if (l->type == ListType::kGeneratedSyscalls && !k.tracepoint_fields("syscalls", "sys_enter_" + n)) {
      missing.push_back(n);
      continue;
    }
    calls.push_back("sys_" + n);
  }
  if (!missing.empty()) {
    std::string text;
    for (const std::string& m : missing) text += (text.empty() ? "" : ", ") + m;
    notes.push_back("list " + l->name + ": " + std::to_string(missing.size()) +
                    " syscalls have no syscall tracepoint on this kernel and are not hooked: " + text);
  }
  return calls;
}

}  // namespace octagon::policy::detail
