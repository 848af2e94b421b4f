// `sluice topic alter-config|add-partitions|describe` and `sluice group ...` against a real
// 3-broker cluster made by `sluice cluster up`: results checked through the CLI's --json output,
// in ZooKeeper (/config/topics/<t>, /brokers/topics/<t>) and in Metadata (librdkafka).
#include <fstream>

#include <nlohmann/json.hpp>

#include "coordinator/sync_zk.h"
#include "coordinator/znodes.h"
#include "protocol/headers.h"
#include "tests/cluster/cli_harness_test.h"
#include "tests/cluster/raw_kafka.h"
#include "tests/support/kafka_client.h"

namespace sluice::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class CliAdmin : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new CliCluster(3, 1);
    if (cluster_->up().code != 0) return;
    std::ifstream f(cluster_->dir() + "/cluster.json");
    json layout = json::parse(f, nullptr, false);
    if (layout.is_discarded()) return;
    zk_connect_ = layout.value("zookeeper_connect", "");
    for (const json& b : layout["brokers"]) ports_[b["id"].get<int>()] = b["port"].get<int>();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(cluster_ != nullptr && cluster_->up().code == 0)
        << "the 3-broker cluster did not come up: " << (cluster_ ? cluster_->up() : CliRun{});
    ASSERT_FALSE(zk_connect_.empty()) << "no zookeeper_connect in cluster.json";
    ASSERT_TRUE(zk_.Connect(zk_connect_).ok());
  }
  static CliRun Sluice(std::vector<std::string> args, const std::string& in = "") {
    return cluster_->Run(std::move(args), in);
  }
  static json Json(const CliRun& r) {
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "stdout is not one JSON document:\n" << r;
    return j;
  }
  // /config/topics/<t> as a map ("{}" when absent).
  std::map<std::string, std::string> ZkConfig(const std::string& topic) {
    coordinator::ZkRead r = zk_.Get(coordinator::ConfigTopicPath(topic));
    if (r.err != coordinator::ZkErrc::kOk) return {};
    auto c = coordinator::ConfigEntityZNode::Decode(r.data);
    return c.ok() ? *c : std::map<std::string, std::string>{};
  }
  static void ExpectOneLineError(const CliRun& r, int code, const std::string& needle) {
    EXPECT_EQ(r.code, code) << r;
    EXPECT_EQ(r.ErrLines(), 1) << "exactly one line on stderr (no library noise)\n" << r;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "error must name: " << needle << "\n"
                                                     << r;
    EXPECT_TRUE(r.out.empty()) << r;
  }

  // One request on a fresh connection to broker `id`, decoded with protocol/ (the handlers'
  // semantics are under test here, not the codec: protocol has its own round-trip tests).
  template <typename Resp, typename Req>
  static Result<Resp> Call(int id, const Req& req, int16_t version) {
    SLUICE_ASSIGN_OR_RETURN(RawConnection conn, RawConnection::Connect(ports_.at(id)));
    SLUICE_RETURN_IF_ERROR(
        conn.Send(protocol::EncodeRequestFrame(req, version, 7, std::string("cli-test")).bytes));
    SLUICE_ASSIGN_OR_RETURN(std::string payload, conn.ReadFrame(std::chrono::seconds(30)));
    protocol::WireReader in(payload);
    SLUICE_ASSIGN_OR_RETURN(auto header,
                            protocol::DecodeResponseHeader(in, Req::kApiKey, version));
    if (header.correlation_id != 7) return Status::Corruption("wrong correlation id");
    Resp resp;
    SLUICE_RETURN_IF_ERROR(resp.Decode(in, version));
    return resp;
  }
  static int Controller() {
    auto md = FetchMetadata(cluster_->bootstrap(), 10s);
    return md.ok() ? md->controller_id : -1;
  }

  static CliCluster* cluster_;
  static std::string zk_connect_;
  static std::map<int, int> ports_;  // broker id -> port
  coordinator::SyncZk zk_;
};
CliCluster* CliAdmin::cluster_ = nullptr;
std::string CliAdmin::zk_connect_;
std::map<int, int> CliAdmin::ports_;

