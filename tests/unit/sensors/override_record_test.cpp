// The Override fields of a policy record (abi/generic.h oct_gen_event): what was asked, whether
// it was done, and the error returned, next to the selector's action.
#include <octagon/sensors/generic/generic_decoder.h>

#include <string>

#include "test_helpers.h"

namespace octagon::sensors {
namespace {

DecodedGeneric decode(const oct_gen_event& in) {
  oct_gen_event ev = in;
  ev.hdr.size = sizeof ev;
  DecodedGeneric d;
  EXPECT_TRUE(decode_generic(&ev, sizeof ev, d));
  return d;
}

TEST(OverrideRecord, DoneOverrideWithSigkill) {
  oct_gen_event ev{};
  ev.action = OCT_ACT_SIGKILL;
  ev.action_done = 1;
  ev.override = 1;
  ev.override_done = 1;
  ev.override_ret = -13;
  DecodedGeneric d = decode(ev);
  EXPECT_EQ(d.action, OCT_ACT_SIGKILL);
  EXPECT_TRUE(d.action_done);
  EXPECT_TRUE(d.override_asked);
  EXPECT_TRUE(d.override_done);
  EXPECT_EQ(d.override_ret, -13);
}

TEST(OverrideRecord, MonitorModeOverrideIsNotDone) {
  oct_gen_event ev{};
  ev.action = OCT_ACT_OVERRIDE;
  ev.override = 1;
  ev.override_ret = -1;
  DecodedGeneric d = decode(ev);
  EXPECT_EQ(d.action, OCT_ACT_OVERRIDE);
  EXPECT_FALSE(d.action_done);
  EXPECT_TRUE(d.override_asked);
  EXPECT_FALSE(d.override_done);
  oct_gen_event plain{};
  plain.action = OCT_ACT_POST;
  EXPECT_FALSE(decode(plain).override_asked);
}

}  // namespace
}  // namespace octagon::sensors
