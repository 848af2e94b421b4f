// Controller and Admin against a real ZooKeeper (label cluster).
#include "coordinator/controller.h"

#include <gtest/gtest.h>

#include "coordinator/sync_zk.h"
#include "tests/support/zk_ensemble.h"
#include "tests/unit/coordinator/zk_node.h"

namespace sluice::coordinator {
namespace {

using namespace std::chrono_literals;
using testing::WaitFor;
using testing::ZkEnsemble;

std::vector<BrokerId> Ids(std::initializer_list<int32_t> v) {
  std::vector<BrokerId> out;
  for (int32_t i : v) out.push_back(BrokerId(i));
  return out;
}

int ControllerCount(std::vector<std::unique_ptr<ZkNode>>& nodes) {
  int n = 0;
  for (auto& node : nodes) {
    if (node && node->is_controller()) ++n;
  }
  return n;
}

ZkNode* TheController(std::vector<std::unique_ptr<ZkNode>>& nodes) {
  for (auto& node : nodes) {
    if (node && node->is_controller()) return node.get();
  }
  return nullptr;
}

std::optional<LeaderAndIsr> ReadState(SyncZk& zk, const std::string& t, int32_t p,
                                      int32_t* version = nullptr) {
  ZkRead r = zk.Get(PartitionStatePath(t, p));
  if (r.err != ZkErrc::kOk) return std::nullopt;
  auto s = TopicPartitionStateZNode::Decode(r.data);
  if (!s.ok()) return std::nullopt;
  if (version != nullptr) *version = r.stat.version;
  return *s;
}

struct Cluster {
  explicit Cluster(int brokers, int zk_servers = 1,
                   std::chrono::milliseconds rebalance_interval = std::chrono::minutes(5))
      : zk(zk_servers) {
    if (!zk.ok()) return;
    for (int i = 1; i <= brokers; ++i) {
      nodes.push_back(
          std::make_unique<ZkNode>(i, zk.connect_string(), 4000ms, true, rebalance_interval));
    }
  }
  bool Ready() {
    return WaitFor(
        [&] {
          for (auto& n : nodes) {
            if (!n->registered()) return false;
          }
          if (ControllerCount(nodes) != 1) return false;
          // ...and the controller has processed every registration.
          ZkNode* ctrl = TheController(nodes);
          auto live = ctrl->OnLoop<std::vector<BrokerId>>(
              [&] { return ctrl->controller()->live_brokers(); });
          return live.size() == nodes.size();
        },
        30s);
  }
  ZkEnsemble zk;
  std::vector<std::unique_ptr<ZkNode>> nodes;
};

TEST(ControllerTest, ExactlyOneWinsAndTheOtherTakesOverWithHigherEpoch) {
  Cluster c(2);
  ASSERT_TRUE(c.zk.ok()) << c.zk.status();
  ASSERT_TRUE(c.Ready()) << "no single controller";
  ZkNode* first = TheController(c.nodes);
  ASSERT_NE(first, nullptr);
  const int32_t first_epoch = first->controller_epoch();

  SyncZk raw;
  ASSERT_TRUE(raw.Connect(c.zk.connect_string()).ok());
  ZkRead ctrl = raw.Get(kControllerPath);
  ASSERT_EQ(ctrl.err, ZkErrc::kOk);
  EXPECT_EQ(ControllerZNode::Decode(ctrl.data)->value(), first->id());
  EXPECT_NE(ctrl.data.find(R"("version":2)"), std::string::npos) << ctrl.data;
  EXPECT_EQ(ControllerEpochZNode::Decode(raw.Get(kControllerEpochPath).data)->value(),
            first_epoch);
  EXPECT_EQ(first_epoch, 1);

  // The controller's session ends: the other broker takes over with epoch + 1.
  const int32_t first_id = first->id();
  for (auto& n : c.nodes) {
    if (n->id() == first_id) n.reset();
  }
  ZkNode* second = nullptr;
  ASSERT_TRUE(WaitFor(
      [&] {
        second = TheController(c.nodes);
        return second != nullptr;
      },
      30s))
      << "no takeover";
  EXPECT_NE(second->id(), first_id);
  EXPECT_EQ(second->controller_epoch(), first_epoch + 1);
  EXPECT_EQ(ControllerEpochZNode::Decode(raw.Get(kControllerEpochPath).data)->value(),
            first_epoch + 1);
}

TEST(ControllerTest, TopicCreationWritesKafkaStateAndTellsReplicas) {
  Cluster c(3);
  ASSERT_TRUE(c.zk.ok()) << c.zk.status();
  ASSERT_TRUE(c.Ready());
  ZkNode* any = c.nodes[0].get();

  NewTopic topic{"orders", 3, 2, {{"retention.ms", "86400000"}}, {}};
  auto created = any->CreateTopic(topic);
  ASSERT_TRUE(created.has_value());
  ASSERT_TRUE(created->result.ok()) << created->result.status;
  EXPECT_EQ(created->topic_id.size(), 22u);

  SyncZk raw;
  ASSERT_TRUE(raw.Connect(c.zk.connect_string()).ok());
  ZkRead t = raw.Get(TopicPath("orders"));
  ASSERT_EQ(t.err, ZkErrc::kOk);
  EXPECT_NE(t.data.find(R"("version":3)"), std::string::npos) << t.data;
  auto assignment = TopicZNode::Decode(t.data);
  ASSERT_TRUE(assignment.ok());
  EXPECT_EQ(assignment->partitions.size(), 3u);
  EXPECT_EQ(assignment->topic_id, created->topic_id);
  EXPECT_EQ(raw.Get(ConfigTopicPath("orders")).data,
            R"({"version":1,"config":{"retention.ms":"86400000"}})");

  ASSERT_TRUE(WaitFor(
      [&] {
        for (int p = 0; p < 3; ++p) {
          if (!ReadState(raw, "orders", p)) return false;
        }
        return true;
      },
      30s))
      << "partition states not written";
  ZkNode* ctrl = TheController(c.nodes);
  ASSERT_NE(ctrl, nullptr);
  for (int p = 0; p < 3; ++p) {
    auto s = ReadState(raw, "orders", p);
    const ReplicaList& replicas = assignment->partitions.at(p);
    EXPECT_EQ(s->leader, replicas.front()) << "partition " << p;
    EXPECT_EQ(s->isr, replicas);
    EXPECT_EQ(s->leader_epoch, LeaderEpoch(0));
    EXPECT_EQ(s->controller_epoch.value(), ctrl->controller_epoch());
    // Every replica was told, with is_new.
    for (BrokerId r : replicas) {
      bool told = WaitFor(
          [&] {
            for (const auto& [to, batch] : ctrl->channel().leader_and_isr()) {
              if (to != r) continue;
              for (const PartitionState& ps : batch.partitions) {
                if (ps.topic == "orders" && ps.partition == p && ps.is_new &&
                    ps.leader == replicas.front()) {
                  return true;
                }
              }
            }
            return false;
          },
          10s);
      EXPECT_TRUE(told) << "replica " << r << " of partition " << p << " got no LeaderAndIsr";
    }
  }
  // UpdateMetadata reached every live broker with the topic.
  EXPECT_TRUE(WaitFor(
      [&] {
        std::set<BrokerId> got;
        for (const auto& [to, batch] : ctrl->channel().update_metadata()) {
          for (const PartitionState& ps : batch.partitions) {
            if (ps.topic == "orders") got.insert(to);
          }
        }
        return got.size() == 3;
      },
      10s));

  // Admin errors carry Kafka's error hint.
  auto again = any->CreateTopic(topic);
  EXPECT_EQ(again->result.error, AdminError::kTopicAlreadyExists);
  auto bad_name = any->CreateTopic(NewTopic{"bad/name", 1, 1, {}, {}});
  EXPECT_EQ(bad_name->result.error, AdminError::kInvalidTopic);
  auto bad_rf = any->CreateTopic(NewTopic{"t2", 1, 4, {}, {}});
  EXPECT_EQ(bad_rf->result.error, AdminError::kInvalidReplicationFactor);
  EXPECT_EQ(bad_rf->result.message(), "Replication factor: 4 larger than available brokers: 3.");
  auto bad_parts = any->CreateTopic(NewTopic{"t2", 0, 1, {}, {}});
  EXPECT_EQ(bad_parts->result.error, AdminError::kInvalidPartitions);
  auto bad_cfg = any->CreateTopic(NewTopic{"t2", 1, 1, {{"no.such", "1"}}, {}});
  EXPECT_EQ(bad_cfg->result.error, AdminError::kInvalidConfig);
  auto validate = any->CreateTopic(NewTopic{"t3", 2, 1, {}, {}}, /*validate_only=*/true);
  EXPECT_TRUE(validate->result.ok());
  EXPECT_EQ(validate->assignment.size(), 2u);
  EXPECT_EQ(raw.Exists(TopicPath("t3")).err, ZkErrc::kNoNode);
}

TEST(ControllerTest, BrokerDeathMovesLeadershipAndShrinksIsr) {
  Cluster c(3);
  ASSERT_TRUE(c.zk.ok()) << c.zk.status();
  ASSERT_TRUE(c.Ready());
  ZkNode* ctrl = TheController(c.nodes);
  ASSERT_NE(ctrl, nullptr);
  // Pick a victim that is not the controller; make it lead partition 0 and follow partition 1.
  const int32_t victim = ctrl->id() == 1 ? 2 : 1;
  const int32_t other = 6 - ctrl->id() - victim;
  NewTopic topic{"events", -1, -1, {}, {}};
  topic.assignment = {{0, Ids({victim, ctrl->id(), other})},
                      {1, Ids({other, victim, ctrl->id()})}};
  auto created = ctrl->CreateTopic(topic);
  ASSERT_TRUE(created.has_value() && created->result.ok()) << created->result.status;
  SyncZk raw;
  ASSERT_TRUE(raw.Connect(c.zk.connect_string()).ok());
  ASSERT_TRUE(WaitFor([&] { return ReadState(raw, "events", 0) && ReadState(raw, "events", 1); },
                      30s));
  EXPECT_EQ(ReadState(raw, "events", 0)->leader, BrokerId(victim));

  for (auto& n : c.nodes) {
    if (n->id() == victim) n.reset();  // its session closes: /brokers/ids/<victim> vanishes
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        auto s0 = ReadState(raw, "events", 0);
        auto s1 = ReadState(raw, "events", 1);
        return s0 && s1 && s0->leader != BrokerId(victim) && s1->isr.size() == 2;
      },
      30s))
      << "controller did not react to the broker's death";
  auto s0 = ReadState(raw, "events", 0);
  EXPECT_EQ(s0->leader, BrokerId(ctrl->id())) << "next live ISR member in assignment order";
  EXPECT_EQ(s0->isr, Ids({ctrl->id(), other}));
  EXPECT_EQ(s0->leader_epoch, LeaderEpoch(1));
  auto s1 = ReadState(raw, "events", 1);
  EXPECT_EQ(s1->leader, BrokerId(other));
  EXPECT_EQ(s1->isr, Ids({other, ctrl->id()}));
  EXPECT_EQ(s1->leader_epoch, LeaderEpoch(1));
}

