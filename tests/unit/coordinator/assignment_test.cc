// Kafka's rack-unaware replica assignment (AdminUtils.assignReplicasToBrokersRackUnaware).
#include "coordinator/assignment.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace sluice::coordinator {
namespace {

std::vector<BrokerId> Ids(std::initializer_list<int32_t> v) {
  std::vector<BrokerId> out;
  for (int32_t i : v) out.push_back(BrokerId(i));
  return out;
}

TEST(Assignment, MatchesKafkaWithFixedStartIndex) {
  // Kafka AdminRackAwareTest/AdminTest: brokers 0..4, 10 partitions, rf 3, fixedStartIndex 0.
  AssignmentParams p;
  p.partitions = 10;
  p.replication_factor = 3;
  p.brokers = Ids({4, 3, 2, 1, 0});  // sorted inside
  p.fixed_start_index = 0;
  auto a = AssignReplicasRackUnaware(p, nullptr);
  ASSERT_TRUE(a.ok()) << a.status();
  std::map<int32_t, std::vector<BrokerId>> expected = {
      {0, Ids({0, 1, 2})}, {1, Ids({1, 2, 3})}, {2, Ids({2, 3, 4})}, {3, Ids({3, 4, 0})},
      {4, Ids({4, 0, 1})}, {5, Ids({0, 2, 3})}, {6, Ids({1, 3, 4})}, {7, Ids({2, 4, 0})},
      {8, Ids({3, 0, 1})}, {9, Ids({4, 1, 2})}};
  EXPECT_EQ(*a, expected);
}

TEST(Assignment, SpreadsLeadersAndReplicasEvenly) {
  std::mt19937_64 rng(42);
  for (int brokers : {1, 2, 3, 5}) {
    for (int rf = 1; rf <= brokers; ++rf) {
      AssignmentParams p;
      p.partitions = 12;
      p.replication_factor = rf;
      for (int b = 1; b <= brokers; ++b) p.brokers.push_back(BrokerId(b * 10));
      auto a = AssignReplicasRackUnaware(p, &rng);
      ASSERT_TRUE(a.ok());
      ASSERT_EQ(a->size(), 12u);
      std::map<BrokerId, int> leaders, replicas;
      for (const auto& [part, r] : *a) {
        ASSERT_EQ(static_cast<int>(r.size()), rf);
        EXPECT_EQ(std::set<BrokerId>(r.begin(), r.end()).size(), r.size()) << "duplicate replica";
        ++leaders[r.front()];
        for (BrokerId b : r) ++replicas[b];
      }
      const int base = 12 / brokers;
      for (BrokerId b : p.brokers) {
        EXPECT_GE(leaders[b], base) << "brokers=" << brokers << " rf=" << rf;
        EXPECT_LE(leaders[b], base + 1);
      }
    }
  }
}

TEST(Assignment, RejectsBadPartitionsAndReplicationFactor) {
  AdminError err;
  AssignmentParams p;
  p.brokers = Ids({1, 2, 3});
  p.partitions = 0;
  auto a = AssignReplicasRackUnaware(p, nullptr, &err);
  EXPECT_FALSE(a.ok());
  EXPECT_EQ(err, AdminError::kInvalidPartitions);
  p.partitions = 3;
  p.replication_factor = 0;
  EXPECT_FALSE(AssignReplicasRackUnaware(p, nullptr, &err).ok());
  EXPECT_EQ(err, AdminError::kInvalidReplicationFactor);
  p.replication_factor = 4;
  auto big = AssignReplicasRackUnaware(p, nullptr, &err);
  EXPECT_FALSE(big.ok());
  EXPECT_EQ(err, AdminError::kInvalidReplicationFactor);
  EXPECT_EQ(big.status().message(), "Replication factor: 4 larger than available brokers: 3.");
}

TEST(Assignment, ValidatesExplicitAssignments) {
  AdminError err;
  auto brokers = Ids({1, 2, 3});
  EXPECT_TRUE(ValidateAssignment({{0, Ids({1, 2})}, {1, Ids({2, 3})}}, brokers, &err).ok());
  EXPECT_FALSE(ValidateAssignment({{0, Ids({1, 1})}}, brokers, &err).ok());
  EXPECT_EQ(err, AdminError::kInvalidReplicaAssignment);
  EXPECT_FALSE(ValidateAssignment({{0, Ids({1, 9})}}, brokers, &err).ok());
  EXPECT_FALSE(ValidateAssignment({{1, Ids({1})}}, brokers, &err).ok());
  EXPECT_FALSE(ValidateAssignment({{0, Ids({1})}, {1, Ids({1, 2})}}, brokers, &err).ok());
}

}  // namespace
}  // namespace sluice::coordinator
