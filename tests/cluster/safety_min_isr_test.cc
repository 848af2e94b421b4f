// Safety with brokers down (issue 3): min.insync.replicas=2 on an RF-3 topic with two brokers
// killed: acks=all gets NOT_ENOUGH_REPLICAS (raw frame to the leader and librdkafka's reported
// error), acks=1 still works, every leader in ZooKeeper stays inside its ISR; bringing one broker
// back makes acks=all work again. And partitions whose ISR holds only dead brokers stay offline
// (leader -1, ISR kept) when an out-of-sync replica is the only one alive: no unclean election.
#include <gtest/gtest.h>

#include "tests/cluster/safety_cluster.h"

namespace sluice::testing {
namespace {

constexpr int16_t kNotEnoughReplicas = 19;
constexpr int16_t kNotLeaderOrFollower = 6;

std::vector<Record> Values(const std::string& prefix, int count, int32_t partition = -1) {
  std::vector<Record> out(count);
  for (int i = 0; i < count; ++i) {
    out[i].partition = partition;
    out[i].key = "k" + std::to_string(i % 17);
    out[i].value = prefix + std::to_string(i);
  }
  return out;
}

// Every acknowledged record is in the consumed data at its reported offset.
::testing::AssertionResult AllPresent(const std::vector<Record>& acked,
                                      const std::map<int32_t, std::vector<Record>>& consumed) {
  std::map<int32_t, std::map<int64_t, std::string>> by_offset;
  for (const auto& [p, recs] : consumed) {
    for (const auto& r : recs) by_offset[p][r.offset] = r.value.value_or("");
  }
  int missing = 0;
  for (const auto& r : acked) {
    auto& part = by_offset[r.partition];
    auto it = part.find(r.offset);
    if (it == part.end() || it->second != r.value.value_or("")) ++missing;
  }
  if (missing == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << missing << " of " << acked.size()
                                       << " acknowledged records missing";
}

class MinIsrSafetyTest : public SafetyCluster {};

TEST_F(MinIsrSafetyTest, TwoBrokersDownRejectsAcksAllKeepsAcksOneAndRecovers) {
  constexpr char kTopic[] = "minisr";
  constexpr int kParts = 6;
  StartCluster();  // broker default min.insync.replicas=1: the topic override must hold
  CLUSTER_ASSERT_OK(CreateTopic(Bootstrap(), kTopic, kParts, 3, 60s,
                                {{"min.insync.replicas", "2"}}));
  ASSERT_TRUE(WaitFor([&] { return AllIsr(kTopic, kParts, 3); }, 30s))
      << Describe(kTopic, kParts);
  auto cfg = sync_.Get(coordinator::ConfigTopicPath(kTopic));
  ASSERT_EQ(cfg.err, coordinator::ZkErrc::kOk);
  ASSERT_NE(cfg.data.find("min.insync.replicas"), std::string::npos) << cfg.data;

  auto before = ProduceAll(Bootstrap(), kTopic, Values("before-", 300), {{"acks", "all"}}, 60s);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->acked_count, 300) << before->first_error;
  const auto epochs_before = States(kTopic, kParts);

  broker(2).Kill9();
  broker(3).Kill9();
  ASSERT_TRUE(WaitFor(
      [&] {
        auto states = States(kTopic, kParts);
        for (const auto& [p, st] : states) {
          if (st.leader.value() != 1 || st.isr.size() != 1) return false;
        }
        return static_cast<int>(states.size()) == kParts;
      },
      std::chrono::milliseconds(3 * kSessionTimeoutMs)))
      << "leaders/ISRs did not converge on broker 1:" << Describe(kTopic, kParts);
  for (const auto& [p, st] : States(kTopic, kParts)) {
    EXPECT_TRUE(HasId(st.isr, st.leader.value())) << "p" << p << " leader outside its ISR";
    EXPECT_EQ(st.leader_recovery_state, 0) << "p" << p << " unclean election";
    if (epochs_before.at(p).leader.value() != 1) {
      EXPECT_GT(st.leader_epoch.value(), epochs_before.at(p).leader_epoch.value())
          << "p" << p << " changed leader without a new epoch";
    }
  }

  // acks=all straight to the leader: NOT_ENOUGH_REPLICAS, never success. Broker 1 may need a
  // moment to apply the LeaderAndIsr that made it leader (NOT_LEADER_OR_FOLLOWER meanwhile).
  for (int p = 0; p < kParts; ++p) {
    std::optional<int16_t> code;
    ASSERT_TRUE(WaitFor(
        [&] {
          auto out = RawProduce(broker(1).port(), kTopic, p, {"acks-all-" + std::to_string(p)},
                                -1, 5000, 10s);
          code = out.error_code;
          EXPECT_NE(code, std::optional<int16_t>(0)) << "acks=all acknowledged on one replica";
          return code.has_value() && *code != kNotLeaderOrFollower;
        },
        20s))
        << "p" << p << " no answer";
    EXPECT_EQ(code, std::optional<int16_t>(kNotEnoughReplicas)) << "p" << p;
  }
  // librdkafka reports the same error (retries off so it surfaces at once).
  auto rejected = ProduceAll(Bootstrap({1}), kTopic, Values("rejected-", 20),
                             {{"acks", "all"}, {"retries", "0"}, {"message.timeout.ms", "20000"}},
                             60s);
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_EQ(rejected->acked_count, 0);
  EXPECT_EQ(rejected->failed, 20);
  EXPECT_NE(rejected->first_error.find("NOT_ENOUGH_REPLICAS"), std::string::npos)
      << rejected->first_error;

  auto acks1 = ProduceAll(Bootstrap({1}), kTopic, Values("acks1-", 300), {{"acks", "1"}}, 60s);
  ASSERT_TRUE(acks1.ok()) << acks1.status();
  EXPECT_EQ(acks1->acked_count, 300) << acks1->first_error;

  // One broker back: it catches up, rejoins the ISR, and acks=all works again.
  CLUSTER_ASSERT_OK(broker(2).Restart());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto states = States(kTopic, kParts);
        for (const auto& [p, st] : states) {
          if (!HasId(st.isr, 2) || !HasId(st.isr, st.leader.value())) return false;
        }
        return static_cast<int>(states.size()) == kParts;
      },
      60s))
      << "broker 2 never rejoined:" << Describe(kTopic, kParts);
  auto after = ProduceAll(Bootstrap({1, 2}), kTopic, Values("after-", 300), {{"acks", "all"}},
                          60s);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->acked_count, 300) << after->first_error;

  auto consumed = ConsumeAll(Bootstrap({1, 2}), kTopic, 60s);
  ASSERT_TRUE(consumed.ok()) << consumed.status();
  EXPECT_TRUE(AllPresent(before->acked, *consumed));
  EXPECT_TRUE(AllPresent(acks1->acked, *consumed));
  EXPECT_TRUE(AllPresent(after->acked, *consumed));
  for (const auto& [p, recs] : *consumed) {
    for (const auto& r : recs) {
      EXPECT_NE(r.value.value_or("").rfind("acks-all-", 0), 0u) << "rejected write stored";
    }
  }
  EXPECT_TRUE(LogsIdentical(kTopic, kParts, {1, 2}, 30s));
}

