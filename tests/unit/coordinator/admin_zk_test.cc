// Admin config changes, ConfigWatcher and IsrWriter against a real ZooKeeper (label cluster).
#include <gtest/gtest.h>

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
