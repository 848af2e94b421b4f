#include "protocol/wire.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/errors_map.h"
#include "protocol/records.h"

namespace sluice::protocol {
namespace {

WireReader ReaderOf(const std::string& s) { return WireReader(s); }

TEST(WireWriter, IntegersAreBigEndian) {
  WireWriter w;
  w.WriteInt8(-2);
  w.WriteInt16(0x0102);
  w.WriteInt32(0x01020304);
  w.WriteInt64(0x0102030405060708LL);
  w.WriteUint16(0xfffe);
  w.WriteUint32(0xfffffffdU);
  EXPECT_EQ(w.bytes(), std::string("\xfe\x01\x02\x01\x02\x03\x04\x01\x02\x03\x04\x05\x06\x07\x08"
                                   "\xff\xfe\xff\xff\xff\xfd",
                                   21));
  WireReader r = ReaderOf(w.bytes());
  EXPECT_EQ(r.ReadInt8(), -2);
  EXPECT_EQ(r.ReadInt16(), 0x0102);
  EXPECT_EQ(r.ReadInt32(), 0x01020304);
  EXPECT_EQ(r.ReadInt64(), 0x0102030405060708LL);
  EXPECT_EQ(r.ReadUint16(), 0xfffe);
  EXPECT_EQ(r.ReadUint32(), 0xfffffffdU);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(WireWriter, FloatBoolUuidRoundTrip) {
  WireWriter w;
  w.WriteFloat64(-1.25);
  w.WriteBool(true);
  w.WriteBool(false);
  Uuid id{};
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(i * 17);
  w.WriteUuid(id);
  WireReader r = ReaderOf(w.bytes());
  EXPECT_EQ(r.ReadFloat64(), -1.25);
  EXPECT_TRUE(r.ReadBool());
  EXPECT_FALSE(r.ReadBool());
  EXPECT_EQ(r.ReadUuid(), id);
  EXPECT_TRUE(r.ok());
}

TEST(Varint, UnsignedEncodingMatchesKafka) {
  WireWriter w;
  w.WriteUnsignedVarint(0);
  w.WriteUnsignedVarint(127);
  w.WriteUnsignedVarint(128);
  w.WriteUnsignedVarint(300);
  EXPECT_EQ(w.bytes(), std::string("\x00\x7f\x80\x01\xac\x02", 6));
  WireWriter max;
  max.WriteUnsignedVarint(std::numeric_limits<uint32_t>::max());
  EXPECT_EQ(max.bytes(), std::string("\xff\xff\xff\xff\x0f", 5));
}

TEST(Varint, ZigZagSignedRoundTrip) {
  const int32_t ints[] = {0, -1, 1, -64, 63, 64, std::numeric_limits<int32_t>::min(),
                          std::numeric_limits<int32_t>::max()};
  const int64_t longs[] = {0, -1, 1, std::numeric_limits<int64_t>::min(),
                           std::numeric_limits<int64_t>::max(), 1LL << 40};
  WireWriter w;
  for (int32_t v : ints) w.WriteVarint(v);
  for (int64_t v : longs) w.WriteVarlong(v);
  WireReader r = ReaderOf(w.bytes());
  for (int32_t v : ints) EXPECT_EQ(r.ReadVarint(), v);
  for (int64_t v : longs) EXPECT_EQ(r.ReadVarlong(), v);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
  WireWriter small;
  small.WriteVarint(-1);
  small.WriteVarint(1);
  EXPECT_EQ(small.bytes(), std::string("\x01\x02", 2));  // zigzag: -1 -> 1, 1 -> 2
}

TEST(Varint, SixByteVarintIsRejected) {
  WireReader r = ReaderOf(std::string("\x80\x80\x80\x80\x80\x01", 6));
  r.ReadUnsignedVarint("count");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("count"), std::string::npos);
  WireReader over = ReaderOf(std::string("\xff\xff\xff\xff\x1f", 5));  // 5 bytes but > 32 bits
  over.ReadUnsignedVarint();
  EXPECT_FALSE(over.ok());
}

TEST(Strings, ClassicAndCompactWithNull) {
  WireWriter w;
  w.WriteString("abc", /*compact=*/false);
  w.WriteString("abc", /*compact=*/true);
  w.WriteNullableString(std::nullopt, false);
  w.WriteNullableString(std::nullopt, true);
  w.WriteString("", true);
  EXPECT_EQ(w.bytes(), std::string("\x00\x03" "abc" "\x04" "abc" "\xff\xff" "\x00" "\x01", 13));
  WireReader r = ReaderOf(w.bytes());
  EXPECT_EQ(r.ReadString(false), "abc");
  EXPECT_EQ(r.ReadString(true), "abc");
  EXPECT_EQ(r.ReadNullableString(false), std::nullopt);
  EXPECT_EQ(r.ReadNullableString(true), std::nullopt);
  EXPECT_EQ(r.ReadNullableString(true), std::optional<std::string>(""));
  EXPECT_TRUE(r.ok());
}

TEST(Strings, NullForNonNullableStringFails) {
  WireReader r = ReaderOf(std::string("\xff\xff", 2));
  r.ReadString(false, "group_id");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("group_id"), std::string::npos);
}

TEST(Bytes, ClassicAndCompactAndViewsBorrow) {
  WireWriter w;
  w.WriteBytes(std::string("\x00\x01", 2), false);
  w.WriteNullableBytes(std::nullopt, false);
  w.WriteBytes("xy", true);
  const std::string buf = w.bytes();
  EXPECT_EQ(buf, std::string("\x00\x00\x00\x02\x00\x01\xff\xff\xff\xff\x03xy", 13));
  WireReader r = ReaderOf(buf);
  EXPECT_EQ(r.ReadBytes(false), std::string("\x00\x01", 2));
  EXPECT_EQ(r.ReadNullableBytes(false), std::nullopt);
  auto view = r.ReadNullableBytesView(true);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(*view, "xy");
  EXPECT_EQ(view->data(), buf.data() + 11);  // zero copy
}

TEST(Arrays, CountsAreCappedByBytesLeft) {
  WireWriter w;
  w.WriteInt32(1000000);
  w.WriteInt32(1);
  WireReader r = ReaderOf(w.bytes());
  EXPECT_EQ(r.ReadArrayLength(false, "topics"), std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("topics"), std::string::npos);
  EXPECT_NE(r.status().message().find("exceeds"), std::string::npos);
}

TEST(Arrays, NullAndCompactCounts) {
  WireWriter w;
  w.WriteNullArray(false);
  w.WriteNullArray(true);
  w.WriteArrayLength(2, true);
  w.WriteInt8(0);
  w.WriteInt8(0);
  WireReader r = ReaderOf(w.bytes());
  EXPECT_EQ(r.ReadArrayLength(false), std::nullopt);
  EXPECT_EQ(r.ReadArrayLength(true), std::nullopt);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.ReadArrayLength(true), 2);
  WireReader null_not_allowed = ReaderOf(std::string("\xff\xff\xff\xff", 4));
  EXPECT_EQ(null_not_allowed.ReadNonNullArrayLength(false), 0);
  EXPECT_FALSE(null_not_allowed.ok());
}

