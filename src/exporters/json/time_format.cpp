#include <octagon/exporters/json/time_format.h>

namespace octagon::exporters {
namespace {

constexpr uint64_t kNsPerSec = 1'000'000'000;

inline void put2(char* p, uint32_t v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// Writes `v` (< 10^digits) as exactly `digits` decimal digits.
inline void put_fixed(char* p, uint32_t v, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

} // namespace

// Howard Hinnant's days -> civil algorithm (public domain, "chrono-Compatible Low-Level Date
// Algorithms"), restricted to dates on or after 1970-01-01 since the input is unsigned.
CivilDate civil_from_days(uint64_t days) {
  const uint64_t z = days + 719468; // days since 0000-03-01
  const uint64_t era = z / 146097;
  const uint64_t doe = z - era * 146097;                                      // [0, 146096]
  const uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; // [0, 399]
  const uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               // [0, 365]
  const uint64_t mp = (5 * doy + 2) / 153;                                    // [0, 11]
  CivilDate d;
  d.day = static_cast<uint32_t>(doy - (153 * mp + 2) / 5 + 1);
  d.month = static_cast<uint32_t>(mp < 10 ? mp + 3 : mp - 9);
  d.year = static_cast<uint32_t>(yoe + era * 400 + (d.month <= 2 ? 1 : 0));
  return d;
}

void TimeFormatter::append_prefix(std::string& out, uint64_t sec) {
  if (sec != cached_sec_) {
    const CivilDate d = civil_from_days(sec / 86400);
    const auto tod = static_cast<uint32_t>(sec % 86400);
    char* p = prefix_;
    put_fixed(p, d.year % 10000, 4);
    p[4] = '-';
    put2(p + 5, d.month);
    p[7] = '-';
    put2(p + 8, d.day);
    p[10] = 'T';
    put2(p + 11, tod / 3600);
    p[13] = ':';
    put2(p + 14, tod / 60 % 60);
    p[16] = ':';
    put2(p + 17, tod % 60);
    cached_sec_ = sec;
  }
  out.append(prefix_, sizeof(prefix_));
}

void TimeFormatter::append(std::string& out, uint64_t ns) {
  append_prefix(out, ns / kNsPerSec);
  char frac[11];
  frac[0] = '.';
  put_fixed(frac + 1, static_cast<uint32_t>(ns % kNsPerSec), 9);
  frac[10] = 'Z';
  out.append(frac, sizeof(frac));
}

void TimeFormatter::append_proto(std::string& out, uint64_t ns) {
  append_prefix(out, ns / kNsPerSec);
  auto nanos = static_cast<uint32_t>(ns % kNsPerSec);
  char frac[11];
  size_t len = 0;
  if (nanos != 0) {
    frac[0] = '.';
    if (nanos % 1'000'000 == 0) {
      put_fixed(frac + 1, nanos / 1'000'000, 3);
      len = 4;
    } else if (nanos % 1'000 == 0) {
      put_fixed(frac + 1, nanos / 1'000, 6);
      len = 7;
    } else {
      put_fixed(frac + 1, nanos, 9);
      len = 10;
    }
  }
  frac[len++] = 'Z';
  out.append(frac, len);
}

} // namespace octagon::exporters
