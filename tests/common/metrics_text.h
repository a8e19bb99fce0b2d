// A small reader of the Prometheus text format for tests: samples with their labels (label
// values unescaped), and the HELP/TYPE lines per family.
#pragma once

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace octagon::testing {

struct MetricSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct MetricsText {
  std::vector<MetricSample> samples;
  std::map<std::string, std::string> types;  // family -> counter|gauge
  std::map<std::string, std::string> helps;
  std::string error;                          // first line that did not parse

  // Sum of the samples named `name` whose labels include every pair of `match`.
  double sum(const std::string& name, const std::map<std::string, std::string>& match = {}) const {
    double total = 0;
    for (const auto& s : samples) {
      if (s.name != name) continue;
      bool ok = true;
      for (const auto& [k, v] : match) {
        auto it = s.labels.find(k);
        ok = ok && it != s.labels.end() && it->second == v;
      }
      if (ok) total += s.value;
    }
    return total;
  }
  size_t count(const std::string& name) const {
    size_t n = 0;
    for (const auto& s : samples) n += s.name == name;
    return n;
  }
};

inline MetricsText parse_metrics_text(const std::string& text) {
  MetricsText out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty()) continue;
    if (line.rfind("# TYPE ", 0) == 0 || line.rfind("# HELP ", 0) == 0) {
      std::string rest = line.substr(7);
      size_t sp = rest.find(' ');
      auto& m = line[2] == 'T' ? out.types : out.helps;
      m[rest.substr(0, sp)] = sp == std::string::npos ? "" : rest.substr(sp + 1);
      continue;
    }
    if (line[0] == '#') continue;
    MetricSample s;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') s.name += line[i++];
    if (i < line.size() && line[i] == '{') {
      i++;
      while (i < line.size() && line[i] != '}') {
        std::string key, value;
        while (i < line.size() && line[i] != '=') key += line[i++];
        if (i + 1 >= line.size() || line[i + 1] != '"') break;
        i += 2;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\' && i + 1 < line.size()) {
            char c = line[++i];
            value += c == 'n' ? '\n' : c;
          } else {
            value += line[i];
          }
          i++;
        }
        i++;  // closing quote
        if (i < line.size() && line[i] == ',') i++;
        s.labels[key] = value;
      }
      if (i >= line.size() || line[i] != '}') {
        if (out.error.empty()) out.error = line;
        continue;
      }
      i++;
    }
    if (i >= line.size() || line[i] != ' ') {
      if (out.error.empty()) out.error = line;
      continue;
    }
    char* end = nullptr;
    std::string v = line.substr(i + 1);
    s.value = std::strtod(v.c_str(), &end);
    if (end == v.c_str()) {
      if (out.error.empty()) out.error = line;
      continue;
    }
    out.samples.push_back(std::move(s));
  }
  return out;
}

}  // namespace octagon::testing
