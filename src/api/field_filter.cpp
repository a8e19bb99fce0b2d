#include <octagon/api/field_filter.h>

#include <algorithm>
#include <cerrno>

namespace octagon::api {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::vector<std::string> split_path(const std::string& p) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= p.size()) {
    size_t dot = p.find('.', pos);
    if (dot == std::string::npos)
      dot = p.size();
    out.push_back(p.substr(pos, dot - pos));
    pos = dot + 1;
  }
  return out;
}

bool path_valid(const Descriptor* d, const std::vector<std::string>& path) {
  for (size_t i = 0; i < path.size(); i++) {
    const FieldDescriptor* f = d ? d->FindFieldByName(path[i]) : nullptr;
    if (!f)
      return false;
    if (i + 1 < path.size()) {
      if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_map())
        return false;
      d = f->message_type();
    }
  }
  return true;
}

// The event's own message (process_exec, ...), or null.
Message* inner(tetragon::GetEventsResponse& e) {
  const FieldDescriptor* f = tetragon::GetEventsResponse::descriptor()->FindFieldByNumber(
      static_cast<int>(e.event_case()));
  return f ? e.GetReflection()->MutableMessage(&e, f) : nullptr;
}

// Keeps, in `m`, only the fields named by `paths` (all starting at `depth`).
void keep_only(Message& m, const std::vector<const std::vector<std::string>*>& paths,
               size_t depth) {
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    std::vector<const std::vector<std::string>*> sub;
    bool whole = false;
    for (const auto* p : paths) {
      if ((*p)[depth] != f->name())
        continue;
      if (p->size() == depth + 1)
        whole = true;
      else
        sub.push_back(p);
    }
    if (whole)
      continue;
    if (sub.empty() || f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      r->ClearField(&m, f);
    } else if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); i++)
        keep_only(*r->MutableRepeatedMessage(&m, f, i), sub, depth + 1);
    } else {
      keep_only(*r->MutableMessage(&m, f), sub, depth + 1);
    }
  }
}

void remove_path(Message& m, const std::vector<std::string>& path, size_t depth) {
  const Reflection* r = m.GetReflection();
  const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName(path[depth]);
  if (!f)
    return;
  if (depth + 1 == path.size()) {
    r->ClearField(&m, f);
    return;
  }
  if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE)
    return;
  if (f->is_repeated()) {
    for (int i = 0; i < r->FieldSize(m, f); i++)
      remove_path(*r->MutableRepeatedMessage(&m, f, i), path, depth + 1);
  } else if (r->HasField(m, f)) {
    remove_path(*r->MutableMessage(&m, f), path, depth + 1);
  }
}

} // namespace

Result<FieldFilters>
FieldFilters::create(const google::protobuf::RepeatedPtrField<tetragon::FieldFilter>& filters) {
  FieldFilters out;
  const Descriptor* resp = tetragon::GetEventsResponse::descriptor();
  for (int i = 0; i < filters.size(); i++) {
    const tetragon::FieldFilter& ff = filters[i];
    const std::string where = "field_filters[" + std::to_string(i) + "]";
    Compiled c;
    c.include = ff.action() == tetragon::INCLUDE;
    c.invert = ff.invert_event_set().value();
    for (int t : ff.event_set()) {
      if (t == tetragon::UNDEF || !tetragon::EventType_IsValid(t) || !resp->FindFieldByNumber(t))
        return make_error(EINVAL, where + ": event_set: unknown event type " + std::to_string(t));
      c.event_set.push_back(t);
    }
    if (ff.fields().paths().empty())
      return make_error(EINVAL, where + ": no fields");
    // The event messages this filter may see.
    std::vector<const Descriptor*> targets;
    for (int k = 0; k < resp->oneof_decl(0)->field_count(); k++) {
      const FieldDescriptor* ef = resp->oneof_decl(0)->field(k);
      if (out.applies(c, ef->number()))
        targets.push_back(ef->message_type());
    }
    for (const std::string& p : ff.fields().paths()) {
      auto path = split_path(p);
      bool valid = std::any_of(targets.begin(), targets.end(),
                               [&](const Descriptor* d) { return path_valid(d, path); });
      if (!valid)
        return make_error(EINVAL, where + ": field '" + p + "' is not in the events it applies to");
      c.paths.push_back(std::move(path));
    }
    out.filters_.push_back(std::move(c));
  }
  return out;
}

bool FieldFilters::applies(const Compiled& f, int event_case) const {
  const bool listed = f.event_set.empty() || std::find(f.event_set.begin(), f.event_set.end(),
                                                       event_case) != f.event_set.end();
  return listed != f.invert;
}

void FieldFilters::apply(tetragon::GetEventsResponse& event) const {
  Message* m = inner(event);
  if (!m)
    return;
  const int ec = static_cast<int>(event.event_case());
  std::vector<const std::vector<std::string>*> keep;
  bool any_include = false;
  for (const Compiled& f : filters_) {
    if (!f.include || !applies(f, ec))
      continue;
    any_include = true;
    for (const auto& p : f.paths)
      keep.push_back(&p);
  }
  if (any_include)
    keep_only(*m, keep, 0);
  for (const Compiled& f : filters_) {
    if (f.include || !applies(f, ec))
      continue;
    for (const auto& p : f.paths)
      remove_path(*m, p, 0);
  }
}

} // namespace octagon::api
