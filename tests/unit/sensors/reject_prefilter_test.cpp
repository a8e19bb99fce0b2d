// The reject prefilter summarised from a plan (src/sensors/generic/reject_prefilter.cpp): what
// it holds for each kind of selector, and that it never rejects an event some selector accepts
// (checked against a model of the kernel's arithmetic in bpf/lib/filter/prefilter.bpf.h).
#include <octagon/sensors/generic/reject_prefilter.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace octagon::sensors {
namespace {

oct_gen_config plan(uint8_t mode = OCT_MODE_FULL) {
  oct_gen_config c{};
  c.mode = mode;
  c.nargs = 2;
  c.args[0].kind = OCT_GA_INT;
  c.args[0].size = 4;
  c.args[1].kind = OCT_GA_STR_USER;
  c.args[1].size = 8;
  return c;
}

oct_gen_selector& add_selector(oct_gen_config& c) { return c.selectors[c.nselectors++]; }

void pids_in(oct_gen_selector& s, std::vector<uint32_t> pids, uint8_t flags = 0) {
  oct_gen_pid_filter& f = s.pid_filters[s.npid_filters++];
  f.op = OCT_SET_IN;
  f.flags = flags;
  f.npids = uint8_t(pids.size());
  for (size_t i = 0; i < pids.size(); i++) f.pids[i] = pids[i];
}

void int_equal(oct_gen_selector& s, std::vector<int64_t> vals, uint8_t op = OCT_OP_EQ) {
  oct_gen_filter& f = s.filters[s.nfilters++];
  f.arg = 0;
  f.op = op;
  f.nvals = uint8_t(vals.size());
  for (size_t i = 0; i < vals.size(); i++) f.ivals[2 * i] = vals[i];
}

void string_filter(oct_gen_selector& s, uint8_t op, std::vector<std::string> vals) {
  oct_gen_filter& f = s.filters[s.nfilters++];
  f.arg = 1;
  f.op = op;
  f.is_string = 1;
  f.nvals = uint8_t(vals.size());
  for (size_t i = 0; i < vals.size(); i++) {
    std::memcpy(f.svals[i], vals[i].data(), vals[i].size());
    f.slen[i] = uint16_t(vals[i].size());
  }
}

// The kernel's decision (prefilter.bpf.h), given the tgid, arg 0's slot and arg 1's string.
bool rejects(const oct_gen_prefilter& p, uint32_t tgid, uint64_t slot0, const std::string& str) {
  auto none_of = [](uint64_t v, const auto& set) {
    for (auto x : set)
      if (uint64_t(x) == v) return false;
    return true;
  };
  if ((p.flags & OCT_PRE_PIDS) && none_of(tgid, p.pids)) return true;
  if ((p.flags & OCT_PRE_INT) && none_of(slot0, p.ints)) return true;
  if (p.flags & OCT_PRE_STR) {
    char bytes[8] = {};
    std::memcpy(bytes, str.c_str(), std::min<size_t>(8, str.size() + 1));
    uint64_t w = 0;
    std::memcpy(&w, bytes, 8);  // little-endian like the kernel's load
    bool hit = false;
    for (int i = 0; i < OCT_PRE_MAX; i++) hit |= (w & p.str_masks[i]) == p.strs[i];
    if (!hit) return true;
  }
  return false;
}

// What the full selectors say about the same event (the filters these tests use).
bool selector_accepts(const oct_gen_selector& s, uint32_t tgid, int64_t arg0, const std::string& str) {
  for (uint32_t i = 0; i < s.npid_filters; i++) {
    const auto& f = s.pid_filters[i];
    bool in = std::find(f.pids, f.pids + f.npids, tgid) != f.pids + f.npids;
    if (in != (f.op == OCT_SET_IN)) return false;
  }
  for (uint32_t i = 0; i < s.nfilters; i++) {
    const auto& f = s.filters[i];
    bool any = false;
    for (uint32_t v = 0; v < f.nvals; v++) {
      if (!f.is_string) {
        any |= arg0 == f.ivals[2 * v];
      } else {
        std::string val(f.svals[v], f.slen[v]);
        any |= f.op == OCT_OP_EQ ? str == val : str.compare(0, val.size(), val) == 0;
      }
    }
    if (!any) return false;
  }
  return true;
}

bool some_selector_accepts(const oct_gen_config& c, uint32_t tgid, int64_t arg0, const std::string& str) {
  for (uint32_t s = 0; s < c.nselectors; s++)
    if (selector_accepts(c.selectors[s], tgid, arg0, str)) return true;
  return false;
}

// Sound: over a grid of events, nothing a selector accepts is rejected; and it is useful:
// some events are rejected.
void expect_sound(const oct_gen_config& c, bool expect_rejections = true) {
  oct_gen_prefilter p = reject_prefilter(c);
  int rejected = 0;
  for (uint32_t tgid : {0u, 1u, 7u, 42u, 1000u})
    for (int64_t a : {-1L, 0L, 3L, 1000000L, 4294967295L})
      for (std::string s : {"", "/", "/etc/hostname", "/etc", "/etc/", "/tmp/x", "/octagon-no-such-dir/f", "/etc/passwd",
                            "/etc/passwd2"}) {
        bool rej = rejects(p, tgid, uint64_t(a), s);
        if (some_selector_accepts(c, tgid, a, s)) {
          EXPECT_FALSE(rej) << "rejected an accepted event: tgid " << tgid << " arg " << a << " str " << s;
        }
        rejected += rej;
      }
  if (expect_rejections) {
    EXPECT_GT(rejected, 0);
  }
}

TEST(RejectPrefilter, NothingWithoutSelectors) {
  EXPECT_EQ(reject_prefilter(plan()).flags, 0);
}

TEST(RejectPrefilter, UnionOfPlainPidsAcrossSelectors) {
  oct_gen_config c = plan();
  pids_in(add_selector(c), {1, 7});
  pids_in(add_selector(c), {42});
  oct_gen_prefilter p = reject_prefilter(c);
  ASSERT_EQ(p.flags, OCT_PRE_PIDS);
  EXPECT_EQ(std::vector<uint32_t>(p.pids, p.pids + 4), (std::vector<uint32_t>{1, 7, 42, 1}));
  expect_sound(c);
}

TEST(RejectPrefilter, PidsNotSummarisedWhenASelectorLacksThemOrFollowsForks) {
  oct_gen_config c = plan();
  pids_in(add_selector(c), {1});
  add_selector(c);  // any process
  EXPECT_EQ(reject_prefilter(c).flags & OCT_PRE_PIDS, 0);
  oct_gen_config f = plan();
  pids_in(add_selector(f), {1}, OCT_PIDF_FOLLOW);
  EXPECT_EQ(reject_prefilter(f).flags & OCT_PRE_PIDS, 0);
  oct_gen_config n = plan();
  pids_in(add_selector(n), {1}, OCT_PIDF_NSPID);
  EXPECT_EQ(reject_prefilter(n).flags & OCT_PRE_PIDS, 0);
}

TEST(RejectPrefilter, TooManyPidsMeansNoPidPrefilter) {
  oct_gen_config c = plan();
  pids_in(add_selector(c), {1, 2, 3, 4});
  pids_in(add_selector(c), {5, 6, 7, 8});
  EXPECT_EQ(reject_prefilter(c).flags, OCT_PRE_PIDS);
  pids_in(add_selector(c), {9});
  EXPECT_EQ(reject_prefilter(c).flags, 0);
}

TEST(RejectPrefilter, IntegerEqualOnEverySelector) {
  oct_gen_config c = plan();
  int_equal(add_selector(c), {1000000, 3});
  int_equal(add_selector(c), {-1});
  oct_gen_prefilter p = reject_prefilter(c);
  ASSERT_EQ(p.flags, OCT_PRE_INT);
  EXPECT_EQ(p.int_arg, 0);
  EXPECT_EQ(p.ints[2], uint64_t(-1));
  expect_sound(c);
}

TEST(RejectPrefilter, NoIntegerPrefilterForOtherOperatorsOrMissingSelectors) {
  oct_gen_config c = plan();
  int_equal(add_selector(c), {3}, OCT_OP_NEQ);
  EXPECT_EQ(reject_prefilter(c).flags, 0);
  expect_sound(c, false);
  oct_gen_config d = plan();
  int_equal(add_selector(d), {3});
  string_filter(add_selector(d), OCT_OP_PREFIX, {"/etc"});
  EXPECT_EQ(reject_prefilter(d).flags, 0);
  expect_sound(d, false);
}

TEST(RejectPrefilter, StringPrefixAndEqualHeads) {
  oct_gen_config c = plan();
  string_filter(add_selector(c), OCT_OP_PREFIX, {"/etc/", "/octagon-no-such-dir/"});
  string_filter(add_selector(c), OCT_OP_EQ, {"/tmp/x", "/"});
  oct_gen_prefilter p = reject_prefilter(c);
  ASSERT_EQ(p.flags, OCT_PRE_STR | OCT_PRE_STR_USER);
  EXPECT_EQ(p.str_arg, 1);
  EXPECT_EQ(p.str_masks[0], 0xffffffffffULL);  // "/etc/": 5 bytes
  EXPECT_EQ(p.str_masks[1], ~0ULL);             // a long prefix: its first 8 bytes
  EXPECT_EQ(p.str_masks[2], 0xffffffffffffffULL);  // "/tmp/x" and its NUL
  expect_sound(c);
  EXPECT_TRUE(rejects(p, 1, 0, "/etc"));     // shorter than the prefix
  EXPECT_FALSE(rejects(p, 1, 0, "/etc/passwd"));
  EXPECT_TRUE(rejects(p, 1, 0, "/tmp/xy"));  // Equal: longer is not equal
}

TEST(RejectPrefilter, ArgumentPrefiltersOnlyWhereRawSlotsAreJudged) {
  for (uint8_t mode : {OCT_MODE_EXIT, OCT_MODE_EXIT_DEFER}) {
    oct_gen_config c = plan(mode);
    auto& s = add_selector(c);
    pids_in(s, {1});
    int_equal(s, {3});
    EXPECT_EQ(reject_prefilter(c).flags, OCT_PRE_PIDS) << int(mode);
  }
  oct_gen_config r = plan();
  r.hot = OCT_GCH_RESOLVE;
  int_equal(add_selector(r), {3});
  EXPECT_EQ(reject_prefilter(r).flags, 0);
}

}  // namespace
}  // namespace octagon::sensors
