// `resolve:` BTF field paths -> oct_gen_resolve steps, and C spellings of BTF types.
#include <octagon/policy/compile_internal.h>

#include <optional>

namespace octagon::policy {

using Kind = BtfType::Kind;

namespace {

uint32_t type_size(const BtfFacts& btf, uint32_t id) {
  BtfType t = btf.type(id);
  if (t.kind == Kind::kArray) return t.nelems * type_size(btf, t.target);
  return t.size;
}

bool is_composite(const BtfType& t) { return t.kind == Kind::kStruct || t.kind == Kind::kUnion; }

struct Found {
  uint32_t type = 0;
  uint32_t bit_offset = 0;
  uint32_t bitfield_bits = 0;
};

// Member `name` of struct/union `id`, looking into anonymous struct/union members.
std::optional<Found> find_member(const BtfFacts& btf, uint32_t id, const std::string& name, int depth = 0) {
  if (depth > 8) return std::nullopt;
  for (const BtfMember& m : btf.members(id)) {
    if (m.name == name) return Found{m.type, m.bit_offset, m.bitfield_bits};
    if (m.name.empty() && is_composite(btf.type(m.type)))
      if (auto f = find_member(btf, m.type, name, depth + 1)) {
        f->bit_offset += m.bit_offset;
        return f;
      }
  }
  return std::nullopt;
}

struct Component {
  std::string name;
  std::optional<uint32_t> index;  // name[N]
};

std::string composite_text(const BtfType& t) {
  return std::string(t.kind == Kind::kUnion ? "union " : "struct ") + (t.name.empty() ? "(anon)" : t.name);
}

}  // namespace

std::string btf_type_text(const BtfFacts& btf, uint32_t id) {
  BtfType t = btf.type(id);
  std::string base = !t.typedef_name.empty() ? t.typedef_name : t.name;
  switch (t.kind) {
    case Kind::kVoid: return "void";
    case Kind::kInt: return base;
    case Kind::kPointer: {
      BtfType to = btf.type(t.target);
      if (to.kind == Kind::kFuncProto) return "function pointer";
      std::string inner = btf_type_text(btf, t.target);
      return inner + (inner.back() == '*' ? "*" : " *");
    }
    case Kind::kArray: return btf_type_text(btf, t.target) + "[" + std::to_string(t.nelems) + "]";
    case Kind::kStruct:
    case Kind::kUnion: return !t.typedef_name.empty() ? t.typedef_name : composite_text(t);
    case Kind::kEnum: return !t.typedef_name.empty() ? t.typedef_name : "enum " + t.name;
    default: return base.empty() ? "?" : base;
  }
}

namespace detail {

Result<BtfValue> compile_resolve(const TracingPolicy& p, const KProbeArg& a, const BtfFacts& btf,
                                 uint32_t start, oct_gen_resolve& out, bool start_is_struct) {
  SourcePos at = field_pos(a.pos, "resolve");
  auto fail = [&](const std::string& what, const std::string& hint = "") {
    return make_error(policy_error(p, at, "resolve '" + a.resolve + "': " + what, hint));
  };
  // Split "a.b[2].c" into components.
  std::vector<Component> comps;
  size_t pos = 0;
  while (true) {
    size_t dot = a.resolve.find('.', pos);
    std::string part = a.resolve.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    Component c;
    size_t br = part.find('[');
    c.name = part.substr(0, br);
    if (br != std::string::npos) {
      size_t close = part.find(']', br);
      std::string digits = close == std::string::npos ? "" : part.substr(br + 1, close - br - 1);
      if (close != part.size() - 1 || digits.empty() || digits.size() > 6 ||
          digits.find_first_not_of("0123456789") != std::string::npos)
        return fail("'" + part + "' is not NAME or NAME[INDEX]");
      c.index = uint32_t(std::stoul(digits));
    }
    if (c.name.empty())
      return fail(part.empty() ? "empty component (at offset " + std::to_string(pos) + ")"
                               : "'" + part + "' has no field name",
                  "write the field names separated by dots, e.g. mm.owner.pid");
    for (char ch : c.name)
      if (!(isalnum(static_cast<unsigned char>(ch)) || ch == '_'))
        return fail("'" + c.name + "' is not a C field name");
    comps.push_back(std::move(c));
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }

  uint32_t cur_id = start;
  if (!start_is_struct) {
    BtfType st = btf.type(start);
    BtfType cur = st.kind == Kind::kPointer ? btf.type(st.target) : BtfType{};
    if (st.kind != Kind::kPointer || !is_composite(cur))
      return fail("the argument is " + btf_type_text(btf, start) + ", not a pointer to a struct",
                  "resolve starts from a pointer to a struct or union");
    cur_id = st.target;
  }
  uint64_t acc = 0;  // offset from the last loaded pointer
  out = {};
  auto step = [&](uint64_t offset, uint32_t deref) -> Result<void> {
    if (out.nsteps >= OCT_GEN_MAX_STEPS)
      return fail("more than " + std::to_string(OCT_GEN_MAX_STEPS) + " pointer steps");
    if (offset > UINT32_MAX) return fail("field offset out of range");
    out.steps[out.nsteps++] = {uint32_t(offset), uint8_t(deref), {}};
    return ok();
  };
  for (size_t k = 0; k < comps.size(); k++) {
    const Component& c = comps[k];
    bool last = k + 1 == comps.size();
    auto m = find_member(btf, cur_id, c.name);
    if (!m) return fail(composite_text(btf.type(cur_id)) + " has no field '" + c.name + "'");
    if (m->bitfield_bits) return fail("'" + c.name + "' is a bitfield, which cannot be read");
    if (m->bit_offset % 8) return fail("'" + c.name + "' is not byte aligned");
    uint64_t off = acc + m->bit_offset / 8;
    uint32_t type_id = m->type;
    BtfType mt = btf.type(type_id);
    if (c.index) {
      if (mt.kind != Kind::kArray)
        return fail("'" + c.name + "' is " + btf_type_text(btf, type_id) + ", not an array");
      if (*c.index >= mt.nelems)
        return fail("index " + std::to_string(*c.index) + " is past the " + std::to_string(mt.nelems) +
                    " elements of '" + c.name + "'");
      off += uint64_t(*c.index) * type_size(btf, mt.target);
      type_id = mt.target;
      mt = btf.type(type_id);
    }
    if (last) {
      if (mt.kind == Kind::kInt || mt.kind == Kind::kEnum || mt.kind == Kind::kPointer) {
        if (mt.size == 0 || mt.size > 8) return fail("'" + c.name + "' has an unreadable size");
        OCTAGON_TRY(step(off, mt.size));
        return BtfValue{type_id, false};
      }
      if (is_composite(mt) || mt.kind == Kind::kArray) {
        OCTAGON_TRY(step(off, 0));
        return BtfValue{type_id, true};
      }
      return fail("'" + c.name + "' is " + btf_type_text(btf, type_id) + ", which cannot be read");
    }
    if (is_composite(mt)) {
      acc = off;
      cur_id = type_id;
      continue;
    }
    if (mt.kind == Kind::kPointer && is_composite(btf.type(mt.target))) {
      OCTAGON_TRY(step(off, 8));
      acc = 0;
      cur_id = mt.target;
      continue;
    }
    return fail("'" + c.name + "' is " + btf_type_text(btf, type_id) + ": '" + comps[k + 1].name +
                "' cannot be looked up in it (not a struct or a pointer to one)");
  }
  return fail("empty path");
}

}  // namespace detail
}  // namespace octagon::policy
