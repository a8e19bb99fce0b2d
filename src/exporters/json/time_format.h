// RFC 3339 UTC timestamps from ns since the Unix epoch, without libc on the hot path.
#pragma once

#include <cstdint>
#include <string>

namespace octagon::exporters {

// Formats timestamps, caching the "YYYY-MM-DDTHH:MM:SS" prefix of the last second seen: events
// arrive in bursts within one second, so most calls only write the fraction. The date itself
// comes from integer arithmetic (days -> civil date), never from gmtime/strftime.
// Not thread-safe: one formatter per encoder.
class TimeFormatter {
public:
  // Appends "2023-10-06T22:03:57.700327580Z": always 9 fractional digits (Go's
  // "2006-01-02T15:04:05.000000000Z07:00", used by Tetragon's compact output).
  void append(std::string& out, uint64_t ns);

  // Appends a protojson google.protobuf.Timestamp: 0, 3, 6 or 9 fractional digits, the
  // fewest that are exact ("…:57Z", "…:57.700Z", "…:57.700327Z", "…:57.700327580Z").
  // This is what Tetragon's JSON export shows.
  void append_proto(std::string& out, uint64_t ns);

private:
  void append_prefix(std::string& out, uint64_t sec);

  static constexpr uint64_t kNoSecond = ~uint64_t{0};
  uint64_t cached_sec_ = kNoSecond;
  char prefix_[19] = {}; // "YYYY-MM-DDTHH:MM:SS"
};

// Civil (proleptic Gregorian) date of a count of days since 1970-01-01.
struct CivilDate {
  uint32_t year = 1970;
  uint32_t month = 1; // 1..12
  uint32_t day = 1;   // 1..31
};
CivilDate civil_from_days(uint64_t days);

} // namespace octagon::exporters