TEST(ControllerTest, LastIsrMemberDyingLeavesPartitionOfflineUntilItReturns) {
  Cluster c(2);
  ASSERT_TRUE(c.zk.ok()) << c.zk.status();
  ASSERT_TRUE(c.Ready());
  ZkNode* ctrl = TheController(c.nodes);
  const int32_t victim = ctrl->id() == 1 ? 2 : 1;
  NewTopic topic{"solo", -1, -1, {}, {}};
  topic.assignment = {{0, Ids({victim})}};
  ASSERT_TRUE(ctrl->CreateTopic(topic)->result.ok());
  SyncZk raw;
  ASSERT_TRUE(raw.Connect(c.zk.connect_string()).ok());
  ASSERT_TRUE(WaitFor([&] { return ReadState(raw, "solo", 0).has_value(); }, 30s));
  for (auto& n : c.nodes) {
    if (n && n->id() == victim) n.reset();
  }
  ASSERT_TRUE(WaitFor([&] { return ReadState(raw, "solo", 0)->leader == BrokerId(kNoLeader); },
                      30s));
  EXPECT_EQ(ReadState(raw, "solo", 0)->isr, Ids({victim})) << "ISR must keep its last member";
  // The broker comes back: it is the only eligible leader.
  for (auto& n : c.nodes) {
    if (!n) n = std::make_unique<ZkNode>(victim, c.zk.connect_string());
  }
  EXPECT_TRUE(
      WaitFor([&] { return ReadState(raw, "solo", 0)->leader == BrokerId(victim); }, 30s));
}

