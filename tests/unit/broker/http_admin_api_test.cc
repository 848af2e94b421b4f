// The HTTP routes (broker/http/admin_api.h) without sockets: a Harness broker (real logs, no
// ZooKeeper) and a fake AdminClient that records what reached the admin path.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "broker/admin_client.h"
#include "broker/http/admin_api.h"
#include "broker/metrics/broker_metrics.h"
#include "handler_harness.h"

namespace sluice::broker {
namespace {

using nlohmann::json;
using testing::Harness;

// Records admin calls; on success applies them to the metadata cache as the controller's
// UpdateMetadata would.
class RecordingAdmin : public AdminClient {
 public:
  explicit RecordingAdmin(MetadataCache* metadata) : metadata_(metadata) {}
  bool IsController() const override { return true; }
  void CreateTopic(const TopicSpec& spec, bool, AdminDone done) override {
    created.push_back(spec);
    if (result.ok()) {
      for (int32_t p = 0; p < spec.num_partitions; ++p) {
        metadata_->UpdatePartition(spec.name, p, PartitionInfo{1, 0, 1, {1}, {1}, {}});
      }
    }
    done(result);
  }
  void DeleteTopic(const std::string& name, AdminDone done) override {
    deleted.push_back(name);
    if (result.ok()) metadata_->RemoveTopic(name);
    done(result);
  }
  AdminResult result;
  std::vector<TopicSpec> created;
  std::vector<std::string> deleted;

 private:
  MetadataCache* metadata_;
};

class AdminApiTest : public ::testing::Test {
 protected:
  AdminApiTest() : admin_(&h_.metadata()) {
    h_.ctx().admin = &admin_;
    h_.ctx().metrics = &metrics_;
    sources_.broker_id = 1;
    sources_.metadata = &h_.metadata();
    sources_.replicas = &h_.replicas();
    api_ = std::make_unique<AdminApi>(&h_.ctx(), &sources_, &metrics_);
  }

  HttpResponse Call(const std::string& method, const std::string& path,
                    std::multimap<std::string, std::string> query = {}, std::string body = "") {
    HttpRequest req{method, path, std::move(query), std::move(body)};
    std::optional<HttpResponse> out;
    api_->Handle(req, [&out](HttpResponse r) { out = std::move(r); });
    EXPECT_TRUE(h_.RunUntil([&] { return out.has_value(); })) << method << " " << path;
    return out.value_or(HttpResponse{});
  }

  static json Body(const HttpResponse& r) { return json::parse(r.body); }

