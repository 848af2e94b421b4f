// Controller requests applied to this broker: LeaderAndIsr → replica roles, UpdateMetadata → cache,
// StopReplica → log removal; stale controller epochs ignored.
#include "broker/controller_channel.h"

#include <gtest/gtest.h>

#include "handler_harness.h"

namespace sluice::broker {
namespace {

using testing::Harness;

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

coordinator::LiveBroker Live(int32_t id, int port) {
  coordinator::LiveBroker b;
  b.info.id = BrokerId(id);
  b.info.endpoints.push_back({"PLAINTEXT", "127.0.0.1", port, "PLAINTEXT"});
  return b;
}

TEST(ControllerRequestApplier, LeaderAndIsrMakesLeaderOrFollowerAndSkipsOtherBrokersPartitions) {
  Harness h;
  ControllerRequestApplier applier(1, &h.replicas(), &h.metadata());
  coordinator::LeaderAndIsrBatch batch;
  batch.controller_epoch = ControllerEpoch(3);
  batch.partitions = {State("t", 0, 1, 0, {1, 2}), State("t", 1, 2, 0, {2, 1}),
                      State("t", 2, 2, 0, {2, 3})};
  applier.ApplyLeaderAndIsr(batch);
  ASSERT_NE(h.replicas().Find("t", 0), nullptr);
  EXPECT_TRUE(h.replicas().Find("t", 0)->is_leader());
  ASSERT_NE(h.replicas().Find("t", 1), nullptr);
  EXPECT_FALSE(h.replicas().Find("t", 1)->is_leader());
  EXPECT_EQ(h.replicas().Find("t", 1)->leader_id(), 2);
  EXPECT_EQ(h.replicas().Find("t", 2), nullptr) << "not a replica on broker 1";

  coordinator::LeaderAndIsrBatch stale;
  stale.controller_epoch = ControllerEpoch(2);
  stale.partitions = {State("t", 0, 2, 1, {1, 2})};
  applier.ApplyLeaderAndIsr(stale);
  EXPECT_TRUE(h.replicas().Find("t", 0)->is_leader()) << "older controller epoch is ignored";
}

TEST(ControllerRequestApplier, UpdateMetadataFillsCacheAndDeleteMarkerRemoves) {
  Harness h;
  ControllerRequestApplier applier(1, &h.replicas(), &h.metadata());
  int notified = 0;
  applier.set_on_metadata([&] { ++notified; });
  coordinator::UpdateMetadataBatch batch;
  batch.controller_id = BrokerId(2);
  batch.controller_epoch = ControllerEpoch(1);
  batch.live_brokers = {Live(1, 9001), Live(2, 9002)};
  batch.partitions = {State("t", 0, 2, 4, {2, 1})};
  applier.ApplyUpdateMetadata(batch);
  EXPECT_EQ(notified, 1);
  EXPECT_EQ(h.metadata().controller_id(), 2);
  ASSERT_EQ(h.metadata().brokers().size(), 2u);
  EXPECT_EQ(h.metadata().brokers().at(2).port, 9002);
  const PartitionInfo* p = h.metadata().FindPartition("t", 0);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->leader, 2);
  EXPECT_EQ(p->leader_epoch, 4);
  EXPECT_TRUE(h.metadata().AllPartitionsHaveLiveLeaders("t"));

  batch.partitions = {State("t", 0, coordinator::kLeaderDuringDelete, 5, {2, 1})};
  applier.ApplyUpdateMetadata(batch);
  EXPECT_EQ(h.metadata().FindTopic("t"), nullptr);
}

TEST(ControllerRequestApplier, StopReplicaWithDeleteRemovesPartition) {
  Harness h;
  ControllerRequestApplier applier(1, &h.replicas(), &h.metadata());
  coordinator::LeaderAndIsrBatch batch;
  batch.controller_epoch = ControllerEpoch(1);
  batch.partitions = {State("t", 0, 1, 0, {1})};
  applier.ApplyLeaderAndIsr(batch);
  ASSERT_NE(h.replicas().Find("t", 0), nullptr);
  coordinator::StopReplicaBatch stop;
  stop.controller_epoch = ControllerEpoch(1);
  stop.delete_partitions = true;
  stop.partitions = {TopicPartition{"t", 0}};
  applier.ApplyStopReplica(stop);
  EXPECT_EQ(h.replicas().Find("t", 0), nullptr);
}

}  // namespace
}  // namespace sluice::broker