TEST_F(CliAdmin, AlterConfigRoundTripInDescribeAndZooKeeper) {
  CliRun create = Sluice({"topic", "create", "cfg-orders", "--partitions", "2",
                          "--replication-factor", "3", "--config", "retention.ms=86400000"});
  ASSERT_EQ(create.code, 0) << create;
  EXPECT_EQ(ZkConfig("cfg-orders"), (std::map<std::string, std::string>{
                                        {"retention.ms", "86400000"}}));

  CliRun alter = Sluice({"topic", "alter-config", "cfg-orders", "--config",
                         "retention.ms=3600000", "--config", "cleanup.policy=compact",
                         "--json"});
  ASSERT_EQ(alter.code, 0) << alter;
  EXPECT_EQ(Json(alter)["configs"]["cleanup.policy"], "compact");
  json d = Json(Sluice({"topic", "describe", "cfg-orders", "--json"}));
  EXPECT_EQ(d["configs"], json({{"retention.ms", "3600000"}, {"cleanup.policy", "compact"}}))
      << d.dump(2);
  EXPECT_EQ(ZkConfig("cfg-orders"),
            (std::map<std::string, std::string>{{"retention.ms", "3600000"},
                                                {"cleanup.policy", "compact"}}));
  // Every broker gets a config change notification to reload from.
  coordinator::ZkChildren changes = zk_.GetChildren(coordinator::kConfigChangesPath);
  EXPECT_FALSE(changes.children.empty());

  CliRun remove = Sluice({"topic", "alter-config", "cfg-orders", "--delete-config",
                          "cleanup.policy"});
  ASSERT_EQ(remove.code, 0) << remove;
  d = Json(Sluice({"topic", "describe", "cfg-orders", "--json"}));
  EXPECT_EQ(d["configs"], json({{"retention.ms", "3600000"}})) << d.dump(2);
  EXPECT_EQ(ZkConfig("cfg-orders"),
            (std::map<std::string, std::string>{{"retention.ms", "3600000"}}));

  // Rejected changes leave the overrides alone.
  ExpectOneLineError(
      Sluice({"topic", "alter-config", "cfg-orders", "--config", "no.such.config=1"}), 1,
      "no.such.config");
  ExpectOneLineError(
      Sluice({"topic", "alter-config", "cfg-orders", "--config", "retention.ms=soon"}), 1,
      "retention.ms");
  ExpectOneLineError(
      Sluice({"topic", "alter-config", "cfg-orders", "--config", "cleanup.policy=shred"}), 1,
      "cleanup.policy");
  EXPECT_EQ(ZkConfig("cfg-orders"),
            (std::map<std::string, std::string>{{"retention.ms", "3600000"}}));
  ExpectOneLineError(Sluice({"topic", "alter-config", "ghost-topic", "--config",
                             "retention.ms=1000"}),
                     1, "unknown topic 'ghost-topic'");

  ASSERT_EQ(Sluice({"topic", "delete", "cfg-orders"}).code, 0);
}