TEST_F(MinIsrSafetyTest, IsrOfOnlyDeadBrokersStaysOfflineWithoutUncleanElection) {
  constexpr char kTopic[] = "offline";
  constexpr int kParts = 3;
  StartCluster();
  CLUSTER_ASSERT_OK(CreateTopic(Bootstrap(), kTopic, kParts, 3, 60s,
                                {{"min.insync.replicas", "2"}}));
  ASSERT_TRUE(WaitFor([&] { return AllIsr(kTopic, kParts, 3); }, 30s));

  // Broker 3 dies; the ISR shrinks to {1,2}; acknowledged writes exist that broker 3 never saw.
  broker(3).Kill9();
  ASSERT_TRUE(WaitFor(
      [&] {
        auto states = States(kTopic, kParts);
        for (const auto& [p, st] : states) {
          if (HasId(st.isr, 3) || st.leader.value() < 0) return false;
        }
        return static_cast<int>(states.size()) == kParts;
      },
      std::chrono::milliseconds(3 * kSessionTimeoutMs)))
      << Describe(kTopic, kParts);
  auto acked = ProduceAll(Bootstrap({1, 2}), kTopic, Values("only-on-1-2-", 500),
                          {{"acks", "all"}}, 60s);
  ASSERT_TRUE(acked.ok()) << acked.status();
  ASSERT_EQ(acked->acked_count, 500) << acked->first_error;

  // Both ISR members die; the out-of-sync broker 3 comes back alone (and becomes controller).
  broker(1).Kill9();
  broker(2).Kill9();
  CLUSTER_ASSERT_OK(broker(3).Restart());
  ASSERT_TRUE(WaitFor(
      [&] {
        if (ControllerId() != 3) return false;
        auto md = FetchMetadata(Bootstrap({3}), 5s, kTopic);
        if (!md.ok() || md->Find(kTopic) == nullptr) return false;
        const auto& parts = md->Find(kTopic)->partitions;
        if (static_cast<int>(parts.size()) != kParts) return false;
        for (const auto& pm : parts) {
          if (pm.leader != -1) return false;
        }
        return true;
      },
      60s))
      << "broker 3 never served the offline partitions' metadata:" << Describe(kTopic, kParts);
  for (const auto& [p, st] : States(kTopic, kParts)) {
    EXPECT_EQ(st.leader.value(), -1) << "p" << p << " elected an out-of-sync leader";
    EXPECT_FALSE(st.isr.empty()) << "p" << p << " ISR shrunk to empty";
    EXPECT_FALSE(HasId(st.isr, 3)) << "p" << p << " out-of-sync broker entered the ISR";
    EXPECT_EQ(st.leader_recovery_state, 0) << "p" << p;
  }
  auto refused = RawProduce(broker(3).port(), kTopic, 0, {"lost?"}, -1, 3000, 10s);
  ASSERT_TRUE(refused.error_code.has_value()) << refused.what;
  EXPECT_NE(*refused.error_code, 0) << "an offline partition accepted a write";

  // The ISR members come back (the controller may have dropped the first of them to die while
  // the other still lived: then only the last one is eligible). They lead again, broker 3
  // catches up from them, nothing acknowledged is lost.
  std::set<int32_t> eligible;
  for (const auto& [p, st] : States(kTopic, kParts)) {
    for (BrokerId id : st.isr) eligible.insert(id.value());
  }
  std::cerr << "[safety] eligible after double failure:" << Describe(kTopic, kParts) << "\n";
  for (int32_t id : eligible) CLUSTER_ASSERT_OK(broker(id).Restart());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto states = States(kTopic, kParts);
        for (const auto& [p, st] : states) {
          if (eligible.count(st.leader.value()) == 0 || !HasId(st.isr, 3)) return false;
        }
        return static_cast<int>(states.size()) == kParts;
      },
      90s))
      << Describe(kTopic, kParts);
  std::string serving = Bootstrap({3});
  for (int32_t id : eligible) serving += "," + broker(id).bootstrap();
  auto again = ProduceAll(serving, kTopic, Values("again-", 200), {{"acks", "all"}},
                          60s);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->acked_count, 200) << again->first_error;
  auto consumed = ConsumeAll(serving, kTopic, 60s);
  ASSERT_TRUE(consumed.ok()) << consumed.status();
  EXPECT_TRUE(AllPresent(acked->acked, *consumed));
  EXPECT_TRUE(AllPresent(again->acked, *consumed));
  std::vector<int32_t> compare(eligible.begin(), eligible.end());
  compare.push_back(3);
  EXPECT_TRUE(LogsIdentical(kTopic, kParts, compare, 30s));
}

}  // namespace
}  // namespace sluice::testing
