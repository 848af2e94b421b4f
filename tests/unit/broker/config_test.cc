#include "broker/config.h"

#include <gtest/gtest.h>

namespace sluice::broker {
namespace {

const char* kMinimal = "broker.id=1\nzookeeper.connect=127.0.0.1:2181\n";

TEST(ConfigParse, CommentsSeparatorsAndTrimming) {
  auto kv = ParseProperties(
      "# comment\n! also comment\n  a.b = 1 \nc.d: two words \ne.f=x=y\n\ng.h\ni.j  k\n");
  ASSERT_TRUE(kv.ok()) << kv.status();
  EXPECT_EQ(kv.value().at("a.b"), "1");
  EXPECT_EQ(kv.value().at("c.d"), "two words");
  EXPECT_EQ(kv.value().at("e.f"), "x=y");
  EXPECT_EQ(kv.value().at("g.h"), "");
  EXPECT_EQ(kv.value().at("i.j"), "k");
  EXPECT_EQ(kv.value().count("# comment"), 0u);
}

TEST(ConfigParse, DefaultsMatchKafka) {
  auto c = Config::Parse(kMinimal, {});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->broker_id, 1);
  EXPECT_EQ(c->zookeeper_session_timeout_ms, 6000);
  EXPECT_EQ(c->num_partitions, 1);
  EXPECT_EQ(c->default_replication_factor, 1);
  EXPECT_EQ(c->min_insync_replicas, 1);
  EXPECT_FALSE(c->unclean_leader_election_enable);
  EXPECT_TRUE(c->auto_create_topics_enable);
  EXPECT_EQ(c->log_segment_bytes, 1073741824);
  EXPECT_EQ(c->log_retention_ms, 168LL * 3600 * 1000);
  EXPECT_EQ(c->log_retention_bytes, -1);
  EXPECT_EQ(c->message_max_bytes, 1048588);
  EXPECT_EQ(c->socket_request_max_bytes, 104857600);
  EXPECT_EQ(c->replica_lag_time_max_ms, 30000);
  EXPECT_EQ(c->offsets_topic_num_partitions, 50);
  EXPECT_EQ(c->offsets_topic_replication_factor, 3);
  EXPECT_FALSE(c->http_listener.has_value());
}

TEST(ConfigParse, ListenersAndAdvertisedDefault) {
  auto c = Config::Parse(std::string(kMinimal) + "listeners=PLAINTEXT://127.0.0.1:0\n", {});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->listener.host, "127.0.0.1");
  EXPECT_EQ(c->listener.port, 0);
  EXPECT_EQ(c->advertised_listener.host, "127.0.0.1");
  EXPECT_FALSE(c->advertised_explicit);
  auto c2 = Config::Parse(std::string(kMinimal) +
                              "listeners=PLAINTEXT://0.0.0.0:9092\n"
                              "advertised.listeners=PLAINTEXT://broker1:19092\n",
                          {});
  ASSERT_TRUE(c2.ok()) << c2.status();
  EXPECT_EQ(c2->advertised_listener.host, "broker1");
  EXPECT_EQ(c2->advertised_listener.port, 19092);
  EXPECT_TRUE(c2->advertised_explicit);
}

TEST(ConfigParse, OverrideWinsOverFile) {
  auto c = Config::Parse(std::string(kMinimal) + "num.partitions=3\n",
                         {"--config", "x", "--override", "num.partitions=7", "--override=broker.id=4"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->num_partitions, 7);
  EXPECT_EQ(c->broker_id, 4);
}

TEST(ConfigParse, LogDirsCommaListAndLogDirAlias) {
  auto c = Config::Parse(std::string(kMinimal) + "log.dirs=/a, /b\n", {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->log_dirs, (std::vector<std::string>{"/a", "/b"}));
  auto c2 = Config::Parse(std::string(kMinimal) + "log.dir=/c\n", {});
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(c2->log_dirs, (std::vector<std::string>{"/c"}));
}

TEST(ConfigParse, RetentionPrecedenceMsOverMinutesOverHours) {
  auto c = Config::Parse(std::string(kMinimal) + "log.retention.hours=1\nlog.retention.minutes=2\n", {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->log_retention_ms, 2 * 60 * 1000);
  auto c2 = Config::Parse(std::string(kMinimal) + "log.retention.hours=1\nlog.retention.ms=5\n", {});
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(c2->log_retention_ms, 5);
}

TEST(ConfigParse, ChrootAndHttpListener) {
  auto c = Config::Parse(
      "broker.id=0\nzookeeper.connect=h1:2181,h2:2181/sluice\nhttp.listener=127.0.0.1:0\n", {});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->zookeeper_connect, "h1:2181,h2:2181/sluice");
  ASSERT_TRUE(c->http_listener.has_value());
  EXPECT_EQ(c->http_listener->host, "127.0.0.1");
}

struct BadCase {
  std::string extra;
  std::string key_in_message;
};

TEST(ConfigValidate, BadValuesNameKeyAndValue) {
  std::vector<BadCase> cases = {
      {"broker.id=-1\n", "broker.id"},
      {"num.partitions=abc\n", "num.partitions"},
      {"num.partitions=0\n", "num.partitions"},
      {"unclean.leader.election.enable=yes\n", "unclean.leader.election.enable"},
      {"listeners=127.0.0.1:9092\n", "listeners"},
      {"listeners=PLAINTEXT://127.0.0.1:70000\n", "listeners"},
      {"listeners=SSL://127.0.0.1:9093\n", "listeners"},
      {"message.max.bytes=12x\n", "message.max.bytes"},
      {"http.listener=nohostport\n", "http.listener"},
  };
  for (const auto& bc : cases) {
    auto c = Config::Parse(std::string(kMinimal) + bc.extra, {});
    ASSERT_FALSE(c.ok()) << bc.extra;
    EXPECT_EQ(c.status().code(), Errc::kInvalidArgument);
    EXPECT_NE(c.status().message().find(bc.key_in_message), std::string::npos)
        << c.status().message();
  }
}

TEST(ConfigValidate, RequiredKeys) {
  auto no_zk = Config::Parse("broker.id=1\n", {});
  ASSERT_FALSE(no_zk.ok());
  EXPECT_NE(no_zk.status().message().find("zookeeper.connect"), std::string::npos);
  auto no_id = Config::Parse("zookeeper.connect=a:1\n", {});
  ASSERT_FALSE(no_id.ok());
  EXPECT_NE(no_id.status().message().find("broker.id"), std::string::npos);
}

TEST(ConfigValidate, UnknownKeyIsOnlyAWarning) {
  auto c = Config::Parse(std::string(kMinimal) + "no.such.key=1\n", {});
  EXPECT_TRUE(c.ok());
}

TEST(ConfigValidate, BadOverrideSyntax) {
  auto c = Config::Parse(kMinimal, {"--override", "novalue"});
  EXPECT_FALSE(c.ok());
  auto c2 = Config::Parse(kMinimal, {"--override"});
  EXPECT_FALSE(c2.ok());
}

TEST(ConfigLoad, MissingFileIsAnError) {
  auto c = Config::Load("/nonexistent/server.properties", {});
  EXPECT_FALSE(c.ok());
}

}  // namespace
}  // namespace sluice::broker
