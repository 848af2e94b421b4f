// Replication safety on one broker, without sockets: controller requests from an older controller
// or meant for an older registration of this broker are fenced (STALE_CONTROLLER_EPOCH,
// STALE_BROKER_EPOCH) and change nothing; a new leader's epoch starts at its log end at takeover,
// so OffsetForLeaderEpoch tells a follower that was ahead in an older epoch where to cut; a
// topic's min.insync.replicas override survives leadership changes.
#include <gtest/gtest.h>

#include "broker/controller_channel.h"
#include "broker/controller_wire.h"
#include "broker/inter_broker.h"
#include "broker/replica_fetcher.h"
#include "handler_harness.h"
#include "protocol/error_codes.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using testing::Harness;
using testing::MakeBatch;

constexpr int64_t kOurBrokerEpoch = 1000;

coordinator::PartitionState State(const std::string& topic, int32_t p, int32_t leader,
                                  int32_t epoch, std::vector<int32_t> replicas) {
  coordinator::PartitionState s;
  s.topic = topic;
  s.partition = p;
  s.controller_epoch = ControllerEpoch(1);
  s.leader = BrokerId(leader);
  s.leader_epoch = LeaderEpoch(epoch);
  for (int32_t r : replicas) {
    s.replicas.push_back(BrokerId(r));
    s.isr.push_back(BrokerId(r));
  }
  return s;
}

// A Harness whose broker has an applier and a registration (broker epoch 1000).
struct Fenced {
  Harness h;
  ControllerRequestApplier applier{1, &h.replicas(), &h.metadata()};
  InterBrokerServices services;
  Fenced() {
    services.applier = &applier;
    services.broker_epoch = kOurBrokerEpoch;
    h.ctx().inter_broker = &services;
  }
  ~Fenced() { h.ctx().inter_broker = nullptr; }

  // Stamps `b` as sent by controller 1 at `controller_epoch` to our `broker_epoch` and sends it.
  template <typename Resp, typename Batch>
  Resp Send(Batch b, int32_t controller_epoch, int64_t broker_epoch, int16_t version) {
    b.controller_id = BrokerId(1);
    b.controller_epoch = ControllerEpoch(controller_epoch);
    b.broker_epoch = broker_epoch;
    auto reply = h.Send(ToWire(b), version);
    return Harness::Decode<Resp>(*reply, version);
  }
  protocol::LeaderAndIsrResponse LeaderAndIsr(int32_t controller_epoch, int64_t broker_epoch,
                                              coordinator::PartitionState st) {
    coordinator::LeaderAndIsrBatch b;
    b.partitions = {std::move(st)};
    return Send<protocol::LeaderAndIsrResponse>(b, controller_epoch, broker_epoch,
                                                kLeaderAndIsrVersion);
  }
  protocol::UpdateMetadataResponse UpdateMetadata(int32_t controller_epoch, int64_t broker_epoch,
                                                  coordinator::PartitionState st) {
    coordinator::UpdateMetadataBatch b;
    b.partitions = {std::move(st)};
    return Send<protocol::UpdateMetadataResponse>(b, controller_epoch, broker_epoch,
                                                  kUpdateMetadataVersion);
  }
  protocol::StopReplicaResponse StopReplica(int32_t controller_epoch, int64_t broker_epoch,
                                            const std::string& topic, int32_t p) {
    coordinator::StopReplicaBatch b;
    b.partitions = {TopicPartition{topic, p}};
    b.delete_partitions = true;
    return Send<protocol::StopReplicaResponse>(b, controller_epoch, broker_epoch,
                                               kStopReplicaVersion);
  }
};

int16_t Code(ErrorCode c) { return static_cast<int16_t>(c); }

TEST(ControllerRequestFencing, OlderControllerEpochIsRejectedAndIgnored) {
  Fenced f;
  auto ok = f.LeaderAndIsr(5, kOurBrokerEpoch, State("t", 0, 1, 3, {1, 2}));
  ASSERT_EQ(ok.error_code, 0);
  ASSERT_NE(f.h.replicas().Find("t", 0), nullptr);
  EXPECT_TRUE(f.h.replicas().Find("t", 0)->is_leader());

  // A deposed controller (epoch 4) tries to hand leadership to broker 2.
  auto stale = f.LeaderAndIsr(4, kOurBrokerEpoch, State("t", 0, 2, 4, {1, 2}));
  EXPECT_EQ(stale.error_code, Code(ErrorCode::kStaleControllerEpoch));
  EXPECT_TRUE(stale.partition_errors.empty());
  EXPECT_TRUE(f.h.replicas().Find("t", 0)->is_leader()) << "stale LeaderAndIsr was applied";
  EXPECT_EQ(f.h.replicas().Find("t", 0)->leader_epoch(), LeaderEpoch(3));

  auto um = f.UpdateMetadata(4, kOurBrokerEpoch, State("t", 0, 2, 4, {1, 2}));
  EXPECT_EQ(um.error_code, Code(ErrorCode::kStaleControllerEpoch));
  const PartitionInfo* cached = f.h.metadata().FindPartition("t", 0);
  EXPECT_TRUE(cached == nullptr || cached->leader != 2) << "stale UpdateMetadata was applied";

  auto sr = f.StopReplica(4, kOurBrokerEpoch, "t", 0);
  EXPECT_EQ(sr.error_code, Code(ErrorCode::kStaleControllerEpoch));
  EXPECT_NE(f.h.replicas().Find("t", 0), nullptr) << "stale StopReplica was applied";

  // The current controller (same epoch) and a newer one are obeyed.
  auto same = f.StopReplica(5, kOurBrokerEpoch, "t", 0);
  EXPECT_EQ(same.error_code, 0);
  ASSERT_EQ(same.partition_errors.size(), 1u);
  EXPECT_EQ(f.h.replicas().Find("t", 0), nullptr);
  EXPECT_EQ(f.UpdateMetadata(6, kOurBrokerEpoch, State("t", 1, 2, 0, {1, 2})).error_code, 0);
  EXPECT_EQ(f.applier.controller_epoch(), 6);
}

