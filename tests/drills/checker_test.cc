// The drill checker's verdicts on hand-made histories: it must fail exactly when acknowledged
// data is lost, moved, reordered, or when replicas diverge below the high watermark.
#include "tests/drills/checker.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/test_util.h"

namespace sluice::drills {
namespace {

std::string V(int producer, int64_t seq) {
  return "d" + std::to_string(producer) + ":" + std::to_string(seq) + ":....";
}

Delivery Acked(int32_t partition, int64_t offset, float ms = 10) {
  return Delivery{partition, offset, ms, 0};
}

TEST(DrillChecker, CleanHistoryIsSafe) {
  std::vector<std::vector<Delivery>> d = {{Acked(0, 0), Acked(1, 0), Acked(0, 1)}};
  std::map<int32_t, std::vector<ReadRecord>> read = {{0, {{0, V(0, 0)}, {1, V(0, 2)}}},
                                                     {1, {{0, V(0, 1)}}}};
  CheckResult r = Check(d, read, {}, {}, 1000);
  EXPECT_TRUE(r.safe());
  EXPECT_EQ(r.acked, 3);
  EXPECT_EQ(r.read_records, 3);
  EXPECT_EQ(r.duplicated_messages, 0);
}

TEST(DrillChecker, AcknowledgedButMissingIsLost) {
  std::vector<std::vector<Delivery>> d = {{Acked(0, 0), Acked(0, 1)}};
  std::map<int32_t, std::vector<ReadRecord>> read = {{0, {{0, V(0, 0)}}}};
  CheckResult r = Check(d, read, {}, {}, 1000);
  EXPECT_FALSE(r.safe());
  EXPECT_EQ(r.acked_lost, 1);
  ASSERT_FALSE(r.examples.empty());
  EXPECT_NE(r.examples[0].find("seq=1"), std::string::npos);
}

TEST(DrillChecker, UnacknowledgedPresentIsFineAndDuplicatesAreCounted) {
  std::vector<std::vector<Delivery>> d = {{Acked(0, 0), Delivery{0, -1, 20, 10, 7}, Delivery{}}};
  std::map<int32_t, std::vector<ReadRecord>> read = {
      {0, {{0, V(0, 0)}, {1, V(0, 1)}, {2, V(0, 1)}, {3, V(0, 2)}}}};
  CheckResult r = Check(d, read, {}, {}, 1000);
  EXPECT_TRUE(r.safe());
  EXPECT_EQ(r.unacked_present, 2);
  EXPECT_EQ(r.failed, 1);
  EXPECT_EQ(r.unreported, 1);
  EXPECT_EQ(r.duplicated_messages, 1);
  EXPECT_EQ(r.duplicate_copies, 1);
}

TEST(DrillChecker, AcknowledgedOffsetOverwrittenIsUnsafeEvenIfACopySurvives) {
  // Acked at offset 0, but offset 0 now holds seq 1 and the acked message only appears later.
  std::vector<std::vector<Delivery>> d = {{Acked(0, 0), Acked(0, 2)}};
  std::map<int32_t, std::vector<ReadRecord>> read = {{0, {{0, V(0, 1)}, {1, V(0, 0)}}}};
  CheckResult r = Check(d, read, {}, {}, 1000);
  EXPECT_FALSE(r.safe());
  EXPECT_GE(r.acked_moved, 1);
}

TEST(DrillChecker, ReorderedFirstCopiesAreOutOfOrderButRetriedCopiesAreNot) {
  std::vector<std::vector<Delivery>> d = {{Acked(0, 1), Acked(0, 0), Acked(0, 2)}};
  std::map<int32_t, std::vector<ReadRecord>> reordered = {{0, {{0, V(0, 1)}, {1, V(0, 0)}, {2, V(0, 2)}}}};
  EXPECT_EQ(Check(d, reordered, {}, {}, 1000).out_of_order, 1);
  // 0, 1, 0(retried copy), 1(copy), 2: first copies in order.
  std::vector<std::vector<Delivery>> d3 = {{Acked(0, 0), Acked(0, 1), Acked(0, 4)}};
  std::map<int32_t, std::vector<ReadRecord>> retried = {
      {0, {{0, V(0, 0)}, {1, V(0, 1)}, {2, V(0, 0)}, {3, V(0, 1)}, {4, V(0, 2)}}}};
  CheckResult r = Check(d3, retried, {}, {}, 1000);
  EXPECT_EQ(r.out_of_order, 0);
  EXPECT_TRUE(r.safe());
  EXPECT_EQ(r.duplicated_messages, 2);
}

TEST(DrillChecker, ReorderAfterATimedOutRequestIsARetryNotABrokerFault) {
  // seq 0 was sent at 0 ms and acked only at 6000 ms (its first request timed out); seq 1 was
  // written first. With a 5 s request timeout that is a client retry reordering.
  std::vector<std::vector<Delivery>> d = {
      {Delivery{0, 1, 6000, 0, 0}, Delivery{0, 0, 100, 50, 0}, Delivery{0, 2, 150, 100, 0}}};
  std::map<int32_t, std::vector<ReadRecord>> read = {{0, {{0, V(0, 1)}, {1, V(0, 0)}, {2, V(0, 2)}}}};
  CheckResult retried = Check(d, read, {}, {}, 7000, /*retry_after_ms=*/5000);
  EXPECT_EQ(retried.retry_reordered, 1);
  EXPECT_EQ(retried.out_of_order, 0);
  EXPECT_TRUE(retried.safe());
  d[0][0].ack_ms = 200;  // acked promptly: the broker itself put it after a newer message
  CheckResult broker = Check(d, read, {}, {}, 7000, 5000);
  EXPECT_EQ(broker.out_of_order, 1);
  EXPECT_FALSE(broker.safe());
}

TEST(DrillChecker, TimelineGapAndDip) {
  std::vector<Delivery> acks;
  for (int i = 0; i < 100; ++i) acks.push_back(Acked(0, i, static_cast<float>(i * 50)));  // 0..5 s
  for (int i = 0; i < 100; ++i) acks.push_back(Acked(0, 100 + i, 9000.0f + i * 50));     // 9..14 s
  std::vector<std::vector<Delivery>> d = {acks};
  CheckResult r = Check(d, {}, {}, {{5000, "kill -9 b1", true, ""}}, 14000);
  EXPECT_NEAR(r.max_partition_gap_ms, 4050, 1);
  EXPECT_EQ(r.max_gap_partition, 0);
  EXPECT_NEAR(r.baseline_per_s, 20, 0.1);
  EXPECT_DOUBLE_EQ(r.dip_fraction, 1.0);
  EXPECT_NEAR(r.recovery_s, 4, 0.01);
}

// Two batches (offsets 0 and 1..2) in a replica's segment file.
std::string Batch(int64_t base, int32_t last_delta, char fill) {
  std::string b(12 + 49, fill);
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((base >> (56 - 8 * i)) & 0xff);
  int32_t len = 49;
  for (int i = 0; i < 4; ++i) b[8 + i] = static_cast<char>((len >> (24 - 8 * i)) & 0xff);
  for (int i = 0; i < 4; ++i) b[23 + i] = static_cast<char>((last_delta >> (24 - 8 * i)) & 0xff);
  return b;
}

TEST(DrillChecker, ReplicasCompareBelowHighWatermarkOnly) {
  testing::TempDir dir("drill-checker");
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::filesystem::create_directories(dir.path() + "/" + name);
    std::ofstream(dir.path() + "/" + name + "/00000000000000000000.log", std::ios::binary) << bytes;
    return dir.path() + "/" + name;
  };
  const std::string a = write("a", Batch(0, 0, 'x') + Batch(1, 1, 'y') + Batch(3, 0, 'z'));
  const std::string b = write("b", Batch(0, 0, 'x') + Batch(1, 1, 'y') + Batch(3, 0, 'Q'));
  const std::string c = write("c", Batch(0, 0, 'x'));
  const std::string bad = write("bad", Batch(0, 0, 'x') + Batch(1, 1, 'Y'));
  // Tails above the HW (offset 3) may differ; c is a lagging prefix.
  ReplicaCheck ok = CompareReplicas(0, 3, {{1, a}, {2, b}, {3, c}});
  EXPECT_TRUE(ok.diverged.empty());
  EXPECT_EQ(ok.lagging, std::vector<int32_t>{3});
  EXPECT_EQ(ok.bytes_below_hw[1], 2 * 61);
  ReplicaCheck diverged = CompareReplicas(0, 3, {{1, a}, {2, bad}});
  EXPECT_EQ(diverged.diverged.size(), 2u);
  EXPECT_EQ(diverged.first_divergent_offset, 1);
  CheckResult r = Check({}, {}, {diverged}, {}, 0);
  EXPECT_FALSE(r.safe());
  EXPECT_EQ(r.replicas_diverged, 1);
}

// The group side: a history where the group was handed every acknowledged offset and committed
// offsets only grew.
GroupHistory CleanGroupHistory() {
  GroupHistory h;
  h.consumed[0] = {true, true};
  h.consumed[1] = {true};
  h.commits = {{100, 0, 0, 1}, {200, 1, 0, 2}, {200, 1, 1, 1}};
  h.observations = {{150, 0, 1}, {250, 0, 2}, {250, 1, 1}, {300, 0, 2}, {300, 1, 1}};
  h.consumed_records = 3;
  return h;
}

std::vector<std::vector<Delivery>> TwoPartitionDeliveries() {
  return {{Acked(0, 0), Acked(1, 0), Acked(0, 1)}};
}

TEST(DrillGroupChecker, CleanGroupHistoryIsSafe) {
  CheckResult r;
  CheckGroup(CleanGroupHistory(), TwoPartitionDeliveries(), true, "", &r);
  EXPECT_TRUE(r.safe());
  EXPECT_TRUE(r.group.checked);
  EXPECT_EQ(r.group.commits_acked, 3);
  EXPECT_EQ(r.group.observations, 5);
  EXPECT_EQ(r.group.consumed_records, 3);
}

TEST(DrillGroupChecker, CommittedOffsetReadBackLowerIsBackwards) {
  GroupHistory h = CleanGroupHistory();
  h.observations.push_back({400, 0, 1});  // partition 0 read back as 1 after 2
  h.observations.push_back({500, 0, 2});
  CheckResult r;
  CheckGroup(h, TwoPartitionDeliveries(), true, "", &r);
  EXPECT_FALSE(r.safe());
  EXPECT_EQ(r.group.committed_backwards, 1);
  EXPECT_EQ(r.group.acked_commit_lost, 0);
  ASSERT_FALSE(r.examples.empty());
  EXPECT_NE(r.examples[0].find("committed_backwards partition=0"), std::string::npos);
}

TEST(DrillGroupChecker, AcknowledgedCommitAboveTheFinalCommittedOffsetIsLost) {
  GroupHistory h = CleanGroupHistory();
  h.commits.push_back({350, 0, 1, 5});  // acknowledged, but never read back
  CheckResult r;
  CheckGroup(h, TwoPartitionDeliveries(), true, "", &r);
  EXPECT_FALSE(r.safe());
  EXPECT_EQ(r.group.acked_commit_lost, 1);
  EXPECT_EQ(r.group.committed_backwards, 0);
}

TEST(DrillGroupChecker, AcknowledgedMessageNeverHandedToTheGroupIsReported) {
  GroupHistory h = CleanGroupHistory();
  h.consumed[0] = {true, false};  // offset 1 of partition 0 was acknowledged, never consumed
  CheckResult r;
  CheckGroup(h, TwoPartitionDeliveries(), true, "", &r);
  EXPECT_FALSE(r.safe());
  EXPECT_EQ(r.group.acked_not_consumed, 1);
  ASSERT_FALSE(r.examples.empty());
  EXPECT_NE(r.examples[0].find("partition=0 offset=1"), std::string::npos);
}

}  // namespace
}  // namespace sluice::drills
