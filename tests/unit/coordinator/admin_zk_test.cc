// Admin config changes, ConfigWatcher, IsrWriter and AddPartitions against a real ZooKeeper
// (label cluster); PlanNewPartitions and topic config validation (pure).
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "coordinator/config_watcher.h"
#include "coordinator/isr_writer.h"
#include "coordinator/sync_zk.h"
#include "tests/support/zk_ensemble.h"
#include "tests/unit/coordinator/zk_node.h"

namespace sluice::coordinator {
namespace {

using namespace std::chrono_literals;
using testing::WaitFor;
using testing::ZkEnsemble;

TEST(ConfigWatcherTest, AlterTopicConfigReachesOtherBrokers) {
  ZkEnsemble zk(1);
  ASSERT_TRUE(zk.ok()) << zk.status();
  ZkNode node(1, zk.connect_string());
  ASSERT_TRUE(WaitFor([&] { return node.registered(); }, 30s));
  ASSERT_TRUE(node.CreateTopic(NewTopic{"cfg", 1, 1, {{"retention.ms", "1000"}}, {}})->result.ok());

  // Another broker's watcher, on its own loop and session.
  testing::TestLoop loop;
  std::unique_ptr<ZkSession> other;
  std::unique_ptr<ConfigWatcher> watcher;
  Shared<std::vector<std::pair<std::string, ConfigMap>>> seen;
  loop.RunSync([&] {
    other = std::make_unique<ZkSession>(&loop, ZkSessionOptions{zk.connect_string(), 6000ms});
    watcher = std::make_unique<ConfigWatcher>(
        other.get(), [&](const std::string& t, const ConfigMap& c) {
          seen.Update([&](auto& v) { v.emplace_back(t, c); });
        });
    other->Start();
    watcher->Start();
  });
  ASSERT_TRUE(WaitFor(
      [&] {
        bool ready = false;
        loop.RunSync([&] { ready = watcher->ready(); });
        return ready;
      },
      20s));

  auto bad = node.AlterTopicConfig("cfg", {{"cleanup.policy", "shred"}});
  EXPECT_EQ(bad->error, AdminError::kInvalidConfig);
  auto unknown = node.AlterTopicConfig("nope", {{"retention.ms", "5"}});
  EXPECT_EQ(unknown->error, AdminError::kUnknownTopic);
  EXPECT_TRUE(seen.Get().empty()) << "rejected changes must not notify";

  ConfigMap wanted{{"cleanup.policy", "compact"}, {"min.insync.replicas", "2"}};
  auto ok = node.AlterTopicConfig("cfg", wanted);
  ASSERT_TRUE(ok->ok()) << ok->status;
  ASSERT_TRUE(WaitFor([&] { return !seen.Get().empty(); }, 20s)) << "watcher not told";
  EXPECT_EQ(seen.Get().back().first, "cfg");
  EXPECT_EQ(seen.Get().back().second, wanted);
  auto read = node.ReadTopicConfig("cfg");
  ASSERT_TRUE(read.has_value() && read->ok());
  EXPECT_EQ(read->value(), wanted);

  SyncZk raw;
  ASSERT_TRUE(raw.Connect(zk.connect_string()).ok());
  ZkChildren changes = raw.GetChildren(kConfigChangesPath);
  ASSERT_EQ(changes.children.size(), 1u);
  EXPECT_EQ(raw.Get(std::string(kConfigChangesPath) + "/" + changes.children[0]).data,
            R"({"version":2,"entity_path":"topics/cfg"})");
  loop.RunSync([&] {
    watcher.reset();
    other.reset();
  });
}

TEST(IsrWriterTest, LeaderWritesIsrConditionallyAndNotifiesController) {
  ZkEnsemble zk(1);
  ASSERT_TRUE(zk.ok()) << zk.status();
  ZkNode a(1, zk.connect_string());
  ZkNode b(2, zk.connect_string());
  ASSERT_TRUE(WaitFor([&] { return a.registered() && b.registered(); }, 30s));
  ZkNode* ctrl = nullptr;
  ASSERT_TRUE(WaitFor(
      [&] {
        ctrl = a.is_controller() ? &a : (b.is_controller() ? &b : nullptr);
        return ctrl != nullptr;
      },
      30s));
  NewTopic topic{"w", -1, -1, {}, {}};
  topic.assignment = {{0, {BrokerId(1), BrokerId(2)}}};
  ASSERT_TRUE(a.CreateTopic(topic)->result.ok());
  SyncZk raw;
  ASSERT_TRUE(raw.Connect(zk.connect_string()).ok());
  ASSERT_TRUE(WaitFor([&] { return raw.Exists(PartitionStatePath("w", 0)).err == ZkErrc::kOk; },
                      30s));
  ZkRead before = raw.Get(PartitionStatePath("w", 0));
  LeaderAndIsr state = *TopicPartitionStateZNode::Decode(before.data);

  // Broker 1 (the leader) shrinks its ISR with the classic write path.
  std::unique_ptr<IsrWriter> writer;
  a.loop().RunSync([&] {
    writer = std::make_unique<IsrWriter>(a.session(), IsrWriterOptions{100ms, 0ms, 60000ms});
    writer->Start();
  });
  LeaderAndIsr shrunk = state;
  shrunk.isr = {BrokerId(1)};
  auto wrote = Await<Result<int32_t>>(a.loop(), [&](auto done) {
    writer->WriteIsr({"w", 0}, shrunk, before.stat.version, done);
  });
  ASSERT_TRUE(wrote.has_value() && wrote->ok()) << wrote->status();
  EXPECT_EQ(wrote->value(), before.stat.version + 1);
  // A second write with the old version loses: the state changed underneath.
  auto stale = Await<Result<int32_t>>(a.loop(), [&](auto done) {
    writer->WriteIsr({"w", 0}, state, before.stat.version, done);
  });
  ASSERT_TRUE(stale.has_value());
  EXPECT_FALSE(stale->ok());
  // The notification reaches the controller, which re-reads the state and deletes it.
  EXPECT_TRUE(WaitFor(
      [&] {
        auto ps = ctrl->partition_state("w", 0);
        return ps && ps->isr == std::vector<BrokerId>{BrokerId(1)};
      },
      20s))
      << "controller did not learn the ISR change";
  EXPECT_TRUE(WaitFor([&] { return raw.GetChildren(kIsrChangeNotificationPath).children.empty(); },
                      20s));
  a.loop().RunSync([&] { writer.reset(); });
}

}  // namespace
}  // namespace sluice::coordinator

