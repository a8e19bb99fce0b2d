// FieldFilters on the JSON exporter's lines. The JSON export and the gRPC messages are the same
// objects with the same (proto) field names (tests/unit/api/proto_json_equivalence_test.cpp), so
// the paths and the rules are those of apply(): the INCLUDE paths of the applicable filters are
// kept together, then every applicable EXCLUDE path is removed. Instead of converting the event
// to protobuf and printing it again (another field order, another escaping, and no uretprobe
// `return`), this walks the encoder's line once and copies the members it keeps byte for byte.
// A value JSON prints as one scalar although protobuf has a message there (a wrapper such as
// pid, a Timestamp) is kept whole when a path goes below it.
#include <octagon/api/field_filter.h>

namespace octagon::api {

namespace {

using Path = std::vector<std::string>;
using Paths = std::vector<const Path*>;

// A cursor over one JSON text produced by the encoder (no need to accept every JSON).
struct Scanner {
  std::string_view s;
  size_t pos = 0;
  bool ok = true;

  void ws() {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r'))
      pos++;
  }
  bool eat(char c) {
    ws();
    if (pos < s.size() && s[pos] == c) {
      pos++;
      return true;
    }
    return false;
  }
  char peek() {
    ws();
    return pos < s.size() ? s[pos] : '\0';
  }
  // A string starting at pos; returns its raw contents (escapes as written).
  std::string_view string() {
    if (!eat('"'))
      return fail();
    const size_t start = pos;
    for (;;) {
      pos = s.find_first_of("\"\\", pos);
      if (pos == std::string_view::npos || s[pos] == '"')
        break;
      pos += 2; // an escape: skip the escaped character
    }
    if (pos == std::string_view::npos)
      pos = s.size();
    if (pos >= s.size())
      return fail();
    return s.substr(start, pos++ - start);
  }
  // Skips one value; returns its text.
  std::string_view value() {
    ws();
    const size_t start = pos;
    if (pos >= s.size())
      return fail();
    if (s[pos] == '"') {
      string();
    } else if (s[pos] == '{' || s[pos] == '[') {
      int depth = 0;
      while (pos < s.size()) {
        const char c = s[pos];
        if (c == '"') {
          string();
          continue;
        }
        pos++;
        if (c == '{' || c == '[')
          depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
          break;
      }
      if (depth != 0)
        return fail();
    } else {
      while (pos < s.size() && s[pos] != ',' && s[pos] != '}' && s[pos] != ']' && s[pos] != ' ')
        pos++;
    }
    return s.substr(start, pos - start);
  }
  std::string_view fail() {
    ok = false;
    pos = s.size();
    return {};
  }
};

// What applies at one level: `keep` is active when an INCLUDE filter restricts this object
// (only the members it names survive); `drop` are the EXCLUDE paths going through it.
struct Level {
  bool keep_active = false;
  Paths keep;
  Paths drop;
};

void filter_value(Scanner& in, const Level& level, size_t depth, std::string& out);

// Copies the object at the cursor to `out` without the members `level` removes.
void filter_object(Scanner& in, const Level& level, size_t depth, std::string& out) {
  if (!in.eat('{')) {
    in.fail();
    return;
  }
  out += '{';
  bool first = true;
  if (in.eat('}')) {
    out += '}';
    return;
  }
  do {
    const size_t key_start = in.pos;
    const std::string_view key = in.string();
    const std::string_view key_text = in.s.substr(key_start, in.pos - key_start);
    if (!in.eat(':'))
      in.fail();
    if (!in.ok)
      return;
    Level sub;
    bool whole = !level.keep_active;
    for (const Path* p : level.keep) {
      if ((*p)[depth] != key)
        continue;
      if (p->size() == depth + 1)
        whole = true;
      else
        sub.keep.push_back(p);
    }
    bool removed = !whole && sub.keep.empty();
    sub.keep_active = !whole;
    if (whole)
      sub.keep.clear();
    for (const Path* p : level.drop) {
      if ((*p)[depth] != key)
        continue;
      if (p->size() == depth + 1)
        removed = true;
      else
        sub.drop.push_back(p);
    }
    if (removed) {
      in.value();
      continue;
    }
    if (!first)
      out += ',';
    first = false;
    out += key_text;
    out += ':';
    if (!sub.keep_active && sub.drop.empty())
      out += in.value();
    else
      filter_value(in, sub, depth + 1, out);
  } while (in.ok && in.eat(','));
  if (!in.eat('}'))
    in.fail();
  out += '}';
}

// A member's value with paths going below it: objects are filtered, arrays element by element
// (repeated messages), anything else is kept whole.
void filter_value(Scanner& in, const Level& level, size_t depth, std::string& out) {
  const char c = in.peek();
  if (c == '{') {
    filter_object(in, level, depth, out);
    return;
  }
  if (c != '[') {
    out += in.value();
    return;
  }
  in.eat('[');
  out += '[';
  bool first = true;
  if (!in.eat(']')) {
    do {
      if (!first)
        out += ',';
      first = false;
      filter_value(in, level, depth, out);
    } while (in.ok && in.eat(','));
    if (!in.eat(']'))
      in.fail();
  }
  out += ']';
}

} // namespace

bool FieldFilters::apply_json(std::string_view line, std::string& out) const {
  if (filters_.empty())
    return false;
  // The event's key comes first: {"process_exec":{...},"node_name":...,"time":...}.
  Scanner probe{line};
  if (!probe.eat('{'))
    return false;
  const std::string_view event_key = probe.string();
  if (!probe.ok || !probe.eat(':'))
    return false;
  const google::protobuf::FieldDescriptor* ef =
      tetragon::GetEventsResponse::descriptor()->FindFieldByName(std::string(event_key));
  if (!ef || !ef->containing_oneof())
    return false;
  const int ec = ef->number();
  Level level;
  for (const Compiled& f : filters_) {
    if (!applies(f, ec))
      continue;
    for (const Path& p : f.paths)
      (f.include ? level.keep : level.drop).push_back(&p);
    level.keep_active |= f.include;
  }
  if (!level.keep_active && level.drop.empty())
    return false;

  out.clear();
  out.append(line.substr(0, probe.pos)); // {"process_exec":
  filter_value(probe, level, 0, out);
  if (!probe.ok)
    return false;
  out.append(line.substr(probe.pos)); // ,"node_name":...,"time":...}\n
  return true;
}

} // namespace octagon::api
