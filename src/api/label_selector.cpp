#include <octagon/api/label_selector.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>

namespace octagon::api {

namespace {

enum class Tok { kEnd, kIdent, kNot, kNotEquals, kEquals, kDoubleEquals, kOpen, kClose, kComma,
                 kGreater, kLess };

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view text;
};

bool is_special(char c) {
  return c == '!' || c == '=' || c == '(' || c == ')' || c == ',' || c == '<' || c == '>';
}
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

class Lexer {
public:
  explicit Lexer(std::string_view s) : s_(s) {}
  Token next() {
    while (pos_ < s_.size() && is_space(s_[pos_]))
      pos_++;
    if (pos_ >= s_.size())
      return {Tok::kEnd, {}};
    const size_t start = pos_;
    const char c = s_[pos_];
    auto two = [&](char second) { return pos_ + 1 < s_.size() && s_[pos_ + 1] == second; };
    switch (c) {
    case '!':
      pos_ += two('=') ? 2 : 1;
      return {pos_ - start == 2 ? Tok::kNotEquals : Tok::kNot, s_.substr(start, pos_ - start)};
    case '=':
      pos_ += two('=') ? 2 : 1;
      return {pos_ - start == 2 ? Tok::kDoubleEquals : Tok::kEquals, s_.substr(start, pos_ - start)};
    case '(': pos_++; return {Tok::kOpen, "("};
    case ')': pos_++; return {Tok::kClose, ")"};
    case ',': pos_++; return {Tok::kComma, ","};
    case '>': pos_++; return {Tok::kGreater, ">"};
    case '<': pos_++; return {Tok::kLess, "<"};
    default: break;
    }
    while (pos_ < s_.size() && !is_space(s_[pos_]) && !is_special(s_[pos_]))
      pos_++;
    return {Tok::kIdent, s_.substr(start, pos_ - start)};
  }
  Token peek() {
    const size_t saved = pos_;
    Token t = next();
    pos_ = saved;
    return t;
  }

private:
  std::string_view s_;
  size_t pos_ = 0;
};

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, at most 63 characters (a label name or value).
bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 63 || !alnum(s.front()) || !alnum(s.back()))
    return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// A lowercase RFC 1123 DNS subdomain, at most 253 characters.
bool valid_prefix(std::string_view s) {
  if (s.empty() || s.size() > 253)
    return false;
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_alnum(s.front()) || !lower_alnum(s.back()))
    return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return lower_alnum(c) || c == '-' || c == '.'; });
}

std::string key_problem(std::string_view key) {
  const size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    if (!valid_prefix(key.substr(0, slash)))
      return "invalid label key '" + std::string(key) +
             "': the prefix must be a lowercase DNS subdomain (at most 253 characters)";
    key = key.substr(slash + 1);
  }
  if (!valid_name(key))
    return "invalid label key '" + std::string(key) +
           "': a name is at most 63 characters of [A-Za-z0-9-_.], starting and ending with an "
           "alphanumeric character";
  return {};
}

