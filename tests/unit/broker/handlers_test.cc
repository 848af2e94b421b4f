// Request dispatch against the real handlers with in-memory services and real storage logs.
#include <gtest/gtest.h>

#include "broker/handlers/handlers.h"
#include "handler_harness.h"
#include "protocol/error_codes.h"
#include "protocol/generated/messages.h"
#include "protocol/record_batch.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using testing::Harness;
using testing::MakeBatch;

int16_t C(ErrorCode c) { return static_cast<int16_t>(c); }

protocol::ProduceRequest OneBatch(const std::string& topic, int32_t partition, std::string* batch,
                                  int16_t acks = 1, int32_t timeout_ms = 1000) {
  protocol::ProduceRequest req;
  req.acks = acks;
  req.timeout_ms = timeout_ms;
  auto& t = req.topic_data.emplace_back();
  t.name = topic;
  auto& p = t.partition_data.emplace_back();
  p.index = partition;
  p.records = protocol::Records::Borrowed(*batch);
  return req;
}

int16_t ProduceError(Harness& h, const protocol::ProduceRequest& req, int16_t version = 7) {
  auto reply = h.Send(req, version);
  auto resp = Harness::Decode<protocol::ProduceResponse>(*reply, version);
  return resp.responses.at(0).partition_responses.at(0).error_code;
}

TEST(ApiVersionsHandler, ListsServedApisAndAnswersUnknownVersionWithV0Body) {
  Harness h;
  auto reply = h.Send(protocol::ApiVersionsRequest{}, 3);
  auto resp = Harness::Decode<protocol::ApiVersionsResponse>(*reply, 3);
  EXPECT_EQ(resp.error_code, 0);
  bool has_produce = false;
  for (auto& k : resp.api_keys) {
    if (k.api_key == 0) {
      has_produce = true;
      EXPECT_EQ(k.min_version, 0);
      EXPECT_EQ(k.max_version, 7);
    }
  }
  EXPECT_TRUE(has_produce);
  auto bad = h.Send(protocol::ApiVersionsRequest{}, 9);
  ASSERT_FALSE(bad->closed);
  auto v0 = Harness::Decode<protocol::ApiVersionsResponse>(*bad, 0);
  EXPECT_EQ(v0.error_code, C(ErrorCode::kUnsupportedVersion));
  ASSERT_EQ(v0.api_keys.size(), 1u);
  EXPECT_EQ(v0.api_keys[0].api_key, 18);
}

TEST(Dispatch, UnsupportedVersionClosesTheConnection) {
  Harness h;
  auto reply = h.Send(protocol::MetadataRequest{}, 1);  // we serve 4-6
  EXPECT_TRUE(reply->closed);
}

