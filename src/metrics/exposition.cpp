#include <octagon/metrics/exposition.h>

#include <cmath>
#include <cstdio>

namespace octagon::metrics {
namespace {

bool name_char(char c, bool first, bool colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

bool valid_name(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); i++)
    if (!name_char(name[i], i == 0, colon)) return false;
  return true;
}

}  // namespace

void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void append_help_text(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

bool valid_metric_name(std::string_view name) { return valid_name(name, true); }
bool valid_label_name(std::string_view name) {
  return valid_name(name, false) && name.substr(0, 2) != "__";
}

void ExpositionWriter::family(std::string_view name, MetricType type, std::string_view help) {
  skip_ = true;
  std::string key = "\n" + std::string(name) + "\n";
  if (!valid_metric_name(name)) {
    if (error_.empty()) error_ = "invalid metric name '" + std::string(name) + "'";
    return;
  }
  if (type == MetricType::kCounter && !name.ends_with("_total")) {
    if (error_.empty()) error_ = "counter '" + std::string(name) + "' does not end in _total";
    return;
  }
  if (("\n" + seen_).find(key) != std::string::npos) {
    if (error_.empty()) error_ = "family '" + std::string(name) + "' started twice";
    return;
  }
  seen_ += std::string(name) + "\n";
  skip_ = false;
  family_ = std::string(name);
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  append_help_text(out_, help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += type == MetricType::kCounter ? " counter\n" : " gauge\n";
}

void ExpositionWriter::sample_head(std::initializer_list<Label> labels) {
  out_ += family_;
  if (labels.size() == 0) {
    out_ += ' ';
    return;
  }
  out_ += '{';
  bool first = true;
  for (const Label& l : labels) {
    if (!valid_label_name(l.name)) {
      if (error_.empty()) error_ = "invalid label name '" + std::string(l.name) + "'";
      continue;
    }
    if (!first) out_ += ',';
    first = false;
    out_ += l.name;
    out_ += "=\"";
    append_label_value(out_, l.value);
    out_ += '"';
  }
  out_ += "} ";
}

void ExpositionWriter::sample(std::initializer_list<Label> labels, uint64_t value) {
  if (skip_ || family_.empty()) return;
  sample_head(labels);
  out_ += std::to_string(value);
  out_ += '\n';
}

void ExpositionWriter::sample(std::initializer_list<Label> labels, double value) {
  if (skip_ || family_.empty()) return;
  sample_head(labels);
  if (std::isnan(value)) {
    out_ += "NaN";
  } else if (std::isinf(value)) {
    out_ += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%.17g", value);
    out_ += buf;
  }
  out_ += '\n';
}

}  // namespace octagon::metrics