TEST(ControllerTest, StaleControllerCannotWritePartitionState) {
  Cluster c(2);
  ASSERT_TRUE(c.zk.ok()) << c.zk.status();
  ASSERT_TRUE(c.Ready());
  ZkNode* ctrl = TheController(c.nodes);
  const int32_t follower = ctrl->id() == 1 ? 2 : 1;
  NewTopic topic{"fenced", -1, -1, {}, {}};
  topic.assignment = {{0, Ids({ctrl->id(), follower})}};
  ASSERT_TRUE(ctrl->CreateTopic(topic)->result.ok());
  SyncZk raw;
  ASSERT_TRUE(raw.Connect(c.zk.connect_string()).ok());
  ASSERT_TRUE(WaitFor([&] { return ReadState(raw, "fenced", 0).has_value(); }, 30s));
  const int32_t old_epoch = ctrl->controller_epoch();

  // Raw check: a write fenced on the old /controller_epoch version fails once the epoch moved.
  ZkRead epoch_node = raw.Get(kControllerEpochPath);
  ASSERT_EQ(raw.Set(kControllerEpochPath, "41", epoch_node.stat.version).err, ZkErrc::kOk);
  int32_t state_version = -1;
  LeaderAndIsr stale = *ReadState(raw, "fenced", 0, &state_version);
  stale.isr = Ids({ctrl->id()});
  ZkMultiResult m = raw.Multi({ZkOp::Check(kControllerEpochPath, epoch_node.stat.version),
                               ZkOp::Set(PartitionStatePath("fenced", 0),
                                         TopicPartitionStateZNode::Encode(stale), state_version)});
  EXPECT_EQ(m.err, ZkErrc::kBadVersion);
  EXPECT_EQ(m.failed_op, 0);

  // The controller itself (still at the old epoch) tries to shrink the ISR when the follower
  // dies: its write is fenced, it resigns, re-elects with epoch 42 and then writes.
  for (auto& n : c.nodes) {
    if (n->id() == follower) n.reset();
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        auto s = ReadState(raw, "fenced", 0);
        return s && s->isr.size() == 1;
      },
      30s));
  auto s = ReadState(raw, "fenced", 0);
  EXPECT_EQ(s->controller_epoch, ControllerEpoch(42)) << "written by the re-elected controller";
  EXPECT_NE(s->controller_epoch.value(), old_epoch);
  EXPECT_TRUE(WaitFor([&] { return ctrl->is_controller() && ctrl->controller_epoch() == 42; },
                      30s));
}