TEST_F(CliAdmin, AddPartitionsVisibleInDescribeZooKeeperAndMetadata) {
  ASSERT_EQ(Sluice({"topic", "create", "growing", "--partitions", "2", "--replication-factor",
                    "2"})
                .code,
            0);
  CliRun add = Sluice({"topic", "add-partitions", "growing", "--partitions", "6", "--json"});
  ASSERT_EQ(add.code, 0) << add;
  EXPECT_EQ(Json(add)["partitions"], 6);

  // The broker answers once the new partitions have leaders: describe sees them at once.
  json d = Json(Sluice({"topic", "describe", "growing", "--json"}));
  ASSERT_EQ(d["partitions"].size(), 6u) << d.dump(2);
  std::set<int> leaders;
  for (int p = 0; p < 6; ++p) {
    const json& part = d["partitions"][p];
    EXPECT_EQ(part["partition"], p);
    EXPECT_GE(part["leader"].get<int>(), 1) << part.dump();
    EXPECT_EQ(part["replicas"].size(), 2u) << part.dump();
    EXPECT_EQ(part["isr"].size(), 2u) << part.dump();
    leaders.insert(part["leader"].get<int>());
  }
  EXPECT_EQ(leaders.size(), 3u) << "leaders spread over the 3 brokers: " << d.dump(2);

  auto assignment = coordinator::TopicZNode::Decode(
      zk_.Get(coordinator::TopicPath("growing")).data);
  ASSERT_TRUE(assignment.ok());
  EXPECT_EQ(assignment->partitions.size(), 6u);

  // Metadata from another client (librdkafka directly).
  auto md = FetchMetadata(cluster_->bootstrap(), 10s);
  ASSERT_TRUE(md.ok()) << md.status();
  const TopicMeta* t = md->Find("growing");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->partitions.size(), 6u);
  for (const PartitionMeta& p : t->partitions) EXPECT_GE(p.leader, 1) << "partition " << p.id;

  // The new partitions take writes.
  std::string lines;
  for (int i = 0; i < 60; ++i) lines += "k" + std::to_string(i) + ":v\n";
  CliRun produce = Sluice({"produce", "growing", "--key-separator", ":", "--json"}, lines);
  ASSERT_EQ(produce.code, 0) << produce;
  EXPECT_EQ(Json(produce)["acknowledged"], 60);

  ExpectOneLineError(Sluice({"topic", "add-partitions", "growing", "--partitions", "6"}), 1,
                     "already has 6 partitions");
  ExpectOneLineError(Sluice({"topic", "add-partitions", "growing", "--partitions", "3"}), 1,
                     "higher than the requested 3");
  ExpectOneLineError(Sluice({"topic", "add-partitions", "ghost-topic", "--partitions", "3"}), 1,
                     "ghost-topic");
  ExpectOneLineError(Sluice({"topic", "add-partitions", "growing", "--partitions", "0"}), 2,
                     "--partitions");
}

TEST_F(CliAdmin, DescribeShowsEveryConfigWithItsSource) {
  ASSERT_EQ(Sluice({"topic", "create", "sourced", "--partitions", "1", "--config",
                    "min.insync.replicas=2"})
                .code,
            0);
  CliRun r = Sluice({"topic", "describe", "sourced", "--all-configs", "--json"});
  ASSERT_EQ(r.code, 0) << r;
  json d = Json(r);
  ASSERT_TRUE(d["all_configs"].is_array()) << d.dump(2);
  std::map<std::string, json> by_name;
  for (const json& c : d["all_configs"]) by_name[c["name"].get<std::string>()] = c;
  ASSERT_TRUE(by_name.contains("min.insync.replicas")) << d.dump(2);
  EXPECT_EQ(by_name["min.insync.replicas"]["value"], "2");
  EXPECT_EQ(by_name["min.insync.replicas"]["source"], "topic");
  ASSERT_TRUE(by_name.contains("retention.ms"));
  EXPECT_NE(by_name["retention.ms"]["source"], "topic");
  EXPECT_TRUE(by_name.contains("cleanup.policy"));
  EXPECT_GE(by_name.size(), 20u);
}

TEST_F(CliAdmin, PerfProduceMeetsFixedThroughputWithinFivePercent) {
  ASSERT_EQ(Sluice({"topic", "create", "perf-rate", "--partitions", "3"}).code, 0);
  // 2000 msg/s for ~10 s.
  CliRun perf = Sluice({"perf", "produce", "perf-rate", "--num-records", "20000",
                        "--throughput", "2000", "--record-size", "100", "--acks", "1",
                        "--json"});
  ASSERT_EQ(perf.code, 0) << perf;
  json j = Json(perf);
  EXPECT_EQ(j["records"], 20000);
  EXPECT_EQ(j["errors"], 0);
  const double rate = j["records_per_sec"].get<double>();
  EXPECT_NEAR(rate, 2000, 100) << j.dump(2);
  // Cross-check the reported rate against the reported duration.
  ASSERT_TRUE(j.contains("elapsed_s")) << j.dump(2);
  {
    EXPECT_NEAR(20000 / j["elapsed_s"].get<double>(), rate, rate * 0.01) << j.dump(2);
  }
}

// ---- the broker APIs librdkafka 2.0 cannot send or whose flags it hides ----