TEST(MetadataHandler, UnknownInvalidAndKnownTopics) {
  Harness h;
  h.AddPartition("known", 0);
  protocol::MetadataRequest req;
  req.allow_auto_topic_creation = false;
  req.topics.emplace();
  req.topics->push_back({{}, std::string("known"), {}});
  req.topics->push_back({{}, std::string("missing"), {}});
  req.topics->push_back({{}, std::string("bad/name"), {}});
  auto resp = Harness::Decode<protocol::MetadataResponse>(*h.Send(req, 4), 4);
  ASSERT_EQ(resp.topics.size(), 3u);
  EXPECT_EQ(resp.topics[0].error_code, 0);
  ASSERT_EQ(resp.topics[0].partitions.size(), 1u);
  EXPECT_EQ(resp.topics[0].partitions[0].leader_id, 1);
  EXPECT_EQ(resp.topics[1].error_code, C(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(resp.topics[2].error_code, C(ErrorCode::kInvalidTopicException));
  EXPECT_EQ(resp.controller_id, 1);
  ASSERT_EQ(resp.brokers.size(), 1u);

  protocol::MetadataRequest none;
  none.topics.emplace();  // empty list: no topics
  auto r2 = Harness::Decode<protocol::MetadataResponse>(*h.Send(none, 4), 4);
  EXPECT_TRUE(r2.topics.empty());
  protocol::MetadataRequest all;  // null: all topics
  auto r3 = Harness::Decode<protocol::MetadataResponse>(*h.Send(all, 6), 6);
  EXPECT_EQ(r3.topics.size(), 1u);
}

TEST(ProduceHandler, ValidationLadder) {
  Harness h(std::map<std::string, std::string>{{"message.max.bytes", "2000"}});
  h.AddPartition("t", 0);
  h.AddPartition("f", 0, /*leader=*/2, {2, 1}, {2, 1});
  std::string good = MakeBatch(3, 10);
  EXPECT_EQ(ProduceError(h, OneBatch("nope", 0, &good)), C(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(ProduceError(h, OneBatch("f", 0, &good)), C(ErrorCode::kNotLeaderOrFollower));
  std::string corrupt = good;
  corrupt.back() ^= 0x1;
  EXPECT_EQ(ProduceError(h, OneBatch("t", 0, &corrupt)), C(ErrorCode::kCorruptMessage));
  std::string big = MakeBatch(1, 3000);
  EXPECT_EQ(ProduceError(h, OneBatch("t", 0, &big)), C(ErrorCode::kMessageTooLarge));
  std::string zstd = MakeBatch(1, 10, /*attributes=*/4);
  EXPECT_EQ(ProduceError(h, OneBatch("t", 0, &zstd), 6), C(ErrorCode::kUnsupportedCompressionType));
  std::string magic1 = good;
  magic1[16] = 1;
  EXPECT_EQ(ProduceError(h, OneBatch("t", 0, &magic1)),
            C(ErrorCode::kUnsupportedForMessageFormat));
  std::string wrong_count = good;
  wrong_count[60] = 9;  // records count 9 != lastOffsetDelta + 1, CRC recomputed
  protocol::RecomputeCrc(reinterpret_cast<uint8_t*>(wrong_count.data()));
  EXPECT_EQ(ProduceError(h, OneBatch("t", 0, &wrong_count)), C(ErrorCode::kInvalidRecord));
  std::string ok = good;
  EXPECT_EQ(ProduceError(h, OneBatch("t", 0, &ok, /*acks=*/5)), C(ErrorCode::kInvalidRequiredAcks));
  EXPECT_EQ(h.replicas().Find("t", 0)->log()->log_end_offset().value(), 0)
      << "nothing may be appended by rejected requests";
}

TEST(ProduceHandler, AppendsAssignOffsetsAndAdvanceHwForSingleReplica) {
  Harness h;
  h.AddPartition("t", 0);
  for (int i = 0; i < 3; ++i) {
    std::string batch = MakeBatch(5, 20);
    auto reply = h.Send(OneBatch("t", 0, &batch, /*acks=*/-1), 7);
    ASSERT_FALSE(reply->frame.empty()) << "acks=all with one replica answers at once";
    auto resp = Harness::Decode<protocol::ProduceResponse>(*reply, 7);
    auto& p = resp.responses[0].partition_responses[0];
    EXPECT_EQ(p.error_code, 0);
    EXPECT_EQ(p.base_offset, 5 * i);
  }
  auto* log = h.replicas().Find("t", 0)->log();
  EXPECT_EQ(log->log_end_offset().value(), 15);
  EXPECT_EQ(log->high_watermark().value(), 15);
}

TEST(ProduceHandler, AcksZeroNoResponseAndCloseOnError) {
  Harness h;
  h.AddPartition("t", 0);
  std::string batch = MakeBatch(1, 10);
  auto ok = h.Send(OneBatch("t", 0, &batch, /*acks=*/0), 7);
  EXPECT_TRUE(ok->no_response);
  EXPECT_FALSE(ok->closed);
  std::string batch2 = MakeBatch(1, 10);
  auto bad = h.Send(OneBatch("unknown", 0, &batch2, /*acks=*/0), 7);
  EXPECT_TRUE(bad->closed);
}

TEST(ProduceHandler, AcksAllWaitsForFollowerThenTimesOutOrCompletes) {
  Harness h;
  h.AddPartition("t", 0, 1, {1, 2}, {1, 2});
  std::string b1 = MakeBatch(2, 10);
  auto timed_out = h.Send(OneBatch("t", 0, &b1, -1, /*timeout_ms=*/20), 7);
  EXPECT_TRUE(timed_out->frame.empty()) << "must park until the follower catches up";
  ASSERT_TRUE(h.RunUntil([&] { return !timed_out->frame.empty(); }));
  auto r1 = Harness::Decode<protocol::ProduceResponse>(*timed_out, 7);
  EXPECT_EQ(r1.responses[0].partition_responses[0].error_code, C(ErrorCode::kRequestTimedOut));

  std::string b2 = MakeBatch(2, 10);
  auto waiting = h.Send(OneBatch("t", 0, &b2, -1, 5000), 7);
  EXPECT_TRUE(waiting->frame.empty());
  Partition* p = h.replicas().Find("t", 0);
  h.replicas().RecordFollowerFetch(p, 2, 4, 0);  // follower fetched up to LEO
  ASSERT_FALSE(waiting->frame.empty()) << "HW reached: the parked produce completes";
  auto r2 = Harness::Decode<protocol::ProduceResponse>(*waiting, 7);
  EXPECT_EQ(r2.responses[0].partition_responses[0].error_code, 0);
  EXPECT_EQ(r2.responses[0].partition_responses[0].base_offset, 2);
}

TEST(ProduceHandler, NotEnoughReplicasForAcksAll) {
  Harness h(std::map<std::string, std::string>{{"min.insync.replicas", "2"}});
  h.AddPartition("t", 0);
  std::string b = MakeBatch(1, 10);
  EXPECT_EQ(ProduceError(h, OneBatch("t", 0, &b, -1)), C(ErrorCode::kNotEnoughReplicas));
  std::string b2 = MakeBatch(1, 10);
  EXPECT_EQ(ProduceError(h, OneBatch("t", 0, &b2, 1)), 0) << "acks=1 ignores min.insync";
}

protocol::FetchRequest FetchAt(const std::string& topic, int64_t offset, int32_t max_wait = 0,
                               int32_t min_bytes = 1, int32_t replica_id = -1) {
  protocol::FetchRequest req;
  req.replica_id = replica_id;
  req.max_wait_ms = max_wait;
  req.min_bytes = min_bytes;
  req.max_bytes = 1 << 20;
  auto& t = req.topics.emplace_back();
  t.topic = topic;
  auto& p = t.partitions.emplace_back();
  p.partition = 0;
  p.fetch_offset = offset;
  p.partition_max_bytes = 1 << 20;
  return req;
}

TEST(FetchHandler, ReadsToHwOutOfRangeAndLongPollWokenByAppend) {
  Harness h;
  h.AddPartition("t", 0);
  std::string b = MakeBatch(4, 10);
  ASSERT_EQ(ProduceError(h, OneBatch("t", 0, &b)), 0);
  auto r = Harness::Decode<protocol::FetchResponse>(*h.Send(FetchAt("t", 0), 11), 11);
  auto& part = r.responses[0].partitions[0];
  EXPECT_EQ(part.error_code, 0);
  EXPECT_EQ(part.high_watermark, 4);
  EXPECT_EQ(part.last_stable_offset, 4);
  EXPECT_EQ(part.log_start_offset, 0);
  EXPECT_EQ(part.preferred_read_replica, -1);
  EXPECT_EQ(part.records.size(), b.size());
  EXPECT_EQ(part.records.bytes().substr(61), b.substr(61)) << "records are the batch bytes";

  auto oor = Harness::Decode<protocol::FetchResponse>(*h.Send(FetchAt("t", 99), 11), 11);
  EXPECT_EQ(oor.responses[0].partitions[0].error_code, C(ErrorCode::kOffsetOutOfRange));

  auto parked = h.Send(FetchAt("t", 4, /*max_wait=*/5000), 11);
  EXPECT_TRUE(parked->frame.empty()) << "nothing new: long poll";
  std::string b2 = MakeBatch(1, 10);
  ASSERT_EQ(ProduceError(h, OneBatch("t", 0, &b2)), 0);
  ASSERT_FALSE(parked->frame.empty()) << "the append wakes the fetch";
  auto woke = Harness::Decode<protocol::FetchResponse>(*parked, 11);
  EXPECT_EQ(woke.responses[0].partitions[0].high_watermark, 5);
  EXPECT_GT(woke.responses[0].partitions[0].records.size(), 0u);

  auto expires = h.Send(FetchAt("t", 5, /*max_wait=*/10), 11);
  ASSERT_TRUE(h.RunUntil([&] { return !expires->frame.empty(); }));
  auto empty = Harness::Decode<protocol::FetchResponse>(*expires, 11);
  EXPECT_EQ(empty.responses[0].partitions[0].error_code, 0);
  EXPECT_EQ(empty.responses[0].partitions[0].records.size(), 0u);
}

TEST(FetchHandler, ConsumerStopsAtHwFollowerReadsToLeo) {
  Harness h;
  h.AddPartition("t", 0, 1, {1, 2}, {1, 2});
  std::string b = MakeBatch(3, 10);
  ASSERT_EQ(ProduceError(h, OneBatch("t", 0, &b)), 0);
  auto consumer = Harness::Decode<protocol::FetchResponse>(*h.Send(FetchAt("t", 0), 11), 11);
  EXPECT_EQ(consumer.responses[0].partitions[0].high_watermark, 0);
  EXPECT_EQ(consumer.responses[0].partitions[0].records.size(), 0u);
  auto follower = Harness::Decode<protocol::FetchResponse>(
      *h.Send(FetchAt("t", 0, 0, 1, /*replica_id=*/2), 11), 11);
  EXPECT_EQ(follower.responses[0].partitions[0].records.size(), b.size());
  // The follower's next fetch at 3 confirms it has everything: HW advances.
  h.Send(FetchAt("t", 3, 0, 1, 2), 11);
  EXPECT_EQ(h.replicas().Find("t", 0)->log()->high_watermark().value(), 3);
}

TEST(ListOffsetsHandler, LatestEarliestAndTimestamp) {
  Harness h;
  h.AddPartition("t", 0);
  std::string b1 = MakeBatch(2, 10, 0, 1000);
  std::string b2 = MakeBatch(2, 10, 0, 2000);
  ASSERT_EQ(ProduceError(h, OneBatch("t", 0, &b1)), 0);
  ASSERT_EQ(ProduceError(h, OneBatch("t", 0, &b2)), 0);
  auto ask = [&](int64_t ts) {
    protocol::ListOffsetsRequest req;
    req.replica_id = -1;
    auto& t = req.topics.emplace_back();
    t.name = "t";
    auto& p = t.partitions.emplace_back();
    p.partition_index = 0;
    p.timestamp = ts;
    auto resp = Harness::Decode<protocol::ListOffsetsResponse>(*h.Send(req, 2), 2);
    return resp.topics[0].partitions[0].offset;
  };
  EXPECT_EQ(ask(-1), 4);
  EXPECT_EQ(ask(-2), 0);
  EXPECT_EQ(ask(1500), 2);
  EXPECT_EQ(ask(500), 0);
  EXPECT_EQ(ask(9999), -1);
}

}  // namespace
}  // namespace sluice::broker