namespace sluice::coordinator {
namespace {

using namespace std::chrono_literals;
using testing::WaitFor;
using testing::ZkEnsemble;

std::vector<BrokerId> Ids(std::initializer_list<int32_t> ids) {
  std::vector<BrokerId> out;
  for (int32_t i : ids) out.push_back(BrokerId(i));
  return out;
}

// ---- PlanNewPartitions: pure (no ZooKeeper) ----

TEST(PlanNewPartitions, AddsFromCurrentCountWithExistingReplicationFactor) {
  PartitionAssignment existing = {{0, Ids({1, 2})}, {1, Ids({2, 3})}};
  std::mt19937_64 rng(7);
  AdminError err = AdminError::kNone;
  auto plan = PlanNewPartitions(existing, 5, {}, Ids({1, 2, 3}), &rng, &err);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(err, AdminError::kNone);
  ASSERT_EQ(plan->size(), 3u);
  EXPECT_EQ(plan->begin()->first, 2);
  EXPECT_EQ(plan->rbegin()->first, 4);
  std::set<BrokerId> leaders;
  for (const auto& [p, replicas] : *plan) {
    ASSERT_EQ(replicas.size(), 2u) << "partition " << p;
    EXPECT_NE(replicas[0], replicas[1]);
    leaders.insert(replicas[0]);
  }
  EXPECT_EQ(leaders.size(), 3u) << "new leaders spread over the brokers";
}

TEST(PlanNewPartitions, CountNotAboveCurrentIsInvalidPartitions) {
  PartitionAssignment existing = {{0, Ids({1})}, {1, Ids({1})}};
  AdminError err = AdminError::kNone;
  auto same = PlanNewPartitions(existing, 2, {}, Ids({1}), nullptr, &err);
  EXPECT_FALSE(same.ok());
  EXPECT_EQ(err, AdminError::kInvalidPartitions);
  EXPECT_NE(same.status().message().find("already has 2 partitions"), std::string::npos);
  auto fewer = PlanNewPartitions(existing, 1, {}, Ids({1}), nullptr, &err);
  EXPECT_EQ(err, AdminError::kInvalidPartitions);
  EXPECT_NE(fewer.status().message().find("higher than the requested 1"), std::string::npos);
}

TEST(PlanNewPartitions, ExplicitAssignmentIsCheckedAndUsed) {
  PartitionAssignment existing = {{0, Ids({1, 2})}};
  AdminError err = AdminError::kNone;
  auto ok = PlanNewPartitions(existing, 3, {Ids({3, 1}), Ids({2, 3})}, Ids({1, 2, 3}), nullptr,
                              &err);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, (PartitionAssignment{{1, Ids({3, 1})}, {2, Ids({2, 3})}}));