constexpr int16_t kUnknownTopic = 3;
constexpr int16_t kInvalidPartitions = 37;
constexpr int16_t kInvalidReplicaAssignment = 39;
constexpr int16_t kInvalidConfig = 40;
constexpr int16_t kNotController = 41;
constexpr int16_t kInvalidRequest = 42;

protocol::IncrementalAlterConfigsRequest Incremental(
    const std::string& topic,
    std::vector<std::tuple<std::string, int8_t, std::optional<std::string>>> ops,
    bool validate_only = false) {
  protocol::IncrementalAlterConfigsRequest req;
  req.validate_only = validate_only;
  auto& r = req.resources.emplace_back();
  r.resource_type = 2;
  r.resource_name = topic;
  for (auto& [name, op, value] : ops) {
    auto& c = r.configs.emplace_back();
    c.name = name;
    c.config_operation = op;
    c.value = value;
  }
  return req;
}

TEST_F(CliAdmin, IncrementalAlterConfigsSetAppendSubtractDelete) {
  ASSERT_EQ(Sluice({"topic", "create", "incr", "--partitions", "1"}).code, 0);
  using Resp = protocol::IncrementalAlterConfigsResponse;
  auto call = [&](const protocol::IncrementalAlterConfigsRequest& req) -> int16_t {
    Result<Resp> r = Call<Resp>(2, req, 1);  // any broker answers
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || r->responses.size() != 1) return -100;
    return r->responses[0].error_code;
  };
  EXPECT_EQ(call(Incremental("incr", {{"retention.ms", 0, "1000"},
                                      {"cleanup.policy", 2, "compact"}})),
            0);
  EXPECT_EQ(ZkConfig("incr"), (std::map<std::string, std::string>{
                                  {"retention.ms", "1000"}, {"cleanup.policy", "compact"}}));
  EXPECT_EQ(call(Incremental("incr", {{"cleanup.policy", 2, "delete"}})), 0);
  EXPECT_EQ(ZkConfig("incr")["cleanup.policy"], "compact,delete");
  EXPECT_EQ(call(Incremental("incr", {{"cleanup.policy", 3, "compact"},
                                      {"retention.ms", 1, std::nullopt}})),
            0);
  EXPECT_EQ(ZkConfig("incr"),
            (std::map<std::string, std::string>{{"cleanup.policy", "delete"}}));
  // validate_only writes nothing.
  EXPECT_EQ(call(Incremental("incr", {{"retention.ms", 0, "5"}}, true)), 0);
  EXPECT_EQ(ZkConfig("incr"),
            (std::map<std::string, std::string>{{"cleanup.policy", "delete"}}));
  // Errors, each leaving the overrides alone.
  EXPECT_EQ(call(Incremental("incr", {{"retention.ms", 2, "5"}})), kInvalidConfig)
      << "APPEND only for list configs";
  EXPECT_EQ(call(Incremental("incr", {{"no.such.config", 0, "5"}})), kInvalidConfig);
  EXPECT_EQ(call(Incremental("incr", {{"retention.ms", 0, "soon"}})), kInvalidConfig);
  EXPECT_EQ(call(Incremental("incr", {{"retention.ms", 0, std::nullopt}})), kInvalidRequest);
  EXPECT_EQ(call(Incremental("incr", {{"retention.ms", 9, "5"}})), kInvalidRequest);
  EXPECT_EQ(call(Incremental("no-such-topic", {{"retention.ms", 0, "5"}})), kUnknownTopic);
  EXPECT_EQ(ZkConfig("incr"),
            (std::map<std::string, std::string>{{"cleanup.policy", "delete"}}));
}