TEST(ControllerTest, DeleteTopicStopsReplicasAndRemovesZnodes) {
  Cluster c(2);
  ASSERT_TRUE(c.zk.ok()) << c.zk.status();
  ASSERT_TRUE(c.Ready());
  ZkNode* ctrl = TheController(c.nodes);
  ASSERT_TRUE(ctrl->CreateTopic(NewTopic{"gone", 2, 2, {}, {}})->result.ok());
  SyncZk raw;
  ASSERT_TRUE(raw.Connect(c.zk.connect_string()).ok());
  ASSERT_TRUE(WaitFor([&] { return ReadState(raw, "gone", 1).has_value(); }, 30s));

  auto unknown = c.nodes[0]->DeleteTopic("never-was");
  EXPECT_EQ(unknown->error, AdminError::kUnknownTopic);
  auto del = c.nodes[0]->DeleteTopic("gone");
  ASSERT_TRUE(del->ok()) << del->status;
  ASSERT_TRUE(WaitFor(
      [&] {
        return raw.Exists(TopicPath("gone")).err == ZkErrc::kNoNode &&
               raw.Exists(ConfigTopicPath("gone")).err == ZkErrc::kNoNode &&
               raw.Exists(DeleteTopicPath("gone")).err == ZkErrc::kNoNode;
      },
      30s))
      << "topic znodes not removed";
  std::set<BrokerId> stopped;
  for (const auto& [to, batch] : ctrl->channel().stop_replica()) {
    if (batch.delete_partitions && batch.partitions.size() == 2) stopped.insert(to);
  }
  EXPECT_EQ(stopped.size(), 2u) << "every replica gets StopReplica(delete=true)";
  EXPECT_TRUE(WaitFor([&] { return !ctrl->partition_state("gone", 0).has_value(); }, 10s));
}

