#include "protocol/compression.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "protocol/varint.h"

namespace sluice::protocol {
namespace {

const uint8_t* U(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

std::string Sample(size_t n) {
  std::string s;
  std::mt19937 rng(7);
  while (s.size() < n) s += "value-" + std::to_string(rng() % 1000) + " repeated ";
  s.resize(n);
  return s;
}

class CodecTest : public ::testing::TestWithParam<Compression> {};

TEST_P(CodecTest, RoundTripsManySizes) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{100}, size_t{70000}, size_t{300000}}) {
    std::string in = Sample(n);
    auto c = Compress(GetParam(), in);
    ASSERT_TRUE(c.ok()) << c.status();
    auto d = Decompress(GetParam(), U(*c), c->size(), 1 << 20);
    ASSERT_TRUE(d.ok()) << CompressionName(GetParam()) << " n=" << n << " " << d.status();
    EXPECT_EQ(*d, in);
  }
}

TEST_P(CodecTest, OutputCapIsEnforced) {
  std::string in(100000, 'a');  // highly compressible: a small "bomb"
  auto c = Compress(GetParam(), in);
  ASSERT_TRUE(c.ok());
  auto d = Decompress(GetParam(), U(*c), c->size(), 99999);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Errc::kTooLarge);
  auto exact = Decompress(GetParam(), U(*c), c->size(), 100000);
  EXPECT_TRUE(exact.ok());
}

class RealCodecTest : public ::testing::TestWithParam<Compression> {};

TEST_P(RealCodecTest, TruncatedAndGarbageInputFailCleanly) {
  std::string in = Sample(5000);
  auto c = Compress(GetParam(), in);
  ASSERT_TRUE(c.ok());
  for (size_t len = 0; len < c->size(); ++len) {
    auto d = Decompress(GetParam(), U(*c), len, 1 << 20);
    // Snappy cannot always tell a truncated stream from a shorter valid one, but the result must
    // never be the full input.
    if (d.ok()) {
      EXPECT_NE(*d, in) << "len " << len;
    } else {
      EXPECT_EQ(d.status().code(), Errc::kCorruption) << "len " << len << " " << d.status();
    }
  }
  std::mt19937 rng(1);
  for (int i = 0; i < 200; ++i) {
    std::string junk(rng() % 300, '\0');
    for (auto& ch : junk) ch = static_cast<char>(rng());
    auto d = Decompress(GetParam(), U(junk), junk.size(), 1 << 16);
    (void)d;  // must not crash or exceed the cap
    if (d.ok()) {
      EXPECT_LE(d->size(), size_t{1} << 16);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kSnappy, Compression::kLz4,
                                           Compression::kZstd),
                         [](const auto& param_info) {
                           return std::string(CompressionName(param_info.param));
                         });
INSTANTIATE_TEST_SUITE_P(Codecs, RealCodecTest,
                         ::testing::Values(Compression::kGzip,
                                           Compression::kSnappy, Compression::kLz4,
                                           Compression::kZstd),
                         [](const auto& param_info) {
                           return std::string(CompressionName(param_info.param));
                         });

TEST(Compression, MagicBytesMatchKafkaFormats) {
  std::string in = Sample(1000);
  EXPECT_EQ(Compress(Compression::kGzip, in)->substr(0, 2), "\x1f\x8b");
  EXPECT_EQ(Compress(Compression::kLz4, in)->substr(0, 4), std::string("\x04\x22\x4d\x18", 4));
  EXPECT_EQ(Compress(Compression::kZstd, in)->substr(0, 4), "\x28\xb5\x2f\xfd");
}

// snappy-java (xerial) framing, as the Java producer writes it: magic, version 1, compatible
// version 1, then int32-length-prefixed raw snappy blocks.
std::string XerialFrame(const std::string& in, size_t block) {
  std::string out("\x82SNAPPY\x00", 8);
  varint::AppendBe32(out, 1);
  varint::AppendBe32(out, 1);
  for (size_t pos = 0; pos < in.size(); pos += block) {
    auto c = Compress(Compression::kSnappy, std::string_view(in).substr(pos, block));
    varint::AppendBe32(out, static_cast<uint32_t>(c->size()));
    out += *c;
  }
  return out;
}

TEST(Compression, SnappyJavaFramingDecodes) {
  std::string in = Sample(100000);
  std::string framed = XerialFrame(in, 32768);
  auto d = Decompress(Compression::kSnappy, U(framed), framed.size());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, in);
  // Cap applies across blocks.
  auto capped = Decompress(Compression::kSnappy, U(framed), framed.size(), 50000);
  EXPECT_EQ(capped.status().code(), Errc::kTooLarge);
  // A block length past the end is corruption.
  std::string bad = framed.substr(0, framed.size() - 1);
  EXPECT_EQ(Decompress(Compression::kSnappy, U(bad), bad.size()).status().code(),
            Errc::kCorruption);
  // Header only: empty output.
  std::string header_only = framed.substr(0, 16);
  auto empty = Decompress(Compression::kSnappy, U(header_only), header_only.size());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(Compression, SnappyHugeDeclaredLengthIsTooLargeWithoutAllocating) {
  // Raw snappy starts with a varint of the uncompressed length; claim ~4 GiB.
  std::string bomb("\xff\xff\xff\xff\x0f\x00", 6);
  auto d = Decompress(Compression::kSnappy, U(bomb), bomb.size(), 1 << 20);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Errc::kTooLarge);
}

TEST(Compression, ConcatenatedFramesDecode) {
  std::string a = Sample(1000), b = Sample(2000);
  for (Compression c : {Compression::kGzip, Compression::kLz4, Compression::kZstd}) {
    std::string both = *Compress(c, a) + *Compress(c, b);
    auto d = Decompress(c, U(both), both.size());
    ASSERT_TRUE(d.ok()) << CompressionName(c) << " " << d.status();
    EXPECT_EQ(*d, a + b) << CompressionName(c);
  }
}

}  // namespace
}  // namespace sluice::protocol