TEST_F(CliAdmin, DescribeConfigsFlagsSourcesAndBrokerResource) {
  ASSERT_EQ(Sluice({"topic", "create", "flags", "--partitions", "1", "--config",
                    "segment.ms=60000"})
                .code,
            0);
  using Resp = protocol::DescribeConfigsResponse;
  protocol::DescribeConfigsRequest req;
  auto& topic = req.resources.emplace_back();
  topic.resource_type = 2;
  topic.resource_name = "flags";
  auto& broker = req.resources.emplace_back();
  broker.resource_type = 4;
  broker.resource_name = "3";
  auto& other = req.resources.emplace_back();
  other.resource_type = 4;
  other.resource_name = "1";
  auto& missing = req.resources.emplace_back();
  missing.resource_type = 2;
  missing.resource_name = "no-such-topic";
  for (int16_t version : {0, 1, 2}) {
    req.include_synonyms = version >= 1;
    Result<Resp> r = Call<Resp>(3, req, version);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->results.size(), 4u);
    std::map<std::string, Resp::DescribeConfigsResourceResult> t;
    for (const auto& e : r->results[0].configs) t[e.name] = e;
    EXPECT_EQ(r->results[0].error_code, 0);
    ASSERT_TRUE(t.contains("segment.ms") && t.contains("segment.bytes")) << "v" << version;
    EXPECT_EQ(t["segment.ms"].value, "60000");
    EXPECT_FALSE(t["segment.ms"].read_only);
    if (version == 0) {
      EXPECT_FALSE(t["segment.ms"].is_default);
      EXPECT_TRUE(t["segment.bytes"].is_default);
    } else {
      EXPECT_EQ(t["segment.ms"].config_source, 1) << "DYNAMIC_TOPIC_CONFIG";
      EXPECT_EQ(t["segment.bytes"].config_source, 5) << "DEFAULT_CONFIG";
      EXPECT_EQ(t["min.insync.replicas"].config_source, 4) << "STATIC_BROKER_CONFIG";
      ASSERT_EQ(t["segment.ms"].synonyms.size(), 2u);
      EXPECT_EQ(t["segment.ms"].synonyms[1].name, "log.roll.ms");
    }
    std::map<std::string, Resp::DescribeConfigsResourceResult> b;
    for (const auto& e : r->results[1].configs) b[e.name] = e;
    EXPECT_EQ(r->results[1].error_code, 0);
    ASSERT_TRUE(b.contains("broker.id"));
    EXPECT_EQ(b["broker.id"].value, "3");
    EXPECT_TRUE(b["broker.id"].read_only);
    EXPECT_EQ(r->results[2].error_code, kInvalidRequest) << "broker 1's config is not ours";
    EXPECT_EQ(r->results[3].error_code, kUnknownTopic);
  }
}

TEST_F(CliAdmin, CreatePartitionsControllerOnlyValidateOnlyAndAssignment) {
  ASSERT_EQ(Sluice({"topic", "create", "cp", "--partitions", "1", "--replication-factor", "2"})
                .code,
            0);
  const int controller = Controller();
  ASSERT_GE(controller, 1);
  const int other = controller == 1 ? 2 : 1;
  using Resp = protocol::CreatePartitionsResponse;
  auto request = [](int32_t count, std::optional<std::vector<std::vector<int32_t>>> assignment,
                    bool validate_only) {
    protocol::CreatePartitionsRequest req;
    req.timeout_ms = 20000;
    req.validate_only = validate_only;
    auto& t = req.topics.emplace_back();
    t.name = "cp";
    t.count = count;
    if (assignment) {
      t.assignments.emplace();
      for (auto& ids : *assignment) t.assignments->emplace_back().broker_ids = ids;
    }
    return req;
  };
  auto code = [&](int broker, const protocol::CreatePartitionsRequest& req) -> int16_t {
    Result<Resp> r = Call<Resp>(broker, req, 1);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && r->results.size() == 1 ? r->results[0].error_code : -100;
  };
  auto zk_partitions = [&] {
    auto a = coordinator::TopicZNode::Decode(zk_.Get(coordinator::TopicPath("cp")).data);
    return a.ok() ? a->partitions.size() : 0u;
  };
  EXPECT_EQ(code(other, request(3, std::nullopt, false)), kNotController);
  EXPECT_EQ(code(controller, request(3, std::nullopt, true)), 0);
  EXPECT_EQ(zk_partitions(), 1u) << "validate_only wrote the assignment";
  EXPECT_EQ(code(controller, request(1, std::nullopt, false)), kInvalidPartitions);
  EXPECT_EQ(code(controller, request(2, std::vector<std::vector<int32_t>>{{1, 9}}, false)),
            kInvalidReplicaAssignment);
  EXPECT_EQ(code(controller, request(3, std::vector<std::vector<int32_t>>{{1, 2}}, false)),
            kInvalidReplicaAssignment)
      << "two new partitions, one assignment";
  EXPECT_EQ(code(controller, request(2, std::vector<std::vector<int32_t>>{{3, 2}}, false)), 0);
  ASSERT_EQ(zk_partitions(), 2u);
  // Every broker's metadata (librdkafka asks any of them) shows the new partition led by its
  // first replica; UpdateMetadata reaches the brokers independently, hence the deadline.
  std::string last;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto md = FetchMetadata(cluster_->bootstrap(), 10s);
        const TopicMeta* t = md.ok() ? md->Find("cp") : nullptr;
        if (t == nullptr || t->partitions.size() != 2) {
          last = t == nullptr ? "topic missing" : "partitions: " + std::to_string(t->partitions.size());
          return false;
        }
        for (const PartitionMeta& p : t->partitions) {
          if (p.id == 1 && (p.replicas != std::vector<int32_t>{3, 2} || p.leader != 3)) {
            last = "partition 1 leader " + std::to_string(p.leader);
            return false;
          }
        }
        return true;
      },
      10s))
      << last;
}