TEST(ControllerTest, IsrChangeNotificationIsReadPropagatedAndDeleted) {
  Cluster c(2);
  ASSERT_TRUE(c.zk.ok()) << c.zk.status();
  ASSERT_TRUE(c.Ready());
  ZkNode* ctrl = TheController(c.nodes);
  NewTopic topic{"isr", -1, -1, {}, {}};
  topic.assignment = {{0, Ids({1, 2})}};
  ASSERT_TRUE(ctrl->CreateTopic(topic)->result.ok());
  SyncZk raw;
  ASSERT_TRUE(raw.Connect(c.zk.connect_string()).ok());
  ASSERT_TRUE(WaitFor([&] { return ReadState(raw, "isr", 0).has_value(); }, 30s));

  // The leader shrinks its ISR itself (classic path) and notifies the controller.
  int32_t version = -1;
  LeaderAndIsr s = *ReadState(raw, "isr", 0, &version);
  s.isr = Ids({1});
  ASSERT_EQ(raw.Set(PartitionStatePath("isr", 0), TopicPartitionStateZNode::Encode(s), version).err,
            ZkErrc::kOk);
  ZkCreated note = raw.Create(kIsrChangePrefix, IsrChangeNotification::Encode({{"isr", 0}}),
                              CreateMode::kPersistentSequential);
  ASSERT_EQ(note.err, ZkErrc::kOk);
  EXPECT_TRUE(WaitFor(
      [&] {
        auto ps = ctrl->partition_state("isr", 0);
        return ps && ps->isr == Ids({1});
      },
      20s))
      << "controller did not re-read the partition";
  EXPECT_TRUE(WaitFor([&] { return raw.Exists(note.path).err == ZkErrc::kNoNode; }, 20s))
      << "notification not deleted";
  EXPECT_TRUE(WaitFor(
      [&] {
        for (const auto& [to, batch] : ctrl->channel().update_metadata()) {
          for (const PartitionState& ps : batch.partitions) {
            if (ps.topic == "isr" && ps.isr == Ids({1})) return true;
          }
        }
        return false;
      },
      10s));
}

