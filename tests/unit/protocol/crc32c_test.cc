#include "protocol/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace sluice::protocol {
namespace {

TEST(Crc32c, CheckValueOfStandardString) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c_internal::ExtendPortable(0, "123456789", 9), 0xE3069283u);
}

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(Crc32c("", 0), 0u);
  // RFC 3720 (iSCSI) B.4: 32 bytes of zeros / of 0xFF.
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  std::string ones(32, '\xFF');
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
  std::string inc;
  for (int i = 0; i < 32; ++i) inc.push_back(static_cast<char>(i));
  EXPECT_EQ(Crc32c(inc), 0x46DD794Eu);
}

TEST(Crc32c, ExtendEqualsWholeBuffer) {
  std::string s = "The quick brown fox jumps over the lazy dog, twice over.";
  uint32_t whole = Crc32c(s);
  for (size_t split = 0; split <= s.size(); ++split) {
    uint32_t a = Crc32c(s.data(), split);
    EXPECT_EQ(crc32c::Extend(a, s.data() + split, s.size() - split), whole) << split;
  }
}

TEST(Crc32c, HardwareMatchesPortableOnAllLengthsAndAlignments) {
  if (!crc32c_internal::HasHardware()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  std::mt19937 rng(12345);
  std::vector<uint8_t> buf(300 + 16);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (size_t misalign = 0; misalign < 16; ++misalign) {
    for (size_t len = 0; len <= 300; ++len) {
      const uint8_t* p = buf.data() + misalign;
      uint32_t seed = static_cast<uint32_t>(len * 2654435761u);
      ASSERT_EQ(crc32c_internal::ExtendHardware(0, p, len),
                crc32c_internal::ExtendPortable(0, p, len))
          << "len=" << len << " misalign=" << misalign;
      ASSERT_EQ(crc32c_internal::ExtendHardware(seed, p, len),
                crc32c_internal::ExtendPortable(seed, p, len))
          << "len=" << len << " misalign=" << misalign;
    }
  }
}

TEST(Crc32c, DetectsSingleBitFlip) {
  std::string s(100, 'x');
  uint32_t before = Crc32c(s);
  s[50] ^= 0x01;
  EXPECT_NE(Crc32c(s), before);
}

}  // namespace
}  // namespace sluice::protocol