// ---- consumer groups (broker side: broker/group/, issue 4) ----

TEST_F(CliAdmin, GroupListDescribeResetDelete) {
  CliRun list = Sluice({"group", "list", "--json"});
  ASSERT_EQ(list.code, 0) << list;
  ASSERT_EQ(Sluice({"topic", "create", "grouped", "--partitions", "2"}).code, 0);
  std::string lines;
  for (int i = 0; i < 10; ++i) lines += "k" + std::to_string(i) + ":v" + std::to_string(i) + "\n";
  ASSERT_EQ(Sluice({"produce", "grouped", "--key-separator", ":"}, lines).code, 0);
  CliRun consume = Sluice({"consume", "grouped", "--group", "g-admin", "--count", "10",
                           "--from", "earliest"});
  ASSERT_EQ(consume.code, 0) << consume;

  json l = Json(Sluice({"group", "list", "--json"}));
  bool listed = false;
  for (const json& g : l["groups"]) listed |= g["group"] == "g-admin";
  EXPECT_TRUE(listed) << l.dump(2);

  json d = Json(Sluice({"group", "describe", "g-admin", "--json"}));
  ASSERT_EQ(d["partitions"].size(), 2u) << d.dump(2);
  int64_t hw = 0;
  for (const json& p : d["partitions"]) {
    hw += p["high_watermark"].get<int64_t>();
    EXPECT_EQ(p["lag"], 0) << d.dump(2);
  }
  EXPECT_EQ(hw, 10);
  EXPECT_EQ(d["total_lag"], 0);

  // Reset to earliest: the lag becomes the whole topic.
  CliRun dry = Sluice({"group", "reset-offsets", "g-admin", "--topic", "grouped",
                       "--to-earliest", "--json"});
  ASSERT_EQ(dry.code, 0) << dry;
  EXPECT_FALSE(Json(dry)["executed"].get<bool>());
  EXPECT_EQ(Json(Sluice({"group", "describe", "g-admin", "--json"}))["total_lag"], 0)
      << "a dry run changes nothing";
  CliRun reset = Sluice({"group", "reset-offsets", "g-admin", "--topic", "grouped",
                         "--to-earliest", "--execute", "--json"});
  ASSERT_EQ(reset.code, 0) << reset;
  EXPECT_TRUE(Json(reset)["executed"].get<bool>());
  d = Json(Sluice({"group", "describe", "g-admin", "--json"}));
  EXPECT_EQ(d["total_lag"], 10) << d.dump(2);
  for (const json& p : d["partitions"]) EXPECT_EQ(p["committed"], 0) << d.dump(2);

  CliRun del = Sluice({"group", "delete", "g-admin"});
  ASSERT_EQ(del.code, 0) << del;
  l = Json(Sluice({"group", "list", "--json"}));
  for (const json& g : l["groups"]) EXPECT_NE(g["group"], "g-admin") << l.dump(2);
  ExpectOneLineError(Sluice({"group", "describe", "g-admin", "--json"}), 1,
                     "unknown group 'g-admin'");
}

}  // namespace
}  // namespace sluice::testing