TEST(ControllerTest, ControlledShutdownMovesLeadershipAway) {
  Cluster c(2);
  ASSERT_TRUE(c.zk.ok()) << c.zk.status();
  ASSERT_TRUE(c.Ready());
  ZkNode* ctrl = TheController(c.nodes);
  const int32_t leaving = ctrl->id() == 1 ? 2 : 1;
  NewTopic topic{"cs", -1, -1, {}, {}};
  topic.assignment = {{0, Ids({leaving, ctrl->id()})}};
  ASSERT_TRUE(ctrl->CreateTopic(topic)->result.ok());
  NewTopic single{"cs1", -1, -1, {}, {}};
  single.assignment = {{0, Ids({leaving})}};
  ASSERT_TRUE(ctrl->CreateTopic(single)->result.ok());
  SyncZk raw;
  ASSERT_TRUE(raw.Connect(c.zk.connect_string()).ok());
  ASSERT_TRUE(WaitFor([&] { return ReadState(raw, "cs", 0) && ReadState(raw, "cs1", 0); }, 30s));
  ZkNode* leaving_node = nullptr;
  for (auto& n : c.nodes) {
    if (n->id() == leaving) leaving_node = n.get();
  }
  const int64_t epoch = leaving_node->broker_epoch();
  auto result = Await<Result<std::vector<TopicPartition>>>(ctrl->loop(), [&](auto done) {
    ctrl->controller()->ControlledShutdown(BrokerId(leaving), epoch, done);
  });
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->ok()) << result->status();
  // cs1 has a single replica: it stays with the leaving broker but, as in Kafka, is not
  // reported as remaining (it has nowhere to go, so it must not hold the shutdown back).
  EXPECT_TRUE(result->value().empty());
  auto s1 = ReadState(raw, "cs1", 0);
  ASSERT_TRUE(s1.has_value());
  EXPECT_EQ(s1->leader, BrokerId(leaving));
  auto s0 = ReadState(raw, "cs", 0);
  EXPECT_EQ(s0->leader, BrokerId(ctrl->id()));
  EXPECT_EQ(s0->isr, Ids({ctrl->id()}));
  auto stale = Await<Result<std::vector<TopicPartition>>>(ctrl->loop(), [&](auto done) {
    ctrl->controller()->ControlledShutdown(BrokerId(leaving), epoch + 1000, done);
  });
  EXPECT_FALSE(stale->ok());
  // Now the controller's broker shuts down too: "cs" has no replica left that is alive and not
  // shutting down, so nothing is reported as remaining and the broker need not wait.
  const int64_t ctrl_epoch = ctrl->broker_epoch();
  auto last = Await<Result<std::vector<TopicPartition>>>(ctrl->loop(), [&](auto done) {
    ctrl->controller()->ControlledShutdown(BrokerId(ctrl->id()), ctrl_epoch, done);
  });
  ASSERT_TRUE(last.has_value());
  ASSERT_TRUE(last->ok()) << last->status();
  EXPECT_TRUE(last->value().empty());
  EXPECT_EQ(ReadState(raw, "cs", 0)->leader, BrokerId(ctrl->id()));
}

}  // namespace
}  // namespace sluice::coordinator

namespace sluice::coordinator {
namespace {

TEST(ControllerTest, SurvivesLossOfTheZooKeeperLeader) {
  Cluster c(2, /*zk_servers=*/3);
  ASSERT_TRUE(c.zk.ok()) << c.zk.status();
  ASSERT_TRUE(c.Ready());
  int zk_leader = -1;
  for (int i = 0; i < 3; ++i) {
    if (c.zk.Mode(i) == "leader") zk_leader = i;
  }
  ASSERT_GE(zk_leader, 0);
  c.zk.Kill(zk_leader);
  ASSERT_TRUE(c.zk.WaitServing(30s).ok());
  // Sessions move to the surviving servers; there is still exactly one controller, and it still
  // acts on new topics.
  ASSERT_TRUE(WaitFor([&] { return ControllerCount(c.nodes) == 1; }, 30s));
  std::optional<CreatedTopic> created;
  ASSERT_TRUE(WaitFor(
      [&] {
        created = c.nodes[0]->CreateTopic(NewTopic{"after", 1, 2, {}, {}});
        return created && created->result.ok();
      },
      30s));
  SyncZk raw;
  ASSERT_TRUE(raw.Connect(c.zk.connect_string()).ok());
  EXPECT_TRUE(WaitFor([&] { return ReadState(raw, "after", 0).has_value(); }, 30s));
  for (auto& n : c.nodes) EXPECT_TRUE(n->registered());
}

}  // namespace
}  // namespace sluice::coordinator

