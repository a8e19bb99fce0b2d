// A hand-written BTF for compiler tests: a few kernel types with made-up layouts, and the
// raw tracepoints sched_process_exec(task_struct *, pid_t, linux_binprm *) and
// cap_capable(const cred *, user_namespace *, const user_namespace *, int, int).
#pragma once

#include <map>

#include <octagon/policy/btf_facts.h>

namespace octagon::policy::testing {

class FakeBtf : public BtfFacts {
 public:
  using K = BtfType::Kind;
  FakeBtf() {
    types_.push_back({});  // id 0: void
    members_.emplace_back();
    int_ = add_int("int", 4, true);
    uint_ = add_int("unsigned int", 4, false);
    char_ = add_int("char", 1, true, true);
    pid_t_ = typed(int_, "pid_t");
    task_ = add(K::kStruct, "task_struct", 512);
    mm_ = add(K::kStruct, "mm_struct", 256);
    file_ = add(K::kStruct, "file", 128);
    path_ = add(K::kStruct, "path", 16);
    dentry_ = add(K::kStruct, "dentry", 192);
    bprm_ = add(K::kStruct, "linux_binprm", 64);
    cred_ = add(K::kStruct, "cred", 160);
    userns_ = add(K::kStruct, "user_namespace", 64);
    uint32_t anon = add(K::kStruct, "", 16);
    comm_ = add(K::kArray, "", 0, char_, 16);
    members_[task_] = {{"pid", pid_t_, 8 * 8, 0},           {"tgid", pid_t_, 12 * 8, 0},
                       {"real_parent", ptr(task_), 16 * 8, 0}, {"mm", ptr(mm_), 24 * 8, 0},
                       {"comm", comm_, 32 * 8, 0},           {"flags", uint_, 48 * 8, 3},
                       {"cred", ptr(cred_), 56 * 8, 0}};
    members_[anon] = {{"owner", ptr(task_), 0, 0}, {"exe_file", ptr(file_), 8 * 8, 0}};
    members_[mm_] = {{"mm_count", int_, 0, 0}, {"", anon, 64 * 8, 0}};
    members_[path_] = {{"mnt", ptr(int_), 0, 0}, {"dentry", ptr(dentry_), 8 * 8, 0}};
    members_[file_] = {{"f_flags", uint_, 4 * 8, 0}, {"f_path", path_, 16 * 8, 0}};
    members_[bprm_] = {{"file", ptr(file_), 8 * 8, 0}, {"cred", ptr(cred_), 16 * 8, 0}};
    members_[userns_] = {{"level", int_, 32 * 8, 0}};
    tracepoints_["sched_process_exec"] = {ptr(task_), pid_t_, ptr(bprm_)};
    tracepoints_["cap_capable"] = {ptr(cred_), ptr(userns_), ptr(userns_), int_, int_};
    // struct sock { struct sock_common __sk_common { union { struct { be16 skc_dport; u16 skc_num; }; }; }; }
    // and inet_sock_set_state(const void *skaddr, int oldstate, int newstate) for btfType.
    u16_ = add_int("unsigned short", 2, false);
    uint32_t ports = add(K::kStruct, "", 4);
    members_[ports] = {{"skc_dport", u16_, 0, 0}, {"skc_num", u16_, 2 * 8, 0}};
    sock_common_ = add(K::kStruct, "sock_common", 136);
    members_[sock_common_] = {{"", ports, 12 * 8, 0}};
    sock_ = add(K::kStruct, "sock", 760);
    members_[sock_] = {{"__sk_common", sock_common_, 0, 0}, {"sk_protocol", u16_, 300 * 8, 0}};
    tracepoints_["inet_sock_set_state"] = {ptr(0), int_, int_};
    // Kernel functions (kprobes, fentry) and BPF-LSM hooks (bpf_lsm_<hook>).
    long_ = add_int("long", 8, true);
    filename_ = add(K::kStruct, "filename", 32);
    uint32_t const_char = ptr(char_);
    functions_["security_file_open"] = {{ptr(file_)}, {"file"}, int_};
    functions_["do_unlinkat"] = {{int_, ptr(filename_)}, {"dfd", "name"}, int_};
    functions_["commit_creds"] = {{ptr(cred_)}, {"new"}, int_};
    functions_["vfs_path_lookup"] = {{ptr(dentry_), ptr(int_), const_char, uint_, ptr(path_)},
                                     {"dentry", "mnt", "name", "flags", "path"}, int_};
    functions_["seven_args"] = {{int_, int_, int_, int_, int_, int_, long_},
                                {"a", "b", "c", "d", "e", "f", "g"}, long_};
    functions_["do_nothing"] = {{int_}, {"x"}, 0};
    functions_["bpf_lsm_file_open"] = {{ptr(file_)}, {"file"}, int_};
    functions_["bpf_lsm_bprm_check_security"] = {{ptr(bprm_)}, {"bprm"}, int_};
    functions_["bpf_lsm_file_permission"] = {{ptr(file_), int_}, {"file", "mask"}, int_};
  }
  uint32_t long_, filename_;