  Harness h_;
  RecordingAdmin admin_;
  BrokerMetrics metrics_;
  GaugeSources sources_;
  std::unique_ptr<AdminApi> api_;
};

TEST_F(AdminApiTest, UnknownTopicIs404WithKafkaErrorName) {
  HttpResponse r = Call("GET", "/api/topics/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Body(r)["error"], "UNKNOWN_TOPIC_OR_PARTITION");
  EXPECT_EQ(Body(r)["error_code"], 3);
  EXPECT_FALSE(Body(r)["message"].get<std::string>().empty());
  r = Call("DELETE", "/api/topics/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(admin_.deleted.empty());
}

TEST_F(AdminApiTest, BadCreateRequestsAre4xxAndNeverReachTheAdminPath) {
  HttpResponse r = Call("POST", "/api/topics",
                        {{"topicName", "t"}, {"partitions", "0"}, {"replicationFactor", "1"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["error"], "INVALID_PARTITIONS");
  r = Call("POST", "/api/topics",
           {{"topicName", "t"}, {"partitions", "1"}, {"replicationFactor", "2"}});
  EXPECT_EQ(r.status, 400);  // one live broker
  EXPECT_EQ(Body(r)["error"], "INVALID_REPLICATION_FACTOR");
  r = Call("POST", "/api/topics", {{"topicName", "t"}, {"partitions", "x"}});
  EXPECT_EQ(r.status, 400);
  r = Call("POST", "/api/topics", {}, "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["error"], "INVALID_REQUEST");
  r = Call("POST", "/api/topics", {}, "[1,2]");
  EXPECT_EQ(r.status, 400);
  r = Call("POST", "/api/topics", {{"partitions", "1"}});
  EXPECT_EQ(r.status, 400);  // no topicName
  r = Call("POST", "/api/topics", {{"topicName", "bad/name"}});
  EXPECT_EQ(Body(r)["error"], "INVALID_TOPIC_EXCEPTION");
  r = Call("PUT", "/api/topics");
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].second, "GET, POST");
  r = Call("POST", "/api/health");
  EXPECT_EQ(r.status, 405);
  r = Call("GET", "/api/nothing");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(admin_.created.empty());
  EXPECT_TRUE(h_.metadata().topics().empty());
}

TEST_F(AdminApiTest, AdminErrorsKeepTheirKafkaName) {
  admin_.result = {protocol::ErrorCode::kInvalidConfig, "unknown topic config x"};
  HttpResponse r = Call("POST", "/api/topics",
                        {{"topicName", "t"}, {"partitions", "1"}, {"config", "x=1"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["error"], "INVALID_CONFIG");
  EXPECT_EQ(Body(r)["message"], "unknown topic config x");
}

TEST_F(AdminApiTest, CreateFromQueryOrJsonThenDescribeListAndDelete) {
  HttpResponse r = Call("POST", "/api/topics",
                        {{"topicName", "orders"},
                         {"partitions", "3"},
                         {"replicationFactor", "1"},
                         {"config", "retention.ms=1000"}});
  ASSERT_EQ(r.status, 201) << r.body;
  ASSERT_EQ(admin_.created.size(), 1u);
  EXPECT_EQ(admin_.created[0].num_partitions, 3);
  EXPECT_EQ(admin_.created[0].configs.at("retention.ms"), "1000");
  EXPECT_EQ(Body(r)["topic"]["partition_count"], 3);

  r = Call("POST", "/api/topics", {},
           R"({"topicName": "events", "partitions": 2, "configs": {"cleanup.policy": "compact"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(admin_.created[1].configs.at("cleanup.policy"), "compact");

  r = Call("POST", "/api/topics", {{"topicName", "orders"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Body(r)["error"], "TOPIC_ALREADY_EXISTS");

  r = Call("GET", "/api/topics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Body(r)["topics"].size(), 2u);

  h_.AddPartition("orders", 0);  // a local leader replica: HW and log figures appear
  r = Call("GET", "/api/topics/orders");
  ASSERT_EQ(r.status, 200);
  json p0 = Body(r)["partitions"][0];
  EXPECT_EQ(p0["leader"], 1);
  EXPECT_EQ(p0["state"], "ok");
  EXPECT_EQ(p0["high_watermark"], 0);
  EXPECT_EQ(p0["local"]["role"], "leader");

  r = Call("DELETE", "/api/topics/events");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(admin_.deleted, std::vector<std::string>{"events"});
  EXPECT_EQ(h_.metadata().FindTopic("events"), nullptr);
}

TEST_F(AdminApiTest, HealthReportsUnderReplicatedOfflineAndMissingBrokers) {
  h_.metadata().AddOrUpdateBroker({2, "127.0.0.1", 9093, std::nullopt});
  h_.metadata().UpdatePartition("t", 0, PartitionInfo{1, 0, 1, {1, 2}, {1, 2}, {}});
  HttpResponse r = Call("GET", "/api/health");
  // No ZooKeeper session in this harness: unhealthy for that reason only.
  EXPECT_EQ(r.status, 503);
  json doc = Body(r);
  ASSERT_EQ(doc["reasons"].size(), 1u) << r.body;
  EXPECT_EQ(doc["zookeeper"]["state"], "CLOSED");
  EXPECT_EQ(doc["under_replicated_partitions"], 0);

  // Broker 2 dies: the controller's UpdateMetadata drops it and shrinks the ISR.
  h_.metadata().SetBrokers({{1, "127.0.0.1", 9092, std::nullopt}});
  h_.metadata().UpdatePartition("t", 0, PartitionInfo{1, 1, 1, {1}, {1, 2}, {2}});
  h_.metadata().UpdatePartition("t", 1, PartitionInfo{2, 1, 1, {2}, {2}, {2}});
  doc = Body(Call("GET", "/api/health"));
  EXPECT_EQ(doc["status"], "unhealthy");
  EXPECT_EQ(doc["under_replicated_partitions"], 1);
  EXPECT_EQ(doc["offline_partitions"], 1);
  EXPECT_EQ(doc["brokers"]["missing"], json::array({2}));
  r = Call("GET", "/api/health/status");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "unhealthy\n");

  json cluster = Body(Call("GET", "/api/cluster"));
  ASSERT_EQ(cluster["brokers"].size(), 2u);
  EXPECT_EQ(cluster["brokers"][1]["id"], 2);
  EXPECT_EQ(cluster["brokers"][1]["alive"], false);
  EXPECT_EQ(cluster["summary"]["offline_partitions"], 1);
}

TEST_F(AdminApiTest, DashboardAndMetricsAreServed) {
  HttpResponse r = Call("GET", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type.rfind("text/html", 0), 0u);
  EXPECT_NE(r.body.find("broker-grid"), std::string::npos);
  EXPECT_NE(r.body.find("/api/cluster"), std::string::npos);
  metrics_.RecordBytesIn("orders", 100, 2);
  r = Call("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("kafka_server_brokertopicmetrics_bytesin_total{topic=\"orders\"} 100"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice::broker