TEST(ControllerRequestFencing, RequestForAnOlderRegistrationGetsStaleBrokerEpoch) {
  Fenced f;
  auto lai = f.LeaderAndIsr(5, kOurBrokerEpoch - 1, State("t", 0, 1, 0, {1, 2}));
  EXPECT_EQ(lai.error_code, Code(ErrorCode::kStaleBrokerEpoch));
  EXPECT_EQ(f.h.replicas().Find("t", 0), nullptr) << "LeaderAndIsr for an old incarnation applied";
  EXPECT_EQ(f.UpdateMetadata(5, kOurBrokerEpoch - 1, State("t", 0, 1, 0, {1, 2})).error_code,
            Code(ErrorCode::kStaleBrokerEpoch));
  EXPECT_EQ(f.h.metadata().FindPartition("t", 0), nullptr);

  ASSERT_EQ(f.LeaderAndIsr(5, kOurBrokerEpoch, State("t", 0, 1, 0, {1, 2})).error_code, 0);
  EXPECT_EQ(f.StopReplica(5, 7, "t", 0).error_code, Code(ErrorCode::kStaleBrokerEpoch));
  EXPECT_NE(f.h.replicas().Find("t", 0), nullptr) << "StopReplica for an old incarnation applied";
}

TEST(ControllerRequestFencing, NewerOrUnknownBrokerEpochIsAccepted) {
  Fenced f;
  // The controller saw our new registration before our own create completion arrived.
  EXPECT_EQ(f.LeaderAndIsr(5, kOurBrokerEpoch + 50, State("t", 0, 1, 0, {1})).error_code, 0);
  EXPECT_NE(f.h.replicas().Find("t", 0), nullptr);
  // -1: a sender that does not know the epoch.
  EXPECT_EQ(f.LeaderAndIsr(5, -1, State("t", 1, 1, 0, {1})).error_code, 0);
  EXPECT_NE(f.h.replicas().Find("t", 1), nullptr);
  // Not registered yet: nothing to compare with.
  f.services.broker_epoch = -1;
  EXPECT_EQ(f.LeaderAndIsr(5, 3, State("t", 2, 1, 0, {1})).error_code, 0);
  EXPECT_NE(f.h.replicas().Find("t", 2), nullptr);
}

TEST(ControllerRequestFencing, NoApplierMeansBrokerNotAvailable) {
  Harness h;
  InterBrokerServices services;  // still starting: no applier
  h.ctx().inter_broker = &services;
  coordinator::LeaderAndIsrBatch b;
  b.controller_epoch = ControllerEpoch(1);
  b.partitions = {State("t", 0, 1, 0, {1})};
  auto reply = h.Send(ToWire(b), kLeaderAndIsrVersion);
  auto resp = Harness::Decode<protocol::LeaderAndIsrResponse>(*reply, kLeaderAndIsrVersion);
  EXPECT_EQ(resp.error_code, Code(ErrorCode::kBrokerNotAvailable));
  h.ctx().inter_broker = nullptr;
}

// Appends `count` single-record batches as leader.
void Append(Harness& h, const std::string& topic, int count) {
  Partition* p = h.replicas().Find(topic, 0);
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < count; ++i) {
    std::string batch = MakeBatch(1, 10);
    auto info = h.replicas().AppendAsLeader(p, reinterpret_cast<uint8_t*>(batch.data()),
                                            batch.size(), 0);
    ASSERT_TRUE(info.ok()) << info.status();
  }
}

