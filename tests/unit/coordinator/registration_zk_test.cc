// BrokerRegistration against a real ZooKeeper (label cluster).
#include "coordinator/broker_registration.h"

#include <gtest/gtest.h>

#include "coordinator/sync_zk.h"
#include "tests/support/zk_ensemble.h"
#include "tests/unit/coordinator/zk_node.h"

namespace sluice::coordinator {
namespace {

using namespace std::chrono_literals;
using testing::WaitFor;
using testing::ZkEnsemble;

TEST(BrokerRegistrationTest, RegistersKafkaJsonReadableByZkCli) {
  ZkEnsemble zk(1);
  ASSERT_TRUE(zk.ok()) << zk.status();
  ZkNode node(1, zk.connect_string() + "/kafka", 6000ms, /*with_controller=*/false);
  ASSERT_TRUE(WaitFor([&] { return node.registered(); }, 30s)) << "not registered";

  SyncZk raw;
  ASSERT_TRUE(raw.Connect(zk.connect_string() + "/kafka").ok());
  for (const std::string& p : PersistentPaths()) {
    EXPECT_EQ(raw.Exists(p).err, ZkErrc::kOk) << p;
  }
  ZkRead cluster = raw.Get(kClusterIdPath);
  ASSERT_EQ(cluster.err, ZkErrc::kOk);
  auto cluster_id = ClusterIdZNode::Decode(cluster.data);
  ASSERT_TRUE(cluster_id.ok());
  EXPECT_EQ(cluster_id->size(), 22u);

  ZkRead reg = raw.Get("/brokers/ids/1");
  ASSERT_EQ(reg.err, ZkErrc::kOk);
  EXPECT_EQ(reg.stat.ephemeral_owner, node.session_id());
  EXPECT_EQ(node.broker_epoch(), reg.stat.czxid) << "broker epoch must be the node's czxid";
  ASSERT_FALSE(node.registrations().empty());
  EXPECT_EQ(node.registrations().back().cluster_id, *cluster_id);

  // The real zkCli.sh sees Kafka's registration JSON.
  auto out = testing::RunCommand("/usr/share/zookeeper/bin/zkCli.sh -server " +
                                 zk.connect_string() + " get /kafka/brokers/ids/1");
  ASSERT_TRUE(out.ok());
  const std::string& text = out->output;
  EXPECT_NE(text.find(R"("version":5)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("host":"127.0.0.1")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("port":9091)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("endpoints":["PLAINTEXT://127.0.0.1:9091"])"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"("listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"})"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"("jmx_port":-1)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("timestamp":")"), std::string::npos) << text;
}

TEST(BrokerRegistrationTest, WaitsOutOldSessionsNodeThenRegisters) {
  ZkEnsemble zk(1);
  ASSERT_TRUE(zk.ok()) << zk.status();
  // The "old incarnation": another session holds /brokers/ids/1.
  SyncZk old;
  ASSERT_TRUE(old.Connect(zk.connect_string()).ok());
  ASSERT_EQ(old.EnsurePath("/brokers/ids"), ZkErrc::kOk);
  ZkCreated held = old.Create("/brokers/ids/1", BrokerIdZNode::Encode(TestBrokerInfo(1)),
                              CreateMode::kEphemeral);
  ASSERT_EQ(held.err, ZkErrc::kOk);

  ZkNode node(1, zk.connect_string(), 6000ms, /*with_controller=*/false);
  ASSERT_TRUE(WaitFor([&] { return node.waiting(); }, 30s)) << "did not notice the old node";
  EXPECT_FALSE(node.registered());

  old.Close();  // the old session ends: ZooKeeper deletes its ephemeral node
  ASSERT_TRUE(WaitFor([&] { return node.registered(); }, 30s)) << "did not register after";
  EXPECT_NE(node.broker_epoch(), held.stat.czxid);
  SyncZk check;
  ASSERT_TRUE(check.Connect(zk.connect_string()).ok());
  EXPECT_EQ(check.Get("/brokers/ids/1").stat.ephemeral_owner, node.session_id());
}

TEST(BrokerRegistrationTest, ReRegistersWithNewEpochAfterSessionExpiry) {
  ZkEnsemble zk(1);
  ASSERT_TRUE(zk.ok()) << zk.status();
  ZkNode node(1, zk.connect_string(), 2000ms, /*with_controller=*/false);
  ASSERT_TRUE(WaitFor([&] { return node.registered(); }, 30s));
  const int64_t first_epoch = node.broker_epoch();
  const int64_t first_session = node.session_id();

  // Freeze the server longer than the session timeout: the client gives the session up, and
  // once the server runs again it expires the old session and deletes its node.
  zk.Pause(0);
  ASSERT_TRUE(WaitFor([&] { return !node.registered(); }, 20s)) << "expiry not noticed";
  zk.Resume(0);
  ASSERT_TRUE(WaitFor([&] { return node.registered(); }, 60s)) << "no re-registration";
  EXPECT_NE(node.session_id(), first_session);
  EXPECT_GT(node.broker_epoch(), first_epoch);
  EXPECT_GE(node.registrations().size(), 2u);
}

TEST(BrokerRegistrationTest, ZooKeeperDownAtStartRetriesThenRegisters) {
  ZkEnsemble zk(1);
  ASSERT_TRUE(zk.ok()) << zk.status();
  zk.Stop(0);
  ZkNode node(1, zk.connect_string(), 6000ms, /*with_controller=*/false);
  EXPECT_FALSE(WaitFor([&] { return node.registered(); }, 2500ms));
  ASSERT_TRUE(zk.Start(0).ok());
  EXPECT_TRUE(WaitFor([&] { return node.registered(); }, 60s)) << "no registration after ZK up";
}

}  // namespace
}  // namespace sluice::coordinator
