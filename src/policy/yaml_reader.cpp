#include <octagon/policy/numbers.h>
#include <octagon/policy/yaml_reader.h>

#include <algorithm>

namespace octagon::policy::detail {
namespace {

bool is_null(const YAML::Node& n) {
  return !n.IsDefined() || n.IsNull();
}

} // namespace

Mark mark_of(const YAML::Node& node) {
  if (!node.IsDefined())
    return {};
  const YAML::Mark m = node.Mark();
  if (m.is_null() || m.line < 0 || m.column < 0)
    return {};
  return Mark{static_cast<uint32_t>(m.line) + 1, static_cast<uint32_t>(m.column) + 1};
}

const char* kind_of(const YAML::Node& node) {
  switch (node.Type()) {
  case YAML::NodeType::Map:
    return "a mapping";
  case YAML::NodeType::Sequence:
    return "a list";
  case YAML::NodeType::Scalar:
    return "a single value";
  default:
    return "null";
  }
}

Result<MapReader> MapReader::open(ParseContext& ctx, const YAML::Node& node, std::string path,
                                  const std::vector<std::string_view>& known,
                                  const std::vector<RetiredField>& retired) {
  SourcePos pos;
  pos.path = std::move(path);
  pos.mark = mark_of(node);
  if (is_null(node)) { // `key:` with nothing: an empty mapping
    return MapReader(ctx, YAML::Node(YAML::NodeType::Map), std::move(pos));
  }
  if (!node.IsMap()) {
    return ctx.fail(pos, std::string("expected a mapping of fields, got ") + kind_of(node),
                    "write 'field: value' lines indented under the key");
  }
  MapReader reader(ctx, node, std::move(pos));
  OCTAGON_TRY(reader.add_entries(node, known, retired, 0));
  return reader;
}

// Adds the fields of mapping `node`; depth > 0 for a mapping merged in with "<<", whose fields
// only fill in what is not set yet (YAML merge keys, which Kubernetes' YAML reader honours).
Result<void> MapReader::add_entries(const YAML::Node& node,
                                    const std::vector<std::string_view>& known,
                                    const std::vector<RetiredField>& retired, int depth) {
  constexpr int kMaxMergeDepth = 8;
  std::vector<YAML::Node> merges;
  for (const auto& kv : node) {
    SourcePos key_pos;
    key_pos.mark = mark_of(kv.first);
    if (!kv.first.IsScalar()) {
      key_pos.path = pos_.path;
      return ctx_->fail(key_pos, "a field name must be a plain string, got " +
                                     std::string(kind_of(kv.first)));
    }
    const std::string key = kv.first.Scalar();
    key_pos.path = pos_.path.empty() ? key : pos_.path + "." + key;
    if (key == "<<" && kv.first.Tag() == "?") {
      if (depth >= kMaxMergeDepth)
        return ctx_->fail(key_pos, "merge keys nested too deeply");
      merges.push_back(kv.second);
      continue;
    }
    for (const RetiredField& r : retired) {
      if (r.name == key)
        return ctx_->fail(key_pos, "field is no longer supported", r.why);
    }
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return ctx_->fail(key_pos, "unknown field '" + key + "'", suggest(key, known));
    }
    if (present(key)) {
      if (depth > 0)
        continue; // set by the mapping that merges this one
      return ctx_->fail(key_pos, "field appears twice", "keep one '" + key + "' entry");
    }
    Mark value_mark = is_null(kv.second) ? key_pos.mark : mark_of(kv.second);
    if (value_mark.line == 0)
      value_mark = key_pos.mark;
    pos_.fields.emplace_back(key, value_mark);
    entries_.emplace_back(key, kv.second);
  }
  for (const YAML::Node& m : merges) {
    std::vector<YAML::Node> sources;
    bool all_maps = m.IsMap() || m.IsSequence();
    if (m.IsMap())
      sources.push_back(m);
    if (m.IsSequence()) {
      for (const YAML::Node& item : m) {
        all_maps = all_maps && item.IsMap();
        sources.push_back(item);
      }
    }
    if (!all_maps || sources.empty()) {
      return ctx_->fail(SourcePos{pos_.path, mark_of(m), {}},
                        "a merge key ('<<') takes a mapping or a list of mappings",
                        "write '<<: *anchor' where the anchor names a mapping");
    }
    for (const YAML::Node& src : sources) {
      OCTAGON_TRY(add_entries(src, known, retired, depth + 1));
    }
  }
  return ok();
}

bool MapReader::present(std::string_view key) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const auto& e) { return e.first == key; });
}

bool MapReader::has(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.first == key)
      return !is_null(e.second);
  }
  return false;
}

