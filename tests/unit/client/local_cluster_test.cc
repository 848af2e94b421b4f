#include "client/local_cluster.h"

#include <gtest/gtest.h>

namespace sluice::client {
namespace {

ClusterLayout ThreeByThree() {
  ClusterLayout l;
  l.dir = "/tmp/c";
  l.java = "/usr/bin/java";
  l.zk_classpath = "/usr/share/java/zookeeper.jar";
  l.sluiced = "/opt/sluiced";
  l.zookeepers = {{1, 2181, 2888, 3888}, {2, 2182, 2889, 3889}, {3, 2183, 2890, 3890}};
  l.brokers = {{1, 9092, 8081}, {2, 9093, 8082}, {3, 9094, 8083}};
  return l;
}

TEST(ClusterLayout, ConnectStringsAndDashboard) {
  ClusterLayout l = ThreeByThree();
  EXPECT_EQ(l.ZkConnect(), "127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183");
  EXPECT_EQ(l.Bootstrap(), "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094");
  EXPECT_EQ(l.DashboardUrl(), "http://127.0.0.1:8081/");
  EXPECT_EQ(l.BrokerPidFile(2), "/tmp/c/pids/broker2.pid");
}

TEST(ClusterLayout, JsonRoundTrip) {
  ClusterLayout l = ThreeByThree();
  Result<ClusterLayout> back = ClusterLayout::FromJson(l.ToJson());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->ToJson(), l.ToJson());
  EXPECT_FALSE(ClusterLayout::FromJson(nlohmann::json{{"dir", 1}}).ok());
}

TEST(ZooCfg, EnsembleListsEveryServer) {
  ClusterLayout l = ThreeByThree();
  std::string cfg = ZooCfg(l, l.zookeepers[1]);
  EXPECT_NE(cfg.find("clientPort=2182\n"), std::string::npos);
  EXPECT_NE(cfg.find("dataDir=/tmp/c/zk2/data\n"), std::string::npos);
  EXPECT_NE(cfg.find("server.1=127.0.0.1:2888:3888\n"), std::string::npos);
  EXPECT_NE(cfg.find("server.3=127.0.0.1:2890:3890\n"), std::string::npos);
  EXPECT_NE(cfg.find("4lw.commands.whitelist=*"), std::string::npos);
}

TEST(ZooCfg, StandaloneHasNoServerLines) {
  ClusterLayout l = ThreeByThree();
  l.zookeepers.resize(1);
  EXPECT_EQ(ZooCfg(l, l.zookeepers[0]).find("server."), std::string::npos);
}

TEST(ServerProperties, KafkaNamesAndPorts) {
  ClusterLayout l = ThreeByThree();
  std::string p = ServerProperties(l, l.brokers[2]);
  EXPECT_NE(p.find("broker.id=3\n"), std::string::npos);
  EXPECT_NE(p.find("listeners=PLAINTEXT://127.0.0.1:9094\n"), std::string::npos);
  EXPECT_NE(p.find("http.listener=127.0.0.1:8083\n"), std::string::npos);
  EXPECT_NE(p.find("log.dirs=/tmp/c/broker3/data\n"), std::string::npos);
  EXPECT_NE(p.find("zookeeper.connect=" + l.ZkConnect() + "\n"), std::string::npos);
  EXPECT_NE(p.find("default.replication.factor=3\n"), std::string::npos);
}

}  // namespace
}  // namespace sluice::client
