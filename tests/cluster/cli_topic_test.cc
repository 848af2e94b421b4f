// `sluice topic ...`, produce/consume, perf and bad input against a real 1-broker cluster.
#include <nlohmann/json.hpp>

#include "tests/cluster/cli_harness_test.h"

namespace sluice::testing {
namespace {

using nlohmann::json;

class CliAgainstOneBroker : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new CliCluster(1, 1);
    ASSERT_EQ(cluster_->up().code, 0) << cluster_->up();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(cluster_ != nullptr && cluster_->up().code == 0) << "the 1-broker cluster did not come up";
  }
  static CliRun Sluice(std::vector<std::string> args, const std::string& in = "") {
    return cluster_->Run(std::move(args), in);
  }
  static json Json(const CliRun& r) {
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "stdout is not one JSON document:\n" << r;
    return j;
  }
  static bool Listed(const std::string& topic) {
    json j = Json(Sluice({"topic", "list", "--json"}));
    for (const json& t : j["topics"]) {
      if (t["name"] == topic) return true;
    }
    return false;
  }
  static CliCluster* cluster_;
};
CliCluster* CliAgainstOneBroker::cluster_ = nullptr;

TEST_F(CliAgainstOneBroker, TopicCreateDescribeAlterDelete) {
  CliRun create = Sluice({"topic", "create", "orders", "--partitions", "3",
                          "--replication-factor", "1", "--config", "retention.ms=86400000"});
  ASSERT_EQ(create.code, 0) << create;
  EXPECT_TRUE(Listed("orders"));

  CliRun describe = Sluice({"topic", "describe", "orders", "--json"});
  ASSERT_EQ(describe.code, 0) << describe;
  json d = Json(describe);
  ASSERT_EQ(d["partitions"].size(), 3u) << d.dump(2);
  for (int p = 0; p < 3; ++p) {
    const json& part = d["partitions"][p];
    EXPECT_EQ(part["partition"], p);
    EXPECT_EQ(part["leader"], 1);
    EXPECT_EQ(part["replicas"], json::array({1}));
    EXPECT_EQ(part["isr"], json::array({1}));
    EXPECT_EQ(part["high_watermark"], 0);
  }

  json before = Json(Sluice({"topic", "describe", "orders", "--json"}));
  EXPECT_EQ(before["configs"], json({{"retention.ms", "86400000"}})) << before.dump(2);
  CliRun alter = Sluice({"topic", "alter-config", "orders", "--config", "retention.ms=3600000"});
  ASSERT_EQ(alter.code, 0) << alter;
  json after = Json(Sluice({"topic", "describe", "orders", "--json"}));
  EXPECT_EQ(after["configs"], json({{"retention.ms", "3600000"}})) << after.dump(2);

  CliRun del = Sluice({"topic", "delete", "orders"});
  ASSERT_EQ(del.code, 0) << del;
  EXPECT_TRUE(WaitFor([] { return !Listed("orders"); }, std::chrono::seconds(30)))
      << "orders still listed after delete";
}

TEST_F(CliAgainstOneBroker, ProduceThenConsumeWithKeysHeadersAndFormat) {
  ASSERT_EQ(Sluice({"topic", "create", "lines", "--partitions", "1"}).code, 0);
  CliRun produce = Sluice({"produce", "lines", "--key-separator", ":", "--header", "src=test",
                           "--json"},
                          "k1:one\nk2:two\nthree\n");
  ASSERT_EQ(produce.code, 0) << produce;
  EXPECT_EQ(Json(produce)["acknowledged"], 3);
  CliRun consume = Sluice({"consume", "lines", "--from", "earliest", "--exit", "--format",
                           "%o %k=%v %h\\n"});
  ASSERT_EQ(consume.code, 0) << consume;
  EXPECT_EQ(consume.out, "0 k1=one src=test\n1 k2=two src=test\n2 =three src=test\n");
  CliRun from_offset = Sluice({"consume", "lines", "--from", "2", "--count", "1"});
  ASSERT_EQ(from_offset.code, 0) << from_offset;
  EXPECT_EQ(from_offset.out, "three\n");
}

// perf produce at a fixed --throughput: cli_admin_test.cc (3 brokers).

TEST_F(CliAgainstOneBroker, ClusterInfoReadsZooKeeperAndMetadata) {
  CliRun info = RunSluice({"cluster", "info", "--dir", cluster_->dir(), "--json"});
  ASSERT_EQ(info.code, 0) << info;
  json j = Json(info);
  EXPECT_EQ(j["controller"], 1);
  EXPECT_EQ(j["brokers"].size(), 1u);
  EXPECT_TRUE(j["metadata"].is_object()) << j.dump(2);
}

// ---- wrong input: one line on stderr, non-zero exit, nothing on stdout ----

void ExpectOneLineError(const CliRun& r, int code, const std::string& needle) {
  EXPECT_EQ(r.code, code) << r;
  EXPECT_EQ(r.ErrLines(), 1) << r;
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r;
  EXPECT_TRUE(r.out.empty()) << r;
}

TEST_F(CliAgainstOneBroker, ZeroPartitionsIsUsageError) {
  ExpectOneLineError(Sluice({"topic", "create", "zero", "--partitions", "0"}), 2, "--partitions");
}

TEST_F(CliAgainstOneBroker, UnknownTopicOnDescribe) {
  ExpectOneLineError(Sluice({"topic", "describe", "no-such-topic"}), 1,
                     "unknown topic 'no-such-topic'");
}

TEST_F(CliAgainstOneBroker, BadConfigNameAndValue) {
  ExpectOneLineError(Sluice({"topic", "create", "badcfg", "--partitions", "1", "--config",
                             "no.such.config=1"}),
                     1, "no.such.config");
  ExpectOneLineError(Sluice({"topic", "create", "badval", "--partitions", "1", "--config",
                             "retention.ms=soon"}),
                     1, "retention.ms");
  EXPECT_FALSE(Listed("badcfg"));
}

TEST(CliNoCluster, UnreachableBootstrapIsOneLine) {
  int port = FreePort();
  CliRun r = RunSluice({"topic", "list", "--bootstrap-server", "127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_EQ(r.ErrLines(), 1) << r;
  EXPECT_NE(r.err.find("cannot reach bootstrap 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << r;
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// The broker serves consumer groups (issue 4): describe must show the lag.
TEST_F(CliAgainstOneBroker, GroupDescribeShowsLag) {
  CliRun list = Sluice({"group", "list", "--json"});
  ASSERT_EQ(list.code, 0) << list;
  ASSERT_EQ(Sluice({"topic", "create", "lagged", "--partitions", "1"}).code, 0);
  ASSERT_EQ(Sluice({"produce", "lagged"}, "a\nb\nc\nd\ne\n").code, 0);
  CliRun consume = Sluice({"consume", "lagged", "--group", "g-lag", "--count", "2",
                           "--consumer-prop", "auto.commit.interval.ms=100"});
  ASSERT_EQ(consume.code, 0) << consume;
  CliRun describe = Sluice({"group", "describe", "g-lag", "--json"});
  ASSERT_EQ(describe.code, 0) << describe;
  json d = Json(describe);
  ASSERT_EQ(d["partitions"].size(), 1u) << d.dump(2);
  EXPECT_EQ(d["partitions"][0]["high_watermark"], 5);
  EXPECT_EQ(d["partitions"][0]["lag"], 3) << d.dump(2);
}

}  // namespace
}  // namespace sluice::testing
