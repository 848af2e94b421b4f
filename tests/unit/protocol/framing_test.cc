#include "protocol/framing.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::protocol {
namespace {

FrameCheck Check(const std::string& buf, int32_t max = kDefaultMaxFrameBytes) {
  return CheckFrame(reinterpret_cast<const uint8_t*>(buf.data()), buf.size(), max);
}

TEST(Framing, PartialPrefixNeedsMore) {
  FrameCheck c = Check(std::string("\x00\x00", 2));
  EXPECT_EQ(c.state, FrameCheck::State::kNeedMore);
  EXPECT_EQ(c.size, -1);
  EXPECT_EQ(c.needed, 4u);
}

TEST(Framing, PartialPayloadNeedsMoreWithKnownSize) {
  FrameCheck c = Check(std::string("\x00\x00\x00\x05" "abc", 7));
  EXPECT_EQ(c.state, FrameCheck::State::kNeedMore);
  EXPECT_EQ(c.size, 5);
  EXPECT_EQ(c.needed, 9u);
}

TEST(Framing, CompleteFrameWithTrailingBytes) {
  FrameCheck c = Check(std::string("\x00\x00\x00\x03" "abc" "\x00\x00", 9));
  EXPECT_EQ(c.state, FrameCheck::State::kFrame);
  EXPECT_EQ(c.size, 3);
  EXPECT_EQ(c.needed, 7u);
}

TEST(Framing, NegativeSizeIsAnError) {
  FrameCheck c = Check(std::string("\xff\xff\xff\xfe", 4));
  EXPECT_EQ(c.state, FrameCheck::State::kError);
  EXPECT_EQ(c.error.code(), Errc::kTooLarge);
  EXPECT_NE(c.error.message().find("-2"), std::string::npos);
}

TEST(Framing, SizeAboveMaximumIsTooLargeNamingTheSize) {
  FrameCheck c = Check(std::string("\x00\x00\x01\x01", 4), /*max=*/256);
  EXPECT_EQ(c.state, FrameCheck::State::kError);
  EXPECT_EQ(c.error.code(), Errc::kTooLarge);
  EXPECT_NE(c.error.message().find("257"), std::string::npos);
  EXPECT_EQ(Check(std::string("\x00\x00\x01\x00", 4), 256).state, FrameCheck::State::kNeedMore);
  // Default maximum: socket.request.max.bytes = 104857600.
  EXPECT_EQ(Check(std::string("\x06\x40\x00\x01", 4)).state, FrameCheck::State::kError);
  EXPECT_EQ(Check(std::string("\x06\x40\x00\x00", 4)).state, FrameCheck::State::kNeedMore);
}

TEST(Framing, BeginEndFramePatchesSizeIncludingRegions) {
  WireWriter w;
  size_t begin = BeginFrame(w);
  w.WriteInt32(42);
  w.AddFileRegion(FileRegion{0, 0, 100, nullptr});
  EndFrame(w, begin);
  EXPECT_EQ(w.bytes().substr(0, 4), std::string("\x00\x00\x00\x68", 4));  // 4 + 100
}

}  // namespace
}  // namespace sluice::protocol