  Result<BtfFunction> function(const std::string& name) const override {
    auto it = functions_.find(name);
    if (it == functions_.end()) return make_error(ENOENT, "no BTF function " + name);
    return it->second;
  }
  bool has_function(const std::string& name) const override { return functions_.count(name) > 0; }
  uint32_t u16_, sock_common_, sock_;

  Result<std::vector<uint32_t>> raw_tracepoint_args(const std::string& event) override {
    auto it = tracepoints_.find(event);
    if (it == tracepoints_.end()) return make_error(ENOENT, "no btf_trace_" + event);
    return it->second;
  }
  BtfType type(uint32_t id) const override {
    BtfType t = id < types_.size() ? types_[id] : BtfType{};
    auto td = typedefs_.find(id);
    if (td != typedefs_.end()) {
      t = types_[td->second.first];
      t.typedef_name = td->second.second;
    }
    return t;
  }
  Result<uint32_t> struct_id(const std::string& name) const override {
    for (uint32_t i = 0; i < types_.size(); i++)
      if (types_[i].kind == K::kStruct && types_[i].name == name) return i;
    return make_error(ENOENT, "no struct " + name);
  }
  std::vector<BtfMember> members(uint32_t id) const override {
    return id < members_.size() ? members_[id] : std::vector<BtfMember>{};
  }

  uint32_t int_, uint_, char_, pid_t_, task_, mm_, file_, path_, dentry_, bprm_, cred_, userns_, comm_;

 protected:  // (kobject tests extend it)
  uint32_t add(K kind, const std::string& name, uint32_t size, uint32_t target = 0, uint32_t nelems = 0) {
    BtfType t;
    t.kind = kind;
    t.name = name;
    t.size = size;
    t.target = target;
    t.nelems = nelems;
    types_.push_back(t);
    members_.emplace_back();
    return uint32_t(types_.size() - 1);
  }
  uint32_t add_int(const std::string& name, uint32_t size, bool is_signed, bool is_char = false) {
    uint32_t id = add(K::kInt, name, size);
    types_[id].is_signed = is_signed;
    types_[id].is_char = is_char;
    return id;
  }
  uint32_t ptr(uint32_t to) { return add(K::kPointer, "", 8, to); }
  uint32_t typed(uint32_t to, const std::string& name) {
    uint32_t id = add(K::kOther, name, 0);
    typedefs_[id] = {to, name};
    return id;
  }

  std::vector<BtfType> types_;
  std::vector<std::vector<BtfMember>> members_;
  std::map<uint32_t, std::pair<uint32_t, std::string>> typedefs_;
  std::map<std::string, std::vector<uint32_t>> tracepoints_;
  std::map<std::string, BtfFunction> functions_;
};

}  // namespace octagon::policy::testing
