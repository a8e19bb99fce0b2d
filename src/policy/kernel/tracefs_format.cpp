#include <octagon/policy/kernel/tracefs_format.h>

#include <octagon/base/fd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace octagon::policy::kernel {
namespace {

constexpr std::string_view kSpace = " \t\r";
constexpr size_t kMaxFormatBytes = size_t{1} << 20;

std::string_view trim(std::string_view s) {
  const size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos)
    return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

bool parse_u32(std::string_view s, uint32_t& v) {
  s = trim(s);
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Where parse errors point: "<file>:<line>: <message>".
class Diag {
public:
  explicit Diag(std::string_view file) : file_(file) {}
  void at(size_t line) { line_ = line; }
  Unexpected error(std::string_view message) const {
    return make_error(EINVAL, std::string(file_) + ":" + std::to_string(line_) + ": " +
                                  std::string(message));
  }

private:
  std::string_view file_;
  size_t line_ = 0;
};

// `unsigned long args[6]`, `const char * filename`, `__data_loc char[] name`: type, name and
// the array suffix.
Result<void> parse_declaration(std::string_view decl, const Diag& diag,
                               TracepointFormat::Field& f) {
  decl = trim(decl);
  std::string_view head = decl;
  if (!decl.empty() && decl.back() == ']') {
    const size_t lb = decl.rfind('[');
    if (lb == std::string_view::npos)
      return diag.error("unbalanced ']' in field \"" + std::string(decl) + "\"");
    const std::string_view len = trim(decl.substr(lb + 1, decl.size() - lb - 2));
    f.is_array = true;
    if (!parse_u32(len, f.array_len))
      f.array_len = 0; // empty (flexible) or symbolic length
    head = trim(decl.substr(0, lb));
  }
  size_t name_start = head.size();
  while (name_start > 0 && is_ident_char(head[name_start - 1]))
    --name_start;
  f.name = std::string(head.substr(name_start));
  f.type = std::string(trim(head.substr(0, name_start)));
  if (f.name.empty() || (f.name[0] >= '0' && f.name[0] <= '9'))
    return diag.error("no field name in \"" + std::string(decl) + "\"");
  if (f.type.empty())
    return diag.error("no type for field \"" + f.name + "\"");
  const std::string_view type = f.type;
  f.is_rel_loc = type.starts_with("__rel_loc");
  f.is_data_loc = f.is_rel_loc || type.starts_with("__data_loc");
  f.is_pointer = !f.is_data_loc && type.find('*') != std::string_view::npos;
  f.is_user = type.find("__user") != std::string_view::npos ||
              type.find("__attribute__((user))") != std::string_view::npos;
  return ok();
}

// `field:<decl>;\toffset:<n>;\tsize:<n>;\tsigned:<0|1>;`
Result<TracepointFormat::Field> parse_field(std::string_view line, const Diag& diag) {
  TracepointFormat::Field f;
  bool have_offset = false, have_size = false;
  size_t pos = 0;
  bool first = true;
  while (pos < line.size()) {
    size_t semi = line.find(';', pos);
    if (semi == std::string_view::npos) {
      if (!trim(line.substr(pos)).empty())
        return diag.error("missing ';' after \"" + std::string(trim(line.substr(pos))) + "\"");
      break;
    }
    const std::string_view item = trim(line.substr(pos, semi - pos));
    pos = semi + 1;
    const size_t colon = item.find(':');
    if (colon == std::string_view::npos)
      return diag.error("expected key:value, got \"" + std::string(item) + "\"");
    const std::string_view key = trim(item.substr(0, colon));
    const std::string_view value = item.substr(colon + 1);
    if (first) {
      first = false;
      if (key != "field")
        return diag.error("expected \"field:\", got \"" + std::string(key) + "\"");
      OCTAGON_TRY(parse_declaration(value, diag, f));
      continue;
    }
    uint32_t n = 0;
    if (!parse_u32(value, n))
      return diag.error("bad number in \"" + std::string(item) + "\"");
    if (key == "offset") {
      f.offset = n;
      have_offset = true;
    } else if (key == "size") {
      f.size = n;
      have_size = true;
    } else if (key == "signed") {
      if (n > 1)
        return diag.error("signed must be 0 or 1, got " + std::to_string(n));
      f.is_signed = n == 1;
    } // other keys: ignored (future kernels)
  }
  if (!have_offset || !have_size)
    return diag.error("field \"" + f.name + "\" lacks offset or size");
  return f;
}

} // namespace

std::optional<size_t> TracepointFormat::index_of(std::string_view field_name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == field_name)
      return i;
  }
  return std::nullopt;
}

size_t TracepointFormat::common_count() const {
  size_t n = 0;
  while (n < fields.size() && fields[n].name.starts_with("common_"))
    ++n;
  return n;
}

Result<TracepointFormat> parse_tracepoint_format(std::string_view text,
                                                 std::string_view file_name) {
  enum class Expect { kName, kId, kFormat, kFields };
  Expect expect = Expect::kName;
  TracepointFormat fmt;
  Diag diag(file_name);
  size_t line_no = 0;
  bool done = false; // reached "print fmt:"
  for (size_t pos = 0; pos < text.size() && !done;) {
    const size_t nl = text.find('\n', pos);
    const size_t end = nl == std::string_view::npos ? text.size() : nl;
    const std::string_view line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    diag.at(++line_no);
    if (line.empty())
      continue;
    switch (expect) {
    case Expect::kName:
      if (!line.starts_with("name:") || trim(line.substr(5)).empty())
        return diag.error("expected \"name: <event>\"");
      fmt.name = std::string(trim(line.substr(5)));
      expect = Expect::kId;
      break;
    case Expect::kId:
      if (!line.starts_with("ID:") || !parse_u32(line.substr(3), fmt.id))
        return diag.error("expected \"ID: <number>\"");
      expect = Expect::kFormat;
      break;
    case Expect::kFormat:
      if (line != "format:")
        return diag.error("expected \"format:\"");
      expect = Expect::kFields;
      break;
    case Expect::kFields: {
      if (line.starts_with("print fmt:")) {
        done = true; // the rest is the print format, possibly over several lines
        break;
      }
      OCTAGON_ASSIGN_OR_RETURN(TracepointFormat::Field f, parse_field(line, diag));
      fmt.fields.push_back(std::move(f));
      break;
    }
    }
  }
  if (!done)
    diag.at(line_no + 1); // errors below point past the last line
  if (expect != Expect::kFields)
    return diag.error("unexpected end of file");
  if (fmt.fields.empty())
    return diag.error("no fields");
  // Syscall tracepoints: the arguments after __syscall_nr are user-space values.
  if (std::string_view(fmt.name).starts_with("sys_enter_")) {
    if (const auto nr = fmt.index_of("__syscall_nr")) {
      for (size_t i = *nr + 1; i < fmt.fields.size(); ++i)
        fmt.fields[i].is_user = fmt.fields[i].is_user || fmt.fields[i].is_pointer;
    }
  }
  return fmt;
}

Result<TracepointFormat> load_tracepoint_format(const std::string& path) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    const int err = errno;
    return make_error(err, "open " + path);
  }
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      const int err = errno;
      return make_error(err, "read " + path);
    }
    if (n == 0)
      break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxFormatBytes)
      return make_error(EFBIG, path + ": larger than 1 MiB, not a tracefs format file");
  }
  return parse_tracepoint_format(text, path);
}

} // namespace octagon::policy::kernel