bool parse_int(std::string_view s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

class Parser {
public:
  explicit Parser(std::string_view text) : lex_(text) {}

  // Empty string on success.
  std::string parse(std::vector<LabelSelector::Requirement>& out) {
    if (lex_.peek().kind == Tok::kEnd)
      return {};
    for (;;) {
      LabelSelector::Requirement r;
      if (std::string err = requirement(r); !err.empty())
        return err;
      out.push_back(std::move(r));
      Token t = lex_.next();
      if (t.kind == Tok::kEnd)
        return {};
      if (t.kind != Tok::kComma)
        return "found '" + std::string(t.text) + "', expected ',' or the end";
      if (Tok k = lex_.peek().kind; k != Tok::kIdent && k != Tok::kNot)
        return "expected a requirement after ','";
    }
  }

private:
  std::string requirement(LabelSelector::Requirement& r) {
    using Op = LabelSelector::Op;
    Token t = lex_.next();
    const bool negated = t.kind == Tok::kNot;
    if (negated)
      t = lex_.next();
    if (t.kind != Tok::kIdent)
      return t.kind == Tok::kEnd ? "expected a label key" : "found '" + std::string(t.text) + "', expected a label key";
    if (std::string err = key_problem(t.text); !err.empty())
      return err;
    r.key = std::string(t.text);
    Token op = lex_.peek();
    if (negated || op.kind == Tok::kEnd || op.kind == Tok::kComma) {
      r.op = negated ? Op::kNotExists : Op::kExists;
      if (negated && op.kind != Tok::kEnd && op.kind != Tok::kComma)
        return "found '" + std::string(op.text) + "' after '!" + r.key + "', expected ',' or the end";
      return {};
    }
    lex_.next();
    switch (op.kind) {
    case Tok::kEquals:
    case Tok::kDoubleEquals: r.op = Op::kEquals; return single_value(r);
    case Tok::kNotEquals: r.op = Op::kNotEquals; return single_value(r);
    case Tok::kGreater: r.op = Op::kGreater; return single_value(r);
    case Tok::kLess: r.op = Op::kLess; return single_value(r);
    case Tok::kIdent:
      if (op.text == "in") {
        r.op = Op::kIn;
        return value_set(r);
      }
      if (op.text == "notin") {
        r.op = Op::kNotIn;
        return value_set(r);
      }
      [[fallthrough]];
    default:
      return "found '" + std::string(op.text) + "' after key '" + r.key +
             "', expected one of: in, notin, =, ==, !=, >, <";
    }
  }

  std::string check_value(const LabelSelector::Requirement& r, std::string_view v) {
    if (!v.empty() && !valid_name(v))
      return "invalid label value '" + std::string(v) + "' for key '" + r.key +
             "': at most 63 characters of [A-Za-z0-9-_.], starting and ending with an "
             "alphanumeric character";
    return {};
  }

  std::string single_value(LabelSelector::Requirement& r) {
    using Op = LabelSelector::Op;
    std::string_view v;
    if (lex_.peek().kind == Tok::kIdent)
      v = lex_.next().text;
    else if (Tok k = lex_.peek().kind; k != Tok::kEnd && k != Tok::kComma)
      return "found '" + std::string(lex_.peek().text) + "', expected a value for key '" + r.key + "'";
    if (r.op == Op::kGreater || r.op == Op::kLess) {
      int64_t n = 0;
      if (!parse_int(v, n))
        return "for '>' and '<' the value must be an integer, got '" + std::string(v) + "'";
    } else if (std::string err = check_value(r, v); !err.empty()) {
      return err;
    }
    r.values.emplace_back(v);
    return {};
  }

  std::string value_set(LabelSelector::Requirement& r) {
    if (Token t = lex_.next(); t.kind != Tok::kOpen)
      return "expected '(' after '" + std::string(r.op == LabelSelector::Op::kIn ? "in" : "notin") +
             "' for key '" + r.key + "'";
    if (lex_.peek().kind == Tok::kClose) {
      lex_.next();
      return "for 'in' and 'notin' the set of values of key '" + r.key + "' can't be empty";
    }
    for (;;) {
      std::string_view v;
      if (lex_.peek().kind == Tok::kIdent)
        v = lex_.next().text;
      if (std::string err = check_value(r, v); !err.empty())
        return err;
      r.values.emplace_back(v);
      Token t = lex_.next();
      if (t.kind == Tok::kClose)
        return {};
      if (t.kind != Tok::kComma)
        return t.kind == Tok::kEnd ? "missing ')' after the values of key '" + r.key + "'"
                                   : "found '" + std::string(t.text) + "' in the values of key '" +
                                         r.key + "', expected ',' or ')'";
    }
  }

  Lexer lex_;
};

} // namespace

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  LabelSelector s;
  Parser p(text);
  if (std::string err = p.parse(s.requirements_); !err.empty())
    return make_error(EINVAL, "invalid label selector '" + std::string(text) + "': " + err);
  return s;
}

bool LabelSelector::Requirement::matches(bool present, std::string_view value) const {
  auto listed = [&] { return std::find(values.begin(), values.end(), value) != values.end(); };
  switch (op) {
  case Op::kEquals:
  case Op::kIn: return present && listed();
  case Op::kNotEquals:
  case Op::kNotIn: return !present || !listed();
  case Op::kExists: return present;
  case Op::kNotExists: return !present;
  case Op::kGreater:
  case Op::kLess: {
    int64_t have = 0, want = 0;
    if (!present || !parse_int(value, have) || values.empty() || !parse_int(values[0], want))
      return false;
    return op == Op::kGreater ? have > want : have < want;
  }
  }
  return false;
}

} // namespace octagon::api
