// Policy records (abi/generic.h) decoded and rendered: arguments, a returned string, and
// records whose lengths overrun them.
#include <octagon/sensors/generic/generic_decoder.h>

#include <cstring>

#include "test_helpers.h"

namespace octagon::sensors {
namespace {

std::string record(int64_t arg0, const std::string& ret_str, uint16_t claimed_ret_len = 0) {
  oct_gen_event ev{};
  ev.nargs = 1;
  ev.arg_len[0] = 8;
  ev.flags = OCT_GEF_HAS_RET;
  ev.ret = 0x7ffd0000;  // the pointer; the string follows the args
  ev.ret_len = claimed_ret_len ? claimed_ret_len : uint16_t(ret_str.size());
  std::string out(reinterpret_cast<const char*>(&ev), sizeof ev);
  out.append(reinterpret_cast<const char*>(&arg0), 8);
  out += ret_str;
  oct_gen_event* hdr = reinterpret_cast<oct_gen_event*>(out.data());
  hdr->hdr.size = uint32_t(out.size());
  return out;
}

// data[] entries are the record's values after the hook's args: render_data shows them alone.
TEST(GenericDecoder, DataEntriesFollowTheArgs) {
  oct_gen_event ev{};
  ev.nargs = 3;
  ev.arg_len[0] = 4;
  ev.arg_len[1] = 8;
  ev.arg_len[2] = 3;
  int64_t tgid = 4242;
  std::string r(reinterpret_cast<const char*>(&ev), sizeof ev);
  r += "/etc";
  r.append(reinterpret_cast<const char*>(&tgid), 8);
  r += "cat";
  reinterpret_cast<oct_gen_event*>(r.data())->hdr.size = uint32_t(r.size());
  DecodedGeneric d;
  ASSERT_OK(decode_generic(r.data(), r.size(), d));
  policy::HookRender render;
  render.args.push_back({events::Argument::Kind::kString, 8, false, false, "path"});
  render.data.push_back({events::Argument::Kind::kInt, 4, true, false, "tgid"});
  render.data.push_back({events::Argument::Kind::kString, 8, false, false, ""});
  std::vector<events::Argument> args, data;
  std::optional<events::Argument> ret;
  render_arguments(d, render, args, ret);
  render_data(d, render, data);
  ASSERT_EQ(args.size(), 1u);
  EXPECT_EQ(args[0].s, "/etc");
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0].i, 4242);
  EXPECT_EQ(data[0].label, "tgid");
  EXPECT_EQ(data[1].s, "cat");
  render.data.clear();
  render_data(d, render, data);
  EXPECT_TRUE(data.empty());
}

// A nop argument keeps its place in the record but is not shown.
TEST(GenericDecoder, NopArgumentsAreNotShown) {
  oct_gen_event ev{};
  ev.nargs = 2;
  ev.arg_len[0] = 8;
  ev.arg_len[1] = 8;
  int64_t v[2] = {7, 9};
  std::string r(reinterpret_cast<const char*>(&ev), sizeof ev);
  r.append(reinterpret_cast<const char*>(v), 16);
  reinterpret_cast<oct_gen_event*>(r.data())->hdr.size = uint32_t(r.size());
  DecodedGeneric d;
  ASSERT_OK(decode_generic(r.data(), r.size(), d));
  policy::HookRender render;
  render.args.push_back({events::Argument::Kind::kSize, 8, false, false, ""});
  render.args.push_back({events::Argument::Kind::kInt, 8, true, false, ""});
  render.args[0].nop = true;
  std::vector<events::Argument> args;
  std::optional<events::Argument> ret;
  render_arguments(d, render, args, ret);
  ASSERT_EQ(args.size(), 1u);
  EXPECT_EQ(args[0].i, 9);
}

TEST(GenericDecoder, ReturnedStringFollowsTheArguments) {
  std::string r = record(-5, "ls -la");
  DecodedGeneric d;
  ASSERT_OK(decode_generic(r.data(), r.size(), d));
  EXPECT_EQ(d.ret_data, "ls -la");
  policy::HookRender render;
  render.args.push_back({events::Argument::Kind::kInt, 4, true, false, "n"});
  render.ret = policy::ArgRender{events::Argument::Kind::kString, 8, false, false, "line"};
  std::vector<events::Argument> args;
  std::optional<events::Argument> ret;
  render_arguments(d, render, args, ret);
  ASSERT_EQ(args.size(), 1u);
  EXPECT_EQ(args[0].i, -5);
  ASSERT_TRUE(ret);
  EXPECT_EQ(ret->kind, events::Argument::Kind::kString);
  EXPECT_EQ(ret->s, "ls -la");
  EXPECT_EQ(ret->label, "line");
  // An integer returnArg still renders the value itself.
  render.ret = policy::ArgRender{events::Argument::Kind::kLong, 8, true, false, ""};
  render_arguments(d, render, args, ret);
  EXPECT_EQ(ret->i, 0x7ffd0000);
}

TEST(GenericDecoder, OverrunningReturnStringIsRejected) {
  std::string r = record(1, "abc", 200);
  DecodedGeneric d;
  EXPECT_ERR(decode_generic(r.data(), r.size(), d), EPROTO, "return string overruns");
}

}  // namespace
}  // namespace octagon::sensors
