#include <octagon/sensors/generic/reject_prefilter.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace octagon::sensors {
namespace {

using Selector = oct_gen_selector;

// The selectors of the plan (nselectors of them).
std::vector<const Selector*> selectors(const oct_gen_config& c) {
  std::vector<const Selector*> out;
  for (uint32_t s = 0; s < c.nselectors && s < OCT_GEN_MAX_SELECTORS; s++) out.push_back(&c.selectors[s]);
  return out;
}

// Adds `v` to `set` unless present; false when the set would exceed OCT_PRE_MAX values.
template <typename T>
bool add(std::vector<T>& set, T v) {
  if (std::find(set.begin(), set.end(), v) != set.end()) return true;
  if (set.size() >= OCT_PRE_MAX) return false;
  set.push_back(v);
  return true;
}

// Fills dst[OCT_PRE_MAX] with `set`, repeating its first value (a repeat matches nothing new).
template <typename T, typename U>
void fill(U (&dst)[OCT_PRE_MAX], const std::vector<T>& set) {
  for (size_t i = 0; i < OCT_PRE_MAX; i++) dst[i] = U(set[i < set.size() ? i : 0]);
}

// Slots the entry-side reject path reads straight from the context (not saved slots, not
// followed resolve: paths).
bool reads_raw_slots(const oct_gen_config& c) {
  if (c.hot & OCT_GCH_RESOLVE) return false;
  return c.mode == OCT_MODE_FULL || c.mode == OCT_MODE_STORE || c.mode == OCT_MODE_ENTER_DEFER ||
         c.mode == OCT_MODE_FEXIT;
}

// The matchPIDs filter of a selector that names the process itself (tgid, host pid namespace):
// In, no followForks, no isNamespacePID; nullptr when it has none.
const oct_gen_pid_filter* required_pids(const Selector& s) {
  for (uint32_t i = 0; i < s.npid_filters && i < OCT_GEN_MAX_PID_FILTERS; i++) {
    const oct_gen_pid_filter& f = s.pid_filters[i];
    if (f.op == OCT_SET_IN && f.flags == 0 && f.npids) return &f;
  }
  return nullptr;
}

// matchPIDs In on every selector: the union of their pids.
std::optional<std::vector<uint32_t>> pid_set(const std::vector<const Selector*>& sels) {
  std::vector<uint32_t> set;
  for (const Selector* s : sels) {
    const oct_gen_pid_filter* f = required_pids(*s);
    if (!f) return std::nullopt;
    for (uint32_t i = 0; i < f->npids && i < OCT_GEN_MAX_PIDS; i++)
      if (!add(set, f->pids[i])) return std::nullopt;
  }
  return set;
}

bool is_int_equal(const oct_gen_config& c, const oct_gen_filter& f, uint8_t arg) {
  return f.op == OCT_OP_EQ && !f.is_string && f.arg == arg && arg < OCT_GEN_MAX_ARGS && arg < c.nargs &&
         c.args[arg].kind == OCT_GA_INT && f.nvals > 0;
}

bool is_string_head(const oct_gen_config& c, const oct_gen_filter& f, uint8_t arg) {
  if ((f.op != OCT_OP_EQ && f.op != OCT_OP_PREFIX) || f.is_string != 1 || f.arg != arg) return false;
  if (arg >= OCT_GEN_MAX_ARGS || arg >= c.nargs || f.nvals == 0) return false;
  uint8_t kind = c.args[arg].kind;
  return kind == OCT_GA_STR_USER || kind == OCT_GA_STR_KERNEL;
}

// The first filter of `s` that `pred` accepts for argument `arg`.
template <typename Pred>
const oct_gen_filter* find_filter(const Selector& s, uint8_t arg, Pred pred) {
  for (uint32_t f = 0; f < s.nfilters && f < OCT_GEN_MAX_FILTERS; f++)
    if (pred(s.filters[f], arg)) return &s.filters[f];
  return nullptr;
}

// The argument every selector filters with `pred`, tried in the order of the first selector's
// filters; nullopt when there is none.
template <typename Pred>
std::optional<uint8_t> common_arg(const std::vector<const Selector*>& sels, Pred pred) {
  const Selector& first = *sels.front();
  for (uint32_t f = 0; f < first.nfilters && f < OCT_GEN_MAX_FILTERS; f++) {
    uint8_t arg = first.filters[f].arg;
    if (!pred(first.filters[f], arg)) continue;
    bool all = std::all_of(sels.begin(), sels.end(), [&](const Selector* s) { return find_filter(*s, arg, pred); });
    if (all) return arg;
  }
  return std::nullopt;
}

// A string value's first bytes as the kernel loads them (little-endian), and the mask of the
// bytes that must match: Prefix needs its first min(8, len) bytes, Equal also the NUL after a
// value shorter than 8.
std::pair<uint64_t, uint64_t> string_head(const oct_gen_filter& f, uint32_t v) {
  uint32_t len = std::min<uint32_t>(f.slen[v], OCT_GEN_STR_MAX);
  uint32_t k = std::min<uint32_t>(8, f.op == OCT_OP_EQ ? len + 1 : len);
  uint8_t bytes[8] = {};
  std::memcpy(bytes, f.svals[v], std::min<uint32_t>(k, len));
  uint64_t word = 0;
  for (uint32_t i = 0; i < k; i++) word |= uint64_t(bytes[i]) << (8 * i);
  uint64_t mask = k == 8 ? ~0ULL : (1ULL << (8 * k)) - 1;
  return {word & mask, mask};
}

}  // namespace

oct_gen_prefilter reject_prefilter(const oct_gen_config& c) {
  oct_gen_prefilter p{};
  std::vector<const Selector*> sels = selectors(c);
  if (sels.empty()) return p;

  if (auto pids = pid_set(sels)) {
    p.flags |= OCT_PRE_PIDS;
    fill(p.pids, *pids);
  }
  if (!reads_raw_slots(c)) return p;

  auto int_pred = [&](const oct_gen_filter& f, uint8_t arg) { return is_int_equal(c, f, arg); };
  if (auto arg = common_arg(sels, int_pred)) {
    std::vector<uint64_t> set;
    bool fits = true;
    for (const Selector* s : sels) {
      const oct_gen_filter* f = find_filter(*s, *arg, int_pred);
      for (uint32_t v = 0; fits && v < f->nvals && v < OCT_GEN_MAX_VALUES; v++)
        fits = add(set, uint64_t(f->ivals[2 * v]));
    }
    if (fits) {
      p.flags |= OCT_PRE_INT;
      p.int_arg = *arg;
      fill(p.ints, set);
    }
  }

  auto str_pred = [&](const oct_gen_filter& f, uint8_t arg) { return is_string_head(c, f, arg); };
  if (auto arg = common_arg(sels, str_pred)) {
    std::vector<std::pair<uint64_t, uint64_t>> set;
    bool fits = true;
    for (const Selector* s : sels) {
      const oct_gen_filter* f = find_filter(*s, *arg, str_pred);
      for (uint32_t v = 0; fits && v < f->nvals && v < OCT_GEN_MAX_VALUES; v++)
        fits = add(set, string_head(*f, v));
    }
    if (fits) {
      p.flags |= OCT_PRE_STR;
      if (c.args[*arg].kind == OCT_GA_STR_USER) p.flags |= OCT_PRE_STR_USER;
      p.str_arg = *arg;
      for (size_t i = 0; i < OCT_PRE_MAX; i++) {
        const auto& e = set[i < set.size() ? i : 0];
        p.strs[i] = e.first;
        p.str_masks[i] = e.second;
      }
    }
  }
  return p;
}

}  // namespace octagon::sensors
