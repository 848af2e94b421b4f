// Leader election table of kafka-protocol/README.md §6 (Kafka Election.scala).
#include "coordinator/election.h"

#include <gtest/gtest.h>

namespace sluice::coordinator {
namespace {

std::vector<BrokerId> Ids(std::initializer_list<int32_t> v) {
  std::vector<BrokerId> out;
  for (int32_t i : v) out.push_back(BrokerId(i));
  return out;
}
BrokerSet Set(std::initializer_list<int32_t> v) {
  BrokerSet out;
  for (int32_t i : v) out.insert(BrokerId(i));
  return out;
}
LeaderAndIsr State(int32_t leader, int32_t epoch, std::initializer_list<int32_t> isr) {
  LeaderAndIsr s;
  s.leader = BrokerId(leader);
  s.leader_epoch = LeaderEpoch(epoch);
  s.isr = Ids(isr);
  s.controller_epoch = ControllerEpoch(3);
  return s;
}

TEST(LeaderElection, NewPartitionTakesFirstLiveReplicaAndLiveIsr) {
  auto s = InitialLeaderAndIsr(Ids({3, 1, 2}), Set({1, 2}));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->leader, BrokerId(1));
  EXPECT_EQ(s->isr, Ids({1, 2}));
  EXPECT_EQ(s->leader_epoch, LeaderEpoch(0));
  EXPECT_FALSE(InitialLeaderAndIsr(Ids({3}), Set({1})).has_value());
}

TEST(LeaderElection, OfflinePartitionPicksFirstLiveIsrMemberInAssignmentOrder) {
  // Leader 1 died; assignment order [1,3,2] prefers 3 over 2 (both in the ISR).
  auto e = ElectOfflinePartitionLeader(Ids({1, 3, 2}), State(1, 4, {1, 2, 3}), Set({2, 3}), false);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->state.leader, BrokerId(3));
  EXPECT_EQ(e->state.isr, Ids({2, 3}));
  EXPECT_EQ(e->state.leader_epoch, LeaderEpoch(5));
  EXPECT_EQ(e->state.controller_epoch, ControllerEpoch(3));
  EXPECT_FALSE(e->unclean);
}

TEST(LeaderElection, OfflinePartitionSkipsLiveReplicaOutsideIsr) {
  auto e = ElectOfflinePartitionLeader(Ids({1, 2, 3}), State(1, 0, {1, 3}), Set({2, 3}), false);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->state.leader, BrokerId(3));
  EXPECT_EQ(e->state.isr, Ids({3}));
}

TEST(LeaderElection, NoLiveIsrMemberLeavesPartitionOffline) {
  EXPECT_FALSE(
      ElectOfflinePartitionLeader(Ids({1, 2, 3}), State(1, 2, {1}), Set({2, 3}), false).has_value());
}

TEST(LeaderElection, UncleanElectionTakesFirstLiveReplica) {
  auto e = ElectOfflinePartitionLeader(Ids({1, 3, 2}), State(-1, 2, {1}), Set({2, 3}), true);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->unclean);
  EXPECT_EQ(e->state.leader, BrokerId(3));
  EXPECT_EQ(e->state.isr, Ids({3}));
  EXPECT_EQ(e->state.leader_recovery_state, 1);
  EXPECT_EQ(e->state.leader_epoch, LeaderEpoch(3));
  EXPECT_FALSE(ElectOfflinePartitionLeader(Ids({1}), State(-1, 2, {1}), Set({2}), true));
}

TEST(LeaderElection, PreferredReplicaOnlyIfAliveInIsrAndNotLeader) {
  auto s = ElectPreferredLeader(Ids({1, 2}), State(2, 7, {2, 1}), Set({1, 2}));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->leader, BrokerId(1));
  EXPECT_EQ(s->isr, Ids({2, 1}));
  EXPECT_EQ(s->leader_epoch, LeaderEpoch(8));
  EXPECT_FALSE(ElectPreferredLeader(Ids({1, 2}), State(1, 7, {1, 2}), Set({1, 2})));  // already
  EXPECT_FALSE(ElectPreferredLeader(Ids({1, 2}), State(2, 7, {2}), Set({1, 2})));     // not in ISR
  EXPECT_FALSE(ElectPreferredLeader(Ids({1, 2}), State(2, 7, {1, 2}), Set({2})));     // dead
}

TEST(LeaderElection, ControlledShutdownMovesLeadershipAndShrinksIsr) {
  auto s = ElectControlledShutdownLeader(Ids({1, 2, 3}), State(1, 1, {1, 2, 3}), Set({1, 2, 3}),
                                         Set({1}));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->leader, BrokerId(2));
  EXPECT_EQ(s->isr, Ids({2, 3}));
  EXPECT_EQ(s->leader_epoch, LeaderEpoch(2));
  EXPECT_FALSE(ElectControlledShutdownLeader(Ids({1, 2}), State(1, 1, {1}), Set({1, 2}), Set({1})));
}

TEST(IsrOnBrokerDeath, FollowerIsRemovedAndEpochBumped) {
  auto s = RemoveReplicaFromIsr(State(1, 4, {1, 2, 3}), BrokerId(2));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->leader, BrokerId(1));
  EXPECT_EQ(s->isr, Ids({1, 3}));
  EXPECT_EQ(s->leader_epoch, LeaderEpoch(5));
}

TEST(IsrOnBrokerDeath, LastMemberStaysAndLeaderBecomesNone) {
  auto s = RemoveReplicaFromIsr(State(1, 4, {1}), BrokerId(1));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->leader, BrokerId(kNoLeader));
  EXPECT_EQ(s->isr, Ids({1}));
  EXPECT_FALSE(s->isr.empty());
}

TEST(IsrOnBrokerDeath, ReplicaOutsideIsrChangesNothing) {
  EXPECT_FALSE(RemoveReplicaFromIsr(State(1, 4, {1, 3}), BrokerId(2)).has_value());
}

}  // namespace
}  // namespace sluice::coordinator
