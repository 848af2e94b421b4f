// Generated messages: every message x every version round-trips byte for byte; hand-checked
// encodings pin the wire format of a few versions.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <type_traits>

#include "protocol/generated/messages.h"
#include "protocol/generated/messages_testing.h"
#include "protocol/headers.h"

namespace sluice::protocol {
namespace {

constexpr uint32_t kUnknownTag = 1000;  // above every tag the schemas use

template <typename T>
std::string EncodeToString(const T& msg, int16_t version) {
  WireWriter w;
  msg.Encode(w, version);
  return w.bytes();
}

// encode -> decode -> encode gives identical bytes, and decode consumes exactly the encoding.
template <typename T>
void ExpectRoundTrip(int16_t version, uint32_t seed_start, std::set<std::string>* covered) {
  T original;
  uint32_t seed = seed_start;
  testing::Fill(original, seed);
  const bool flexible = version >= T::kFirstFlexibleVersion;
  if (flexible) original.unknown_tagged_fields.push_back(TaggedField{kUnknownTag, "zz"});
  const std::string first = EncodeToString(original, version);
  auto exact = std::make_unique<uint8_t[]>(first.size() + 1);
  std::copy(first.begin(), first.end(), exact.get());
  WireReader in(exact.get(), first.size());
  T decoded;
  Status s = decoded.Decode(in, version);
  ASSERT_TRUE(s.ok()) << T::kName << " v" << version << ": " << s;
  EXPECT_EQ(in.remaining(), 0u) << T::kName << " v" << version;
  EXPECT_EQ(EncodeToString(decoded, version), first) << T::kName << " v" << version;
  if (flexible) {
    ASSERT_EQ(decoded.unknown_tagged_fields.size(), 1u) << T::kName;
    EXPECT_EQ(decoded.unknown_tagged_fields[0].data, "zz");
  }
  covered->insert(T::kName);
}

TEST(Messages, EveryMessageEveryVersionRoundTrips) {
  std::set<std::string> covered;
  int cases = 0;
  testing::ForEachMessageType([&](auto type) {
    using T = typename decltype(type)::type;
    for (int v = T::kMinVersion; v <= T::kMaxVersion; ++v) {
      for (uint32_t seed : {1u, 77u}) {
        ExpectRoundTrip<T>(static_cast<int16_t>(v), seed, &covered);
        ++cases;
      }
    }
  });
  EXPECT_GT(cases, 500);
  for (const char* name :
       {"ApiVersionsRequest", "ApiVersionsResponse", "MetadataRequest", "MetadataResponse",
        "ProduceRequest", "ProduceResponse", "FetchRequest", "FetchResponse", "ListOffsetsRequest",
        "ListOffsetsResponse", "CreateTopicsRequest", "CreateTopicsResponse", "DeleteTopicsRequest",
        "DeleteTopicsResponse", "LeaderAndIsrRequest", "LeaderAndIsrResponse",
        "UpdateMetadataRequest", "UpdateMetadataResponse", "StopReplicaRequest",
        "StopReplicaResponse", "ControlledShutdownRequest", "ControlledShutdownResponse",
        "OffsetForLeaderEpochRequest", "OffsetForLeaderEpochResponse", "FindCoordinatorRequest",
        "FindCoordinatorResponse", "JoinGroupRequest", "JoinGroupResponse", "SyncGroupRequest",
        "SyncGroupResponse", "HeartbeatRequest", "HeartbeatResponse", "LeaveGroupRequest",
        "LeaveGroupResponse", "OffsetCommitRequest", "OffsetCommitResponse", "OffsetFetchRequest",
        "OffsetFetchResponse", "DescribeGroupsRequest", "DescribeGroupsResponse",
        "ListGroupsRequest", "ListGroupsResponse", "DeleteGroupsRequest", "DeleteGroupsResponse",
        "InitProducerIdRequest", "InitProducerIdResponse", "DescribeConfigsRequest",
        "DescribeConfigsResponse", "AlterConfigsRequest", "AlterConfigsResponse",
        "CreatePartitionsRequest", "CreatePartitionsResponse", "RequestHeader", "ResponseHeader",
        "OffsetCommitKey", "OffsetCommitValue", "GroupMetadataKey", "GroupMetadataValue",
        "ConsumerProtocolSubscription", "ConsumerProtocolAssignment"}) {
    EXPECT_TRUE(covered.count(name)) << name;
  }
}

// Every strict prefix of a populated encoding fails with a status naming the message, version and
// a byte offset; nothing reads past the buffer (exact-size heap copies, checked under ASan).
template <typename T>
void ExpectTruncationFails(int16_t version) {
  T msg;
  uint32_t seed = 5;
  testing::Fill(msg, seed);
  const std::string full = EncodeToString(msg, version);
  for (size_t len = 0; len < full.size(); ++len) {
    auto exact = std::make_unique<uint8_t[]>(len + 1);
    std::copy(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len), exact.get());
    WireReader in(exact.get(), len);
    T decoded;
    Status s = decoded.Decode(in, version);
    ASSERT_FALSE(s.ok()) << T::kName << " v" << version << " prefix " << len;
    EXPECT_NE(s.message().find(std::string(T::kName) + " v" + std::to_string(version)),
              std::string::npos)
        << s;
    EXPECT_NE(s.message().find("at byte"), std::string::npos) << s;
  }
}

TEST(Messages, TruncatedBodiesFailCleanly) {
  ExpectTruncationFails<ProduceRequest>(7);
  ExpectTruncationFails<ProduceRequest>(9);
  ExpectTruncationFails<FetchRequest>(11);
  ExpectTruncationFails<FetchRequest>(15);
  ExpectTruncationFails<FetchResponse>(11);
  ExpectTruncationFails<MetadataResponse>(6);
  ExpectTruncationFails<ApiVersionsRequest>(3);
  ExpectTruncationFails<LeaderAndIsrRequest>(4);
  ExpectTruncationFails<JoinGroupRequest>(5);
}

TEST(Messages, VersionOutsideSchemaIsUnsupported) {
  std::string empty;
  WireReader in(empty);
  ProduceRequest req;
  Status s = req.Decode(in, 10);
  EXPECT_EQ(s.code(), Errc::kUnsupported);
  EXPECT_NE(s.message().find("ProduceRequest"), std::string::npos);
  EXPECT_EQ(req.Decode(in, -1).code(), Errc::kUnsupported);
}

TEST(Messages, ConstantsComeFromTheSchema) {
  EXPECT_EQ(ProduceRequest::kApiKey, 0);
  EXPECT_EQ(ProduceRequest::kApi, ApiKey::kProduce);
  EXPECT_EQ(FetchRequest::kMaxVersion, 15);
  EXPECT_EQ(FetchRequest::kFirstFlexibleVersion, 12);
  EXPECT_EQ(SaslHandshakeRequest::kFirstFlexibleVersion, INT16_MAX);
  EXPECT_EQ(FetchRequest{}.replica_id, -1);                  // schema default
  EXPECT_EQ(FetchRequest{}.max_bytes, 0x7fffffff);           // schema default (hex)
  EXPECT_EQ(FetchRequest::FetchPartition{}.log_start_offset, -1);
  EXPECT_EQ(FetchRequest{}.cluster_id, std::nullopt);        // default null
  const ApiInfo* info = FindApiInfo(18);
  ASSERT_NE(info, nullptr);
  EXPECT_STREQ(info->name, "ApiVersions");
  EXPECT_EQ(info->first_flexible_version, 3);
  EXPECT_EQ(FindApiInfo(99), nullptr);
  bool visited = VisitRequestType(1, [](auto t) {
    EXPECT_TRUE((std::is_same_v<typename decltype(t)::type, FetchRequest>));
  });
  EXPECT_TRUE(visited);
  EXPECT_FALSE(VisitResponseType(99, [](auto) {}));
}

TEST(Messages, MetadataTopicsNullVersusEmpty) {
  MetadataRequest all;  // null topics: all topics (v1+)
  EXPECT_TRUE(all.allow_auto_topic_creation);  // schema default true
  all.allow_auto_topic_creation = false;
  EXPECT_EQ(EncodeToString(all, 4), std::string("\xff\xff\xff\xff\x00", 5));
  MetadataRequest none;
  none.topics.emplace();
  none.allow_auto_topic_creation = true;
  EXPECT_EQ(EncodeToString(none, 4), std::string("\x00\x00\x00\x00\x01", 5));
  // v0 has no null: an absent list is written empty.
  EXPECT_EQ(EncodeToString(all, 0), std::string("\x00\x00\x00\x00", 4));
  // v9: compact null, three bools, empty tag section.
  EXPECT_EQ(EncodeToString(all, 9), std::string("\x00\x00\x00\x00\x00", 5));
}

TEST(Messages, HandEncodedHeartbeatV4Flexible) {
  HeartbeatRequest req;
  req.group_id = "g";
  req.generation_id = 2;
  req.member_id = "m";
  // compact strings, nullable compact group_instance_id (null = 0), empty tag section.
  EXPECT_EQ(EncodeToString(req, 4),
            std::string("\x02g\x00\x00\x00\x02\x02m\x00\x00", 10));
  EXPECT_EQ(EncodeToString(req, 0), std::string("\x00\x01g\x00\x00\x00\x02\x00\x01m", 10));
}

TEST(Messages, KnownTaggedFieldsAreWrittenOnlyWhenNotDefault) {
  FetchRequest req;
  req.max_wait_ms = 1;
  std::string plain = EncodeToString(req, 12);
  req.cluster_id = "c";
  std::string tagged = EncodeToString(req, 12);
  // The tag section moves from "0 fields" to "1 field: tag 0, size 2, compact string 'c'".
  EXPECT_EQ(plain.back(), '\x00');
  EXPECT_EQ(tagged.substr(tagged.size() - 5), std::string("\x01\x00\x02\x02" "c", 5));
  WireReader in(tagged);
  FetchRequest back;
  ASSERT_TRUE(back.Decode(in, 12).ok());
  EXPECT_EQ(back.cluster_id, "c");
  EXPECT_TRUE(back.unknown_tagged_fields.empty());
  // Below the tagged version the field is not written at all.
  FetchRequest without = req;
  without.cluster_id.reset();
  EXPECT_EQ(EncodeToString(req, 11), EncodeToString(without, 11));
}

TEST(Messages, RecordsDecodeBorrowsTheFrame) {
  ProduceRequest req;
  req.acks = -1;
  auto& topic = req.topic_data.emplace_back();
  topic.name = "t";
  auto& part = topic.partition_data.emplace_back();
  part.records = Records::Owned("BATCH");
  const std::string bytes = EncodeToString(req, 7);
  WireReader in(bytes);
  ProduceRequest back;
  ASSERT_TRUE(back.Decode(in, 7).ok());
  std::string_view view = back.topic_data[0].partition_data[0].records.bytes();
  EXPECT_EQ(view, "BATCH");
  EXPECT_GE(view.data(), bytes.data());
  EXPECT_LT(view.data(), bytes.data() + bytes.size());
}

}  // namespace
}  // namespace sluice::protocol