TEST(TaggedFields, SortedOnWriteAndKeptRawOnRead) {
  WireWriter w;
  w.WriteTaggedFields({TaggedField{5, "b"}}, {TaggedField{1, "aa"}});
  EXPECT_EQ(w.bytes(), std::string("\x02\x01\x02" "aa" "\x05\x01" "b", 8));
  WireReader r = ReaderOf(w.bytes());
  TaggedFields unknown;
  int32_t known_value = 0;
  r.ReadTaggedFields(unknown, [&](uint32_t tag, WireReader& sub) {
    if (tag != 5) return false;
    known_value = sub.ReadInt8();
    return true;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(known_value, 'b');
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].tag, 1u);
  EXPECT_EQ(unknown[0].data, "aa");
}

TEST(TaggedFields, KnownFieldReadPastItsPayloadFails) {
  std::string bytes("\x01\x00\x01\x07", 4);  // one field, tag 0, 1 byte
  WireReader r = ReaderOf(bytes);
  TaggedFields unknown;
  r.ReadTaggedFields(unknown, [](uint32_t, WireReader& sub) {
    sub.ReadInt32("wide_field");
    return true;
  });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("wide_field at byte 3"), std::string::npos)
      << r.status().message();
}

TEST(WireReader, FirstFailureIsStickyAndNamesOffset) {
  WireReader r = ReaderOf(std::string("\x00\x01\x02", 3));
  EXPECT_EQ(r.ReadInt16("first"), 1);
  EXPECT_EQ(r.ReadInt32("timeout_ms"), 0);
  EXPECT_EQ(r.ReadInt8("later"), 0);  // would fit, but the reader has failed
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Errc::kCorruption);
  EXPECT_NE(r.status().message().find("timeout_ms at byte 2"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(r.status().message().find("later"), std::string::npos);
}

// Every strict prefix of a valid encoding fails cleanly (no crash, no out-of-bounds read: run under
// ASan in the asan preset), and the full input decodes.
TEST(WireReader, TruncatedAtEveryByteBoundaryFailsCleanly) {
  WireWriter w;
  w.WriteInt16(7);
  w.WriteString("client", false);
  w.WriteUnsignedVarint(300);
  w.WriteVarlong(-123456789);
  w.WriteNullableBytes(std::string("payload"), true);
  w.WriteArrayLength(2, false);
  w.WriteInt32(1);
  w.WriteInt32(2);
  w.WriteUuid(Uuid{1, 2, 3});
  w.WriteTaggedFields({TaggedField{3, "tag"}}, {});
  const std::string full = w.bytes();
  auto decode = [](const std::string& bytes) {
    auto heap = std::make_unique<uint8_t[]>(bytes.size() + 1);  // exact-size copy for ASan
    std::copy(bytes.begin(), bytes.end(), heap.get());
    WireReader r(heap.get(), bytes.size());
    r.ReadInt16();
    r.ReadString(false);
    r.ReadUnsignedVarint();
    r.ReadVarlong();
    r.ReadNullableBytes(true);
    auto n = r.ReadArrayLength(false);
    for (int32_t i = 0; i < n.value_or(0); ++i) r.ReadInt32();
    r.ReadUuid();
    TaggedFields unknown;
    r.ReadTaggedFields(unknown);
    return r.status();
  };
  EXPECT_TRUE(decode(full).ok());
  for (size_t len = 0; len < full.size(); ++len) {
    Status s = decode(full.substr(0, len));
    EXPECT_FALSE(s.ok()) << "prefix " << len;
    EXPECT_NE(s.message().find("at byte"), std::string::npos) << s.message();
  }
}

TEST(WireWriter, ReservedInt32IsPatched) {
  WireWriter w;
  size_t pos = w.ReserveInt32();
  w.WriteString("hello", false);
  w.PatchInt32(pos, static_cast<int32_t>(w.size() - 4));
  EXPECT_EQ(w.bytes().substr(0, 4), std::string("\x00\x00\x00\x07", 4));
}

TEST(WireWriter, FileRegionsSplitOutputIntoChunks) {
  char path[] = "/tmp/sluice_wire_testXXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  unlink(path);
  ASSERT_EQ(write(fd, "0123456789", 10), 10);

  WireWriter w;
  size_t frame = w.ReserveInt32();
  w.WriteInt8(1);
  Records::Region(FileRegion{fd, 2, 5, nullptr}).Encode(w, /*compact=*/false);
  w.WriteInt8(2);
  w.AddFileRegion(FileRegion{fd, 0, 1, nullptr});
  w.PatchInt32(frame, static_cast<int32_t>(w.size() - 4));
  EXPECT_EQ(w.size(), 4u + 1 + 4 + 5 + 1 + 1);
  EncodedChunks chunks = std::move(w).Finish();
  EXPECT_EQ(chunks.total_size(), 16u);
  ASSERT_EQ(chunks.regions.size(), 2u);
  EXPECT_EQ(chunks.regions[0].first, 9u);
  EXPECT_EQ(chunks.regions[1].first, 10u);
  std::vector<std::string> order;
  chunks.ForEach([&](std::string_view b) { order.push_back("b" + std::to_string(b.size())); },
                 [&](const FileRegion& r) { order.push_back("r" + std::to_string(r.length)); });
  EXPECT_EQ(order, (std::vector<std::string>{"b9", "r5", "b1", "r1"}));
  Result<std::string> flat = chunks.Flatten();
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(flat.value(), std::string("\x00\x00\x00\x0c\x01\x00\x00\x00\x05" "23456" "\x02" "0", 16));
  close(fd);
}

TEST(Records, NullBorrowedOwnedEncodeAlike) {
  WireWriter w;
  Records::Null().Encode(w, false);
  Records::Null().Encode(w, true);
  Records::Owned("ab").Encode(w, true);
  Records::Borrowed("ab").Encode(w, false);
  EXPECT_EQ(w.bytes(), std::string("\xff\xff\xff\xff\x00\x03" "ab" "\x00\x00\x00\x02" "ab", 14));
  WireReader r = ReaderOf(w.bytes());
  Records a, b, c, d;
  a.Decode(r, false);
  b.Decode(r, true);
  c.Decode(r, true);
  d.Decode(r, false);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(a.is_null());
  EXPECT_TRUE(b.is_null());
  EXPECT_EQ(c.bytes(), "ab");
  EXPECT_EQ(c, d);
  EXPECT_EQ(c, Records::Owned("ab"));
}

TEST(ErrorCodes, NamesAndRetriableMatchKafka) {
  EXPECT_STREQ(ErrorName(ErrorCode::kNone), "NONE");
  EXPECT_STREQ(ErrorName(ErrorCode::kNotLeaderOrFollower), "NOT_LEADER_OR_FOLLOWER");
  EXPECT_STREQ(ErrorName(ErrorCode::kUnsupportedAssignor), "UNSUPPORTED_ASSIGNOR");
  EXPECT_STREQ(ErrorName(static_cast<ErrorCode>(99)), "UNKNOWN");
  EXPECT_EQ(static_cast<int16_t>(ErrorCode::kUnknownServerError), -1);
  EXPECT_EQ(static_cast<int16_t>(ErrorCode::kCorruptMessage), 2);
  EXPECT_EQ(static_cast<int16_t>(ErrorCode::kUnsupportedVersion), 35);
  EXPECT_EQ(static_cast<int16_t>(ErrorCode::kMemberIdRequired), 79);
  EXPECT_TRUE(IsRetriable(ErrorCode::kNotLeaderOrFollower));
  EXPECT_TRUE(IsRetriable(ErrorCode::kCorruptMessage));
  EXPECT_FALSE(IsRetriable(ErrorCode::kMessageTooLarge));
  EXPECT_FALSE(IsRetriable(ErrorCode::kNone));
}

TEST(ErrorMapping, EveryErrcMapsToItsKafkaCode) {
  EXPECT_EQ(ToKafkaError(Errc::kOk), ErrorCode::kNone);
  EXPECT_EQ(ToKafkaError(Errc::kInvalidArgument), ErrorCode::kInvalidRequest);
  EXPECT_EQ(ToKafkaError(Errc::kNotFound), ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(ToKafkaError(Errc::kCorruption), ErrorCode::kCorruptMessage);
  EXPECT_EQ(ToKafkaError(Errc::kIoError), ErrorCode::kKafkaStorageError);
  EXPECT_EQ(ToKafkaError(Errc::kTimedOut), ErrorCode::kRequestTimedOut);
  EXPECT_EQ(ToKafkaError(Errc::kNotLeader), ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(ToKafkaError(Errc::kTooLarge), ErrorCode::kMessageTooLarge);
  EXPECT_EQ(ToKafkaError(Errc::kAlreadyExists), ErrorCode::kTopicAlreadyExists);
  EXPECT_EQ(ToKafkaError(Errc::kUnavailable), ErrorCode::kLeaderNotAvailable);
  EXPECT_EQ(ToKafkaError(Errc::kUnsupported), ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(ToKafkaError(Errc::kOutOfRange), ErrorCode::kOffsetOutOfRange);
  EXPECT_EQ(ToKafkaError(Status::Corruption("crc")), ErrorCode::kCorruptMessage);
  EXPECT_EQ(ToKafkaError(static_cast<Errc>(200)), ErrorCode::kUnknownServerError);
}

}  // namespace
}  // namespace sluice::protocol