  auto wrong_count = PlanNewPartitions(existing, 3, {Ids({3, 1})}, Ids({1, 2, 3}), nullptr, &err);
  EXPECT_FALSE(wrong_count.ok());
  EXPECT_EQ(err, AdminError::kInvalidReplicaAssignment);
  auto unknown_broker =
      PlanNewPartitions(existing, 2, {Ids({9, 1})}, Ids({1, 2, 3}), nullptr, &err);
  EXPECT_FALSE(unknown_broker.ok());
  EXPECT_EQ(err, AdminError::kInvalidReplicaAssignment);
  auto duplicate = PlanNewPartitions(existing, 2, {Ids({1, 1})}, Ids({1, 2, 3}), nullptr, &err);
  EXPECT_EQ(err, AdminError::kInvalidReplicaAssignment);
  auto other_rf = PlanNewPartitions(existing, 2, {Ids({1, 2, 3})}, Ids({1, 2, 3}), nullptr, &err);
  EXPECT_FALSE(other_rf.ok());
  EXPECT_EQ(err, AdminError::kInvalidReplicaAssignment);
}

TEST(PlanNewPartitions, TooFewLiveBrokersForTheReplicationFactor) {
  PartitionAssignment existing = {{0, Ids({1, 2, 3})}};
  AdminError err = AdminError::kNone;
  auto plan = PlanNewPartitions(existing, 2, {}, Ids({1, 2}), nullptr, &err);
  EXPECT_FALSE(plan.ok());
  EXPECT_EQ(err, AdminError::kInvalidReplicationFactor);
}

TEST(TopicConfigValidation, NamesAndValuesAsKafka) {
  EXPECT_TRUE(ValidateTopicConfigs({{"retention.ms", "-1"}, {"cleanup.policy", "compact"},
                                    {"min.cleanable.dirty.ratio", "0.2"},
                                    {"compression.type", "zstd"}})
                  .ok());
  Status unknown = ValidateTopicConfigs({{"no.such.config", "1"}});
  EXPECT_NE(unknown.message().find("Unknown topic config name: no.such.config"),
            std::string::npos);
  EXPECT_NE(ValidateTopicConfigs({{"retention.ms", "soon"}}).message().find("retention.ms"),
            std::string::npos);
  EXPECT_FALSE(ValidateTopicConfigs({{"segment.bytes", "10"}}).ok());
  EXPECT_FALSE(ValidateTopicConfigs({{"min.insync.replicas", "0"}}).ok());
  EXPECT_FALSE(ValidateTopicConfigs({{"compression.type", "brotli"}}).ok());
  EXPECT_FALSE(ValidateTopicConfigs({{"min.cleanable.dirty.ratio", "1.5"}}).ok());
  EXPECT_FALSE(ValidateTopicConfigs({{"message.timestamp.type", "Now"}}).ok());
  EXPECT_TRUE(IsTopicConfigName("segment.jitter.ms"));
  EXPECT_FALSE(IsTopicConfigName("log.retention.ms"));
}

// ---- AddPartitions against real ZooKeeper and a real Controller ----

TEST(AdminAddPartitions, WritesNewAssignmentAndControllerElectsLeaders) {
  ZkEnsemble zk(1);
  ASSERT_TRUE(zk.ok()) << zk.status();
  ZkNode a(1, zk.connect_string());
  ZkNode b(2, zk.connect_string());
  ASSERT_TRUE(WaitFor([&] { return a.registered() && b.registered(); }, 30s));
  ZkNode* ctrl = nullptr;
  ASSERT_TRUE(WaitFor(
      [&] {
        ctrl = a.is_controller() ? &a : (b.is_controller() ? &b : nullptr);
        return ctrl != nullptr;
      },
      30s));
  auto created = a.CreateTopic(NewTopic{"grow", 2, 2, {}, {}});
  ASSERT_TRUE(created.has_value() && created->result.ok());
  ASSERT_TRUE(WaitFor([&] { return ctrl->partition_state("grow", 1).has_value(); }, 20s));

  std::unique_ptr<Admin> admin;
  a.loop().RunSync([&] { admin = std::make_unique<Admin>(a.session()); });
  auto add = [&](NewPartitions req, bool validate_only) {
    return Await<AddedPartitions>(a.loop(), [&admin, req, validate_only](auto done) {
      admin->AddPartitions(req, validate_only, done);
    });
  };
  SyncZk raw;
  ASSERT_TRUE(raw.Connect(zk.connect_string()).ok());
  auto before = TopicZNode::Decode(raw.Get(TopicPath("grow")).data);
  ASSERT_TRUE(before.ok());

  // validate_only: a plan, nothing written.
  auto dry = add(NewPartitions{"grow", 4, {}}, true);
  ASSERT_TRUE(dry.has_value() && dry->result.ok()) << dry->result.message();
  EXPECT_EQ(dry->added.size(), 2u);
  EXPECT_EQ(TopicZNode::Decode(raw.Get(TopicPath("grow")).data)->partitions.size(), 2u);

  auto grown = add(NewPartitions{"grow", 4, {}}, false);
  ASSERT_TRUE(grown.has_value() && grown->result.ok()) << grown->result.message();
  auto after = TopicZNode::Decode(raw.Get(TopicPath("grow")).data);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->partitions.size(), 4u);
  EXPECT_EQ(after->topic_id, before->topic_id) << "topic id kept";
  EXPECT_EQ(after->partitions.at(0), before->partitions.at(0)) << "existing partitions kept";
  EXPECT_EQ(after->partitions.at(1), before->partitions.at(1));
  EXPECT_EQ(after->partitions.at(3).size(), 2u);
  // The controller's topic watch picks the new partitions up and elects their leaders.
  for (int32_t p : {2, 3}) {
    ASSERT_TRUE(WaitFor(
        [&] {
          auto s = ctrl->partition_state("grow", p);
          return s.has_value() && s->leader.value() >= 1;
        },
        20s))
        << "partition " << p << " got no leader";
    EXPECT_EQ(raw.Get(PartitionStatePath("grow", p)).err, ZkErrc::kOk);
  }

  auto again = add(NewPartitions{"grow", 4, {}}, false);
  EXPECT_EQ(again->result.error, AdminError::kInvalidPartitions);
  auto unknown = add(NewPartitions{"nope", 4, {}}, false);
  EXPECT_EQ(unknown->result.error, AdminError::kUnknownTopic);
  auto bad = add(NewPartitions{"grow", 5, {Ids({1, 7})}}, false);
  EXPECT_EQ(bad->result.error, AdminError::kInvalidReplicaAssignment);
  auto explicit_ok = add(NewPartitions{"grow", 5, {Ids({2, 1})}}, false);
  ASSERT_TRUE(explicit_ok->result.ok()) << explicit_ok->result.message();
  EXPECT_EQ(TopicZNode::Decode(raw.Get(TopicPath("grow")).data)->partitions.at(4), Ids({2, 1}));
  a.loop().RunSync([&] { admin.reset(); });
}

}  // namespace
}  // namespace sluice::coordinator