namespace sluice::protocol {
namespace {

TEST(Messages, DecodeResetsFieldsAbsentFromTheVersion) {
  ApiVersionsRequest v3;
  v3.client_software_name = "lib";
  v3.unknown_tagged_fields.push_back(TaggedField{1000, "x"});
  const std::string bytes = EncodeToString(v3, 3);
  ApiVersionsRequest reused;
  reused.client_software_name = "stale";
  WireReader empty_v0(std::string_view{});
  ASSERT_TRUE(reused.Decode(empty_v0, 0).ok());  // v0 has no fields
  EXPECT_EQ(reused.client_software_name, "");
  for (int i = 0; i < 2; ++i) {
    WireReader in(bytes);
    ASSERT_TRUE(reused.Decode(in, 3).ok());
  }
  EXPECT_EQ(reused.client_software_name, "lib");
  EXPECT_EQ(reused.unknown_tagged_fields.size(), 1u);
}

}  // namespace
}  // namespace sluice::protocol

namespace sluice::protocol {
namespace {

// The broker's zero-copy Fetch path: a FileRegion in a generated response stays a region in the
// chunks, at the right place, and the frame flattens to what owned bytes would have produced.
TEST(Messages, FetchResponseRecordsRegionStaysZeroCopy) {
  char path[] = "/tmp/sluice_fetch_regionXXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  unlink(path);
  const std::string segment = "....BATCHBYTES....";
  ASSERT_EQ(write(fd, segment.data(), segment.size()), static_cast<ssize_t>(segment.size()));

  FetchResponse resp;
  resp.session_id = 0;
  auto& topic = resp.responses.emplace_back();
  topic.topic = "t";
  auto& part = topic.partitions.emplace_back();
  part.high_watermark = 10;
  part.records = Records::Region(FileRegion{fd, 4, 10, nullptr});
  EncodedChunks zero_copy = EncodeResponseFrame(resp, 11, 42);
  part.records = Records::Owned("BATCHBYTES");
  EncodedChunks copied = EncodeResponseFrame(resp, 11, 42);

  ASSERT_EQ(zero_copy.regions.size(), 1u);
  EXPECT_EQ(zero_copy.regions[0].first, zero_copy.bytes.size());  // records are last in v11
  EXPECT_EQ(zero_copy.total_size(), copied.bytes.size());
  Result<std::string> flat = zero_copy.Flatten();
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(flat.value(), copied.bytes);
  close(fd);
}

}  // namespace
}  // namespace sluice::protocol
