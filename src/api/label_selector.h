// LabelSelector: a Kubernetes label selector string, as used by the GetEvents Filter field
// `labels` (Tetragon parses it with the Kubernetes label parser and matches it against
// process.pod.pod_labels).
//
// Grammar (comma = AND between requirements, whitespace between tokens is ignored):
//   k=v  k==v  k!=v  k in (a,b)  k notin (a,b)  k  !k  k>n  k<n
// Keys are qualified names: an optional DNS-subdomain prefix and '/', then a name of at most
// 63 characters [A-Za-z0-9] with '-', '_', '.' inside. Values are empty or at most 63 characters
// of the same set. `in`/`notin` need at least one value; `>`/`<` take one integer.
// Matching (Kubernetes semantics): `=`, `==`, `in` need the key with a listed value; `!=` and
// `notin` also match when the key is absent; `k` needs the key, `!k` its absence; `>`/`<` need
// the key with an integer value. The empty string selects everything.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <octagon/base/result.h>

namespace octagon::api {

class LabelSelector {
public:
  // EINVAL naming the selector and what is wrong with it.
  static Result<LabelSelector> parse(std::string_view text);

  // `labels`: any map of strings with find()/end() (std::map, google::protobuf::Map).
  template <typename Map> bool matches(const Map& labels) const {
    for (const Requirement& r : requirements_) {
      auto it = labels.find(r.key);
      if (!r.matches(it != labels.end(), it != labels.end() ? std::string_view(it->second)
                                                            : std::string_view()))
        return false;
    }
    return true;
  }
  bool selects_everything() const { return requirements_.empty(); }

  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kNotExists, kGreater, kLess };
  struct Requirement {
    std::string key;
    Op op = Op::kExists;
    std::vector<std::string> values;
    bool matches(bool present, std::string_view value) const;
  };
  const std::vector<Requirement>& requirements() const { return requirements_; }

private:
  std::vector<Requirement> requirements_;
};

} // namespace octagon::api
