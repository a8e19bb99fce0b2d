// Internal to the policy parser: typed, position-keeping access to yaml-cpp nodes. Nothing here
// throws on bad input; yaml-cpp's own exceptions are caught by parse_policy().
#pragma once

#include <octagon/base/result.h>
#include <octagon/policy/enums.h>
#include <octagon/policy/source_pos.h>

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace octagon::policy::detail {

// The state of one parse: the source name, for messages, and the warnings collected so far.
class ParseContext {
public:
  explicit ParseContext(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  Unexpected fail(const SourcePos& pos, std::string_view problem,
                  std::string_view hint = {}) const {
    return make_error(policy_error(file_, pos, problem, hint));
  }
  void warn(const SourcePos& pos, std::string problem, std::string hint = {}) {
    warnings_.push_back(Diagnostic{pos, std::move(problem), std::move(hint)});
  }
  std::vector<Diagnostic> take_warnings() { return std::move(warnings_); }

private:
  std::string file_;
  std::vector<Diagnostic> warnings_;
};

Mark mark_of(const YAML::Node& node);        // 1-based; line 0 when yaml-cpp has none
const char* kind_of(const YAML::Node& node); // "a mapping", "a list", "a string", "null"

// A field that Tetragon once had and removed: refused with its own explanation.
struct RetiredField {
  std::string_view name;
  std::string_view why;
};

// A mapping whose keys were checked against the schema (unknown, retired and duplicate keys are
// errors). The getters check types, record each field's position in pos().fields, and treat a
// null value (`key:` or `key: null`) as an absent key, as Kubernetes does.
class MapReader {
public:
  static Result<MapReader> open(ParseContext& ctx, const YAML::Node& node, std::string path,
                                const std::vector<std::string_view>& known,
                                const std::vector<RetiredField>& retired = {});

  SourcePos& pos() { return pos_; }
  const SourcePos& pos() const { return pos_; }
  ParseContext& ctx() { return *ctx_; }
  bool has(std::string_view key) const;        // present and not null
  bool present(std::string_view key) const;    // present, even null
  YAML::Node node(std::string_view key) const; // an undefined node when absent
  SourcePos field(std::string_view key) const { return field_pos(pos_, key); }
  std::vector<std::string> keys() const;

  // A scalar. Required: absent, null or "" is an error ("missing required field").
  Result<std::string> string(std::string_view key, bool required, std::string_view hint = {});
  Result<bool> boolean(std::string_view key, bool fallback);
  Result<std::optional<int64_t>> integer(std::string_view key, int64_t min, int64_t max);
  Result<std::optional<uint64_t>> unsigned_integer(std::string_view key);
  // A list of scalars; item positions are recorded as "<key>[i]".
  Result<std::vector<std::string>> strings(std::string_view key);
  // A string mapping (labels, annotations, matchLabels), in document order.
  Result<std::vector<std::pair<std::string, std::string>>> string_map(std::string_view key);

  template <typename E> Result<std::optional<E>> enumerated(std::string_view key) {
    OCTAGON_ASSIGN_OR_RETURN(std::string text, string(key, false));
    if (!has(key))
      return std::optional<E>();
    if (auto v = parse_enum<E>(text))
      return std::optional<E>(*v);
    return ctx_->fail(field(key), "invalid value '" + text + "'", suggest(text, enum_names<E>()));
  }

  // Calls f(item_node, item_pos) for each item of a list field; the item's pos has the path
  // "<path>.<key>[i]" (also recorded in pos().fields). An absent or null field has no items.
  template <typename F> Result<void> each(std::string_view key, F&& f) {
    OCTAGON_ASSIGN_OR_RETURN(YAML::Node list, sequence(key));
    size_t i = 0;
    for (const YAML::Node& value : list) {
      SourcePos item;
      item.path = pos_.path + "." + std::string(key) + "[" + std::to_string(i++) + "]";
      item.mark = mark_of(value);
      if (item.mark.line == 0)
        item.mark = field(key).mark;
      pos_.fields.emplace_back(std::string(key) + "[" + std::to_string(i - 1) + "]", item.mark);
      OCTAGON_TRY(f(value, item));
    }
    return ok();
  }

private:
  MapReader(ParseContext& ctx, YAML::Node node, SourcePos pos)
      : ctx_(&ctx), node_(std::move(node)), pos_(std::move(pos)) {}
  Result<void> add_entries(const YAML::Node& node, const std::vector<std::string_view>& known,
                           const std::vector<RetiredField>& retired, int depth);
  Result<YAML::Node> sequence(std::string_view key);
  Result<std::string> scalar_of(const YAML::Node& value, const SourcePos& where,
                                std::string_view expected);

  ParseContext* ctx_;
  YAML::Node node_;
  SourcePos pos_;
  std::vector<std::pair<std::string, YAML::Node>> entries_;
};

} // namespace octagon::policy::detail