YAML::Node MapReader::node(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.first == key)
      return e.second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::vector<std::string> MapReader::keys() const {
  std::vector<std::string> out;
  for (const auto& e : entries_)
    out.push_back(e.first);
  return out;
}

Result<std::string> MapReader::scalar_of(const YAML::Node& value, const SourcePos& where,
                                         std::string_view expected) {
  if (value.IsScalar())
    return value.Scalar();
  return ctx_->fail(where, "expected " + std::string(expected) + ", got " + kind_of(value),
                    value.IsSequence() ? "write a single value, not a list"
                                       : "write a single value, not a mapping");
}

Result<std::string> MapReader::string(std::string_view key, bool required, std::string_view hint) {
  if (!has(key)) {
    if (required)
      return ctx_->fail(field(key), "missing required field", hint);
    return std::string();
  }
  OCTAGON_ASSIGN_OR_RETURN(std::string text, scalar_of(node(key), field(key), "a string"));
  if (required && text.empty())
    return ctx_->fail(field(key), "must not be empty", hint);
  return text;
}

Result<bool> MapReader::boolean(std::string_view key, bool fallback) {
  if (!has(key))
    return fallback;
  OCTAGON_ASSIGN_OR_RETURN(std::string text, scalar_of(node(key), field(key), "true or false"));
  if (auto b = parse_yaml_bool(text))
    return *b;
  return ctx_->fail(field(key), "expected true or false, got '" + text + "'",
                    "write true or false");
}

Result<std::optional<int64_t>> MapReader::integer(std::string_view key, int64_t min, int64_t max) {
  if (!has(key))
    return std::optional<int64_t>();
  OCTAGON_ASSIGN_OR_RETURN(std::string text, scalar_of(node(key), field(key), "an integer"));
  std::optional<int64_t> v = parse_int64(text);
  if (!v) {
    return ctx_->fail(field(key), "expected an integer, got '" + text + "'",
                      "write a decimal, 0x hex or 0-prefixed octal number");
  }
  if (*v < min || *v > max) {
    return ctx_->fail(field(key), "value " + text + " is out of range",
                      "use a value from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return v;
}

Result<std::optional<uint64_t>> MapReader::unsigned_integer(std::string_view key) {
  if (!has(key))
    return std::optional<uint64_t>();
  OCTAGON_ASSIGN_OR_RETURN(std::string text, scalar_of(node(key), field(key), "an integer"));
  std::optional<uint64_t> v = parse_uint64(text);
  if (!v) {
    return ctx_->fail(field(key), "expected a non-negative integer, got '" + text + "'",
                      "write a decimal, 0x hex or 0-prefixed octal number");
  }
  return v;
}

Result<YAML::Node> MapReader::sequence(std::string_view key) {
  if (!has(key))
    return YAML::Node(YAML::NodeType::Sequence);
  YAML::Node n = node(key);
  if (n.IsSequence())
    return n;
  return ctx_->fail(field(key), std::string("expected a list, got ") + kind_of(n),
                    "write the items as '- item' lines, or as [a, b]");
}

Result<std::vector<std::string>> MapReader::strings(std::string_view key) {
  OCTAGON_ASSIGN_OR_RETURN(YAML::Node list, sequence(key));
  std::vector<std::string> out;
  size_t i = 0;
  for (const YAML::Node& item : list) {
    const std::string name = std::string(key) + "[" + std::to_string(i++) + "]";
    Mark m = mark_of(item);
    if (m.line == 0)
      m = field(key).mark;
    pos_.fields.emplace_back(name, m);
    if (item.IsNull())
      return ctx_->fail(field(name), "empty list item", "remove the '-' line");
    OCTAGON_ASSIGN_OR_RETURN(std::string text, scalar_of(item, field(name), "a string"));
    out.push_back(std::move(text));
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>>
MapReader::string_map(std::string_view key) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!has(key))
    return out;
  YAML::Node map = node(key);
  if (!map.IsMap()) {
    return ctx_->fail(field(key), std::string("expected a mapping, got ") + kind_of(map),
                      "write 'key: value' lines indented under the field");
  }
  for (const auto& kv : map) {
    SourcePos where = field(key);
    where.mark = mark_of(kv.first);
    if (!kv.first.IsScalar() || !(kv.second.IsScalar() || kv.second.IsNull())) {
      return ctx_->fail(where, "expected 'key: value' pairs of strings", "quote the value");
    }
    const std::string k = kv.first.Scalar();
    if (std::any_of(out.begin(), out.end(), [&](const auto& p) { return p.first == k; })) {
      return ctx_->fail(where, "key '" + k + "' appears twice", "keep one");
    }
    out.emplace_back(k, kv.second.IsNull() ? std::string() : kv.second.Scalar());
  }
  return out;
}

} // namespace octagon::policy::detail
