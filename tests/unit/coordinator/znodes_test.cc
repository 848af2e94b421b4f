// Znode codecs against Kafka's exact JSON (kafka-protocol/README.md §5) and round trips.
#include "coordinator/znodes.h"

#include <gtest/gtest.h>

#include <set>

namespace sluice::coordinator {
namespace {

std::vector<BrokerId> Ids(std::initializer_list<int32_t> v) {
  std::vector<BrokerId> out;
  for (int32_t i : v) out.push_back(BrokerId(i));
  return out;
}

TEST(ZnodePaths, MatchKafkaLayout) {
  EXPECT_EQ(BrokerIdPath(BrokerId(3)), "/brokers/ids/3");
  EXPECT_EQ(TopicPath("orders"), "/brokers/topics/orders");
  EXPECT_EQ(PartitionStatePath("orders", 2), "/brokers/topics/orders/partitions/2/state");
  EXPECT_EQ(ConfigTopicPath("orders"), "/config/topics/orders");
  EXPECT_EQ(DeleteTopicPath("orders"), "/admin/delete_topics/orders");
  std::set<std::string> persistent(PersistentPaths().begin(), PersistentPaths().end());
  for (const char* p : {"/consumers", "/brokers/ids", "/brokers/topics", "/brokers/seqid",
                        "/config/changes", "/config/topics", "/config/clients", "/config/users",
                        "/config/brokers", "/config/ips", "/admin/delete_topics",
                        "/isr_change_notification", "/latest_producer_id_block",
                        "/log_dir_event_notification"}) {
    EXPECT_TRUE(persistent.contains(p)) << p;
  }
}

TEST(RandomKafkaId, Is22UrlSafeCharsNotStartingWithDash) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string id = RandomKafkaId();
    ASSERT_EQ(id.size(), 22u);
    EXPECT_NE(id[0], '-');
    for (char c : id) {
      EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << id;
    }
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(ClusterIdZNode, KafkaJsonWithStringVersion) {
  EXPECT_EQ(ClusterIdZNode::Encode("Q2x1c3Rlcklk0123456789"),
            R"({"version":"1","id":"Q2x1c3Rlcklk0123456789"})");
  auto id = ClusterIdZNode::Decode(R"({"id":"abc","version":"1"})");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "abc");
  EXPECT_FALSE(ClusterIdZNode::Decode(R"({"version":"1"})").ok());
  EXPECT_FALSE(ClusterIdZNode::Decode("garbage").ok());
}

TEST(BrokerIdZNode, EncodesKafkaRegistrationV5) {
  BrokerInfo info;
  info.id = BrokerId(1);
  info.endpoints = {EndPoint{"PLAINTEXT", "h", 9092, "PLAINTEXT"}};
  info.rack = "r";
  info.timestamp_ms = 1700000000000;
  EXPECT_EQ(BrokerIdZNode::Encode(info),
            R"({"version":5,"host":"h","port":9092,"jmx_port":-1,"timestamp":"1700000000000",)"
            R"("endpoints":["PLAINTEXT://h:9092"],"listener_security_protocol_map":)"
            R"({"PLAINTEXT":"PLAINTEXT"},"rack":"r","features":{}})");
}

TEST(BrokerIdZNode, DecodesKafka35RegistrationWithFeatures) {
  const char* kafka =
      R"({"features":{"metadata.version":{"min_version":1,"max_version":11}},)"
      R"("listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},)"
      R"("endpoints":["PLAINTEXT://h:9092"],"jmx_port":-1,"port":9092,"host":"h",)"
      R"("version":5,"timestamp":"1700000000000"})";
  auto info = BrokerIdZNode::Decode(BrokerId(7), kafka);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->id, BrokerId(7));
  ASSERT_EQ(info->endpoints.size(), 1u);
  EXPECT_EQ(info->endpoints[0], (EndPoint{"PLAINTEXT", "h", 9092, "PLAINTEXT"}));
  EXPECT_EQ(info->timestamp_ms, 1700000000000);
  EXPECT_FALSE(info->rack.has_value());
}

