// What an operator sees with Debian's zkCli.sh: Kafka's znode JSON for the broker registration,
// the topic assignment, the partition state and the controller.

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/cluster/cluster_env.h"
#include "tests/support/test_util.h"

#ifndef ZKCLI_PATH
#define ZKCLI_PATH "/usr/share/zookeeper/bin/zkCli.sh"
#endif

namespace sluice::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// `zkCli.sh -server <connect> get <path>`: the JSON line of its output.
Result<json> ZkGet(const std::string& connect, const std::string& path) {
  Result<CommandOutput> out = RunCommand("timeout -s KILL 60 " + std::string(ZKCLI_PATH) +
                                         " -server " + connect + " get " + path + " 2>&1");
  if (!out.ok()) return out.status();
  std::istringstream lines(out->output);
  std::string line, last_json;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.front() == '{') last_json = line;
  }
  if (last_json.empty()) {
    return Status::NotFound("no JSON from zkCli get " + path + ":\n" + out->output);
  }
  json j = json::parse(last_json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption("not JSON: " + last_json);
  return j;
}

TEST(ZkLayout, ZkCliShowsKafkaJsonForBrokerTopicAndPartitionState) {
  SingleBrokerCluster cluster;
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  const std::string connect = cluster.zk().connect_string();
  const int port = cluster.broker().port();
  CLUSTER_ASSERT_OK(CreateTopic(cluster.bootstrap(), "zk-visible", 2, 1, seconds(30)));

  Result<json> broker = ZkGet(connect, "/brokers/ids/1");
  ASSERT_TRUE(broker.ok()) << broker.status();
  const json& b = broker.value();
  SCOPED_TRACE(b.dump());
  EXPECT_EQ(b.value("host", ""), "127.0.0.1");
  EXPECT_EQ(b.value("port", -1), port);
  ASSERT_TRUE(b.contains("endpoints") && b["endpoints"].is_array());
  ASSERT_EQ(b["endpoints"].size(), 1u);
  EXPECT_EQ(b["endpoints"][0], "PLAINTEXT://127.0.0.1:" + std::to_string(port));
  EXPECT_TRUE(b.contains("version") && b["version"].is_number_integer());
  EXPECT_TRUE(b.contains("timestamp") && b["timestamp"].is_string());  // Kafka: ms as a string
  EXPECT_EQ(b.value("jmx_port", 0), -1);
  ASSERT_TRUE(b.contains("listener_security_protocol_map"));
  EXPECT_EQ(b["listener_security_protocol_map"].value("PLAINTEXT", ""), "PLAINTEXT");

  Result<json> topic = ZkGet(connect, "/brokers/topics/zk-visible");
  ASSERT_TRUE(topic.ok()) << topic.status();
  SCOPED_TRACE(topic->dump());
  ASSERT_TRUE(topic->contains("partitions"));
  EXPECT_EQ((*topic)["partitions"], json::parse(R"({"0":[1],"1":[1]})"));

  Result<json> state = ZkGet(connect, "/brokers/topics/zk-visible/partitions/0/state");
  ASSERT_TRUE(state.ok()) << state.status();
  const json& s = state.value();
  SCOPED_TRACE(s.dump());
  ASSERT_TRUE(s.contains("controller_epoch") && s["controller_epoch"].is_number_integer());
  EXPECT_GE(s["controller_epoch"].get<int>(), 1);
  EXPECT_EQ(s.value("leader", -1), 1);
  ASSERT_TRUE(s.contains("leader_epoch") && s["leader_epoch"].is_number_integer());
  EXPECT_GE(s["leader_epoch"].get<int>(), 0);
  EXPECT_EQ(s.value("isr", json::array()), json::parse("[1]"));
  EXPECT_EQ(s.value("version", 0), 1);

  Result<json> controller = ZkGet(connect, "/controller");
  ASSERT_TRUE(controller.ok()) << controller.status();
  EXPECT_EQ(controller->value("brokerid", -1), 1) << controller->dump();
}

}  // namespace
}  // namespace sluice::testing