namespace sluice::coordinator {
namespace {

// Kills `victim`, brings it back and puts it back into the ISR the way its leader would (state
// write + ISR change notification). Returns false on timeout.
bool BounceAndRejoin(Cluster& c, int32_t victim, SyncZk& raw, const std::string& topic,
                     std::chrono::milliseconds rebalance_interval) {
  for (auto& n : c.nodes) {
    if (n->id() == victim) n.reset();
  }
  if (!WaitFor([&] { return ReadState(raw, topic, 0)->leader != BrokerId(victim); }, 30s)) {
    return false;
  }
  for (auto& n : c.nodes) {
    if (!n) n = std::make_unique<ZkNode>(victim, c.zk.connect_string(), 4000ms, true,
                                         rebalance_interval);
  }
  int32_t version = -1;
  LeaderAndIsr s = *ReadState(raw, topic, 0, &version);
  s.isr.push_back(BrokerId(victim));
  if (raw.Set(PartitionStatePath(topic, 0), TopicPartitionStateZNode::Encode(s), version).err !=
      ZkErrc::kOk) {
    return false;
  }
  return raw.Create(kIsrChangePrefix, IsrChangeNotification::Encode({{topic, 0}}),
                    CreateMode::kPersistentSequential)
             .err == ZkErrc::kOk;
}

TEST(ControllerTest, PreferredLeaderElectionMovesLeadershipBack) {
  Cluster c(2);
  ASSERT_TRUE(c.zk.ok()) << c.zk.status();
  ASSERT_TRUE(c.Ready());
  ZkNode* ctrl = TheController(c.nodes);
  const int32_t victim = ctrl->id() == 1 ? 2 : 1;
  NewTopic topic{"pref", -1, -1, {}, {}};
  topic.assignment = {{0, Ids({victim, ctrl->id()})}};
  ASSERT_TRUE(ctrl->CreateTopic(topic)->result.ok());
  SyncZk raw;
  ASSERT_TRUE(raw.Connect(c.zk.connect_string()).ok());
  ASSERT_TRUE(WaitFor([&] { return ReadState(raw, "pref", 0).has_value(); }, 30s));
  ASSERT_TRUE(BounceAndRejoin(c, victim, raw, "pref", std::chrono::minutes(5)));
  // Wait until the controller sees the victim alive again and back in the ISR.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto ps = ctrl->partition_state("pref", 0);
        auto live = ctrl->OnLoop<std::vector<BrokerId>>(
            [&] { return ctrl->controller()->live_brokers(); });
        return ps && ps->isr.size() == 2 && live.size() == 2;
      },
      20s));
  using Results = std::map<TopicPartition, AdminResult>;
  auto r = Await<Results>(ctrl->loop(), [&](auto done) {
    ctrl->controller()->ElectPreferredLeaders({{"pref", 0}, {"nope", 0}}, done);
  });
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->at({"pref", 0}).ok()) << r->at({"pref", 0}).status;
  EXPECT_EQ(r->at({"nope", 0}).error, AdminError::kUnknownTopic);
  auto s = ReadState(raw, "pref", 0);
  EXPECT_EQ(s->leader, BrokerId(victim));
  EXPECT_EQ(s->leader_epoch, LeaderEpoch(2));
  auto again = Await<Results>(ctrl->loop(), [&](auto done) {
    ctrl->controller()->ElectPreferredLeaders({{"pref", 0}}, done);
  });
  EXPECT_EQ(again->at({"pref", 0}).error, AdminError::kElectionNotNeeded);
}

TEST(ControllerTest, AutoLeaderRebalanceRestoresPreferredLeaders) {
  Cluster c(2, 1, /*rebalance_interval=*/500ms);
  ASSERT_TRUE(c.zk.ok()) << c.zk.status();
  ASSERT_TRUE(c.Ready());
  ZkNode* ctrl = TheController(c.nodes);
  const int32_t victim = ctrl->id() == 1 ? 2 : 1;
  NewTopic topic{"auto", -1, -1, {}, {}};
  topic.assignment = {{0, Ids({victim, ctrl->id()})}};
  ASSERT_TRUE(ctrl->CreateTopic(topic)->result.ok());
  SyncZk raw;
  ASSERT_TRUE(raw.Connect(c.zk.connect_string()).ok());
  ASSERT_TRUE(WaitFor([&] { return ReadState(raw, "auto", 0).has_value(); }, 30s));
  ASSERT_TRUE(BounceAndRejoin(c, victim, raw, "auto", 500ms));
  // Nobody asks: the controller's periodic imbalance check moves leadership back.
  EXPECT_TRUE(WaitFor([&] { return ReadState(raw, "auto", 0)->leader == BrokerId(victim); }, 30s))
      << "auto rebalance did not restore the preferred leader";
}

}  // namespace
}  // namespace sluice::coordinator