TEST(BrokerIdZNode, RoundTripsAndRejectsBadEndpoints) {
  BrokerInfo info;
  info.id = BrokerId(2);
  info.endpoints = {EndPoint{"INTERNAL", "10.0.0.1", 19092, "PLAINTEXT"},
                    EndPoint{"V6", "::1", 9093, "PLAINTEXT"}};
  info.timestamp_ms = 5;
  auto back = BrokerIdZNode::Decode(BrokerId(2), BrokerIdZNode::Encode(info));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, info);
  EXPECT_FALSE(BrokerIdZNode::Decode(BrokerId(1), R"({"endpoints":["nohost"]})").ok());
  EXPECT_FALSE(BrokerIdZNode::Decode(BrokerId(1), R"({"endpoints":["P://h:99999"]})").ok());
  EXPECT_FALSE(BrokerIdZNode::Decode(BrokerId(1), "[1,2]").ok());
}

TEST(TopicZNode, KafkaJsonRoundTrip) {
  const std::string kafka =
      R"({"version":3,"partitions":{"0":[1,2,3],"1":[2,3,1]},"adding_replicas":{},)"
      R"("removing_replicas":{},"topic_id":"AAAAAAAAAAAAAAAAAAAAAA"})";
  auto a = TopicZNode::Decode(kafka);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->partitions.at(0), Ids({1, 2, 3}));
  EXPECT_EQ(a->partitions.at(1), Ids({2, 3, 1}));
  EXPECT_EQ(a->topic_id, "AAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(TopicZNode::Encode(*a), kafka);
}

TEST(TopicZNode, ToleratesOldVersionsAndRejectsBadPartitions) {
  auto v1 = TopicZNode::Decode(R"({"version":1,"partitions":{"0":[1]}})");
  ASSERT_TRUE(v1.ok());
  EXPECT_TRUE(v1->topic_id.empty());
  EXPECT_FALSE(TopicZNode::Decode(R"({"version":3})").ok());
  EXPECT_FALSE(TopicZNode::Decode(R"({"partitions":{"x":[1]}})").ok());
  EXPECT_FALSE(TopicZNode::Decode(R"({"partitions":{"0":["a"]}})").ok());
  EXPECT_FALSE(TopicZNode::Decode(R"({"partitions":{"-1":[1]}})").ok());
}

TEST(TopicPartitionStateZNode, KafkaJsonRoundTrip) {
  const std::string kafka =
      R"({"controller_epoch":7,"leader":1,"version":1,"leader_epoch":4,"isr":[1,2,3]})";
  auto s = TopicPartitionStateZNode::Decode(kafka);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->controller_epoch, ControllerEpoch(7));
  EXPECT_EQ(s->leader, BrokerId(1));
  EXPECT_EQ(s->leader_epoch, LeaderEpoch(4));
  EXPECT_EQ(s->isr, Ids({1, 2, 3}));
  EXPECT_EQ(TopicPartitionStateZNode::Encode(*s), kafka);
  LeaderAndIsr recovering = *s;
  recovering.leader_recovery_state = 1;
  auto back = TopicPartitionStateZNode::Decode(TopicPartitionStateZNode::Encode(recovering));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->leader_recovery_state, 1);
  EXPECT_FALSE(TopicPartitionStateZNode::Decode(R"({"leader":1,"isr":[1]})").ok());
}

TEST(ControllerZNode, KafkaV2AndV1) {
  EXPECT_EQ(ControllerZNode::Encode(BrokerId(1), 1234),
            R"({"version":2,"brokerid":1,"timestamp":"1234","kraftControllerEpoch":-1})");
  auto v1 = ControllerZNode::Decode(R"({"version":1,"brokerid":3,"timestamp":"1"})");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(*v1, BrokerId(3));
  EXPECT_FALSE(ControllerZNode::Decode(R"({"version":2})").ok());
}

TEST(ControllerEpochZNode, PlainDecimal) {
  EXPECT_EQ(ControllerEpochZNode::Encode(ControllerEpoch(7)), "7");
  auto e = ControllerEpochZNode::Decode("7");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, ControllerEpoch(7));
  EXPECT_FALSE(ControllerEpochZNode::Decode("").ok());
  EXPECT_FALSE(ControllerEpochZNode::Decode("7x").ok());
  EXPECT_FALSE(ControllerEpochZNode::Decode("-1").ok());
}

TEST(ConfigEntityZNode, StringValues) {
  ConfigMap c{{"cleanup.policy", "compact"}, {"retention.ms", "86400000"}};
  EXPECT_EQ(ConfigEntityZNode::Encode(c),
            R"({"version":1,"config":{"cleanup.policy":"compact","retention.ms":"86400000"}})");
  auto back = ConfigEntityZNode::Decode(
      R"({"version":1,"config":{"retention.ms":"86400000","cleanup.policy":"compact"}})");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, c);
  EXPECT_EQ(ConfigEntityZNode::Encode({}), R"({"version":1,"config":{}})");
  EXPECT_TRUE(ConfigEntityZNode::Decode("")->empty());
  EXPECT_FALSE(ConfigEntityZNode::Decode(R"({"config":{"a":[1]}})").ok());
}

TEST(ConfigChangeNotification, EntityPath) {
  EXPECT_EQ(ConfigChangeNotification::Encode("topics/orders"),
            R"({"version":2,"entity_path":"topics/orders"})");
  EXPECT_EQ(*ConfigChangeNotification::Decode(R"({"entity_path":"brokers/1","version":2})"),
            "brokers/1");
}

TEST(IsrChangeNotification, PartitionList) {
  std::vector<TopicPartition> tps{{"t", 0}, {"u", 3}};
  const std::string kafka =
      R"({"version":1,"partitions":[{"topic":"t","partition":0},{"topic":"u","partition":3}]})";
  EXPECT_EQ(IsrChangeNotification::Encode(tps), kafka);
  EXPECT_EQ(*IsrChangeNotification::Decode(kafka), tps);
  EXPECT_FALSE(IsrChangeNotification::Decode(R"({"partitions":[{"topic":"t"}]})").ok());
}

TEST(ReassignPartitionsZNode, RoundTrip) {
  std::vector<PartitionReassignment> r{{{"t", 0}, Ids({1, 2, 3})}};
  const std::string kafka =
      R"({"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}]})";
  EXPECT_EQ(ReassignPartitionsZNode::Encode(r), kafka);
  EXPECT_EQ(*ReassignPartitionsZNode::Decode(kafka), r);
}

}  // namespace
}  // namespace sluice::coordinator