TEST(LeaderEpochAtTakeover, NewLeaderRecordsItsEpochAtItsLogEnd) {
  Harness h;
  ASSERT_TRUE(h.replicas().ApplyLeaderAndIsr({"t", 0, 1, 1, 3, {1}, {1}}).ok());
  Append(h, "t", 4);
  storage::Log* log = h.replicas().Find("t", 0)->log();
  ASSERT_EQ(log->latest_epoch(), LeaderEpoch(3));

  // Leadership moved away and came back at epoch 5 with nothing written in between.
  ASSERT_TRUE(h.replicas().ApplyLeaderAndIsr({"t", 0, 1, 2, 4, {2, 1}, {1, 2}}).ok());
  EXPECT_EQ(log->latest_epoch(), LeaderEpoch(3)) << "a follower does not start epochs";
  ASSERT_TRUE(h.replicas().ApplyLeaderAndIsr({"t", 0, 1, 1, 5, {1}, {1, 2}}).ok());
  EXPECT_EQ(log->latest_epoch(), LeaderEpoch(5));
  ASSERT_TRUE(log->epoch_cache().latest_start_offset().has_value());
  EXPECT_EQ(*log->epoch_cache().latest_start_offset(), Offset(4));
  // A follower that was ahead in epoch 4 (which this leader never saw) learns epoch 3 ended at 4.
  auto [epoch, end] = log->EndOffsetForEpoch(LeaderEpoch(4));
  EXPECT_EQ(epoch, LeaderEpoch(3));
  EXPECT_EQ(end, Offset(4));
  // Re-applying the same epoch changes nothing; later appends stay in epoch 5.
  ASSERT_TRUE(h.replicas().ApplyLeaderAndIsr({"t", 0, 1, 1, 5, {1}, {1, 2}}).ok());
  Append(h, "t", 2);
  EXPECT_EQ(log->epoch_cache().entries().size(), 2u);
  EXPECT_EQ(log->EndOffsetForEpoch(LeaderEpoch(5)).second, Offset(6));
}

TEST(LeaderEpochAtTakeover, OffsetForLeaderEpochCutsAFollowerThatWasAheadInAnOlderEpoch) {
  Harness h;
  ASSERT_TRUE(h.replicas().ApplyLeaderAndIsr({"t", 0, 1, 1, 3, {1}, {1}}).ok());
  Append(h, "t", 10);
  // Takeover at epoch 5, nothing new written yet.
  ASSERT_TRUE(h.replicas().ApplyLeaderAndIsr({"t", 0, 1, 1, 5, {1, 2}, {1, 2}}).ok());

  // The follower: 10 records of epoch 3, then 5 of epoch 4 from a leader that died.
  protocol::OffsetForLeaderEpochRequest req;
  req.replica_id = 2;
  auto& t = req.topics.emplace_back();
  t.topic = "t";
  auto& part = t.partitions.emplace_back();
  part.partition = 0;
  part.current_leader_epoch = 5;
  part.leader_epoch = 4;
  auto reply = h.Send(req, kOffsetForLeaderEpochVersion);
  auto resp = Harness::Decode<protocol::OffsetForLeaderEpochResponse>(
      *reply, kOffsetForLeaderEpochVersion);
  ASSERT_EQ(resp.topics.size(), 1u);
  ASSERT_EQ(resp.topics[0].partitions.size(), 1u);
  const auto& answer = resp.topics[0].partitions[0];
  EXPECT_EQ(answer.error_code, 0);
  EXPECT_EQ(answer.leader_epoch, 3) << "without the takeover entry the leader answers -1 and the "
                                       "follower keeps its divergent epoch-4 records";
  EXPECT_EQ(answer.end_offset, 10);
  // The follower's own end of epoch 3 is 10; it cuts its epoch-4 tail.
  TruncationStep step = DecideTruncation(answer.leader_epoch, answer.end_offset, 3, 10, 4, 15);
  ASSERT_TRUE(step.truncate_to.has_value());
  EXPECT_EQ(*step.truncate_to, 10);
  EXPECT_TRUE(step.done);
}

TEST(MinInsyncReplicas, TopicOverrideSurvivesLeadershipChanges) {
  Harness h;  // broker default 1
  ASSERT_TRUE(h.replicas().ApplyLeaderAndIsr({"t", 0, 1, 1, 0, {1, 2, 3}, {1, 2, 3}}).ok());
  ASSERT_TRUE(h.replicas().ApplyLeaderAndIsr({"u", 0, 1, 1, 0, {1, 2, 3}, {1, 2, 3}}).ok());
  h.replicas().SetTopicMinInsyncReplicas("t", 2);
  EXPECT_EQ(h.replicas().Find("t", 0)->min_insync_replicas(), 2);
  EXPECT_EQ(h.replicas().Find("u", 0)->min_insync_replicas(), 1);
  // Brokers 2 and 3 die: the controller re-sends leadership with an ISR of one.
  ASSERT_TRUE(h.replicas().ApplyLeaderAndIsr({"t", 0, 1, 1, 1, {1}, {1, 2, 3}}).ok());
  EXPECT_EQ(h.replicas().Find("t", 0)->min_insync_replicas(), 2)
      << "LeaderAndIsr reset the topic override to the broker default";
  ASSERT_TRUE(h.replicas().ApplyLeaderAndIsr({"t", 1, 1, 1, 0, {1}, {1, 2, 3}}).ok());
  EXPECT_EQ(h.replicas().Find("t", 1)->min_insync_replicas(), 2) << "new partition of the topic";
  h.replicas().SetTopicMinInsyncReplicas("t", std::nullopt);
  EXPECT_EQ(h.replicas().Find("t", 0)->min_insync_replicas(), 1);
}

}  // namespace
}  // namespace sluice::broker
