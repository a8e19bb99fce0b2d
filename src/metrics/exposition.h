// Prometheus text exposition format 0.0.4: an append-only writer of metric families.
//
// A family is started once with its HELP and TYPE lines, then its samples follow. Label values
// are escaped (backslash, double quote, newline), so user-controlled strings (policy names,
// binaries, peers) cannot break a line or inject a series. Counter names must end in _total.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace octagon::metrics {

inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { kCounter, kGauge };

struct Label {
  std::string_view name;
  std::string_view value;
};

// Appends `value` escaped for a label value (without the quotes).
void append_label_value(std::string& out, std::string_view value);
// Appends `text` escaped for a HELP line (backslash and newline).
void append_help_text(std::string& out, std::string_view text);
// Metric and label names: [a-zA-Z_:][a-zA-Z0-9_:]* (label names without ':').
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

class ExpositionWriter {
 public:
  // Starts a family. Names are constants of this code base: an invalid name, a counter
  // without _total or a family started twice is a programming error; the family is then left
  // out (its samples too) and error() says why (unit tests assert it stays empty).
  void family(std::string_view name, MetricType type, std::string_view help);
  // A sample of the current family. Label names are constants; values are escaped.
  void sample(std::initializer_list<Label> labels, uint64_t value);
  void sample(std::initializer_list<Label> labels, double value);
  void sample(uint64_t value) { sample({}, value); }

  const std::string& text() const { return out_; }
  const std::string& error() const { return error_; }
  std::string take() { return std::move(out_); }

 private:
  void sample_head(std::initializer_list<Label> labels);

  std::string out_;
  std::string family_;
  std::string seen_;  // "\n"-separated family names already started
  std::string error_;
  bool skip_ = false;  // the current family was refused
};

}  // namespace octagon::metrics
