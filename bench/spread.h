// Median and range of a benchmark's repeated measurements (bench programs report these).
#pragma once

#include <algorithm>
#include <vector>

namespace octagon::bench {

struct Spread {
  double median, min, max;
};

inline Spread spread(std::vector<double> v) {
  if (v.empty()) return {0, 0, 0};
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

}  // namespace octagon::bench
