// Per-topic log configs through a real broker: `audit-logs` created with cleanup.policy=compact
// and tiny segments is compacted by the broker's log cleaner (latest record per key survives, at
// the offset its delivery report named; an old tombstone and its key vanish), and a topic with
// message.timestamp.type=LogAppendTime hands consumers the broker's append time.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/znodes.h"
#include "tests/cluster/cluster_env.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

BrokerOptions CleanerOptions() {
  BrokerOptions o;
  o.properties["log.cleaner.backoff.ms"] = "200";  // look for dirty logs often
  return o;
}

class Compaction : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new SingleBrokerCluster(CleanerOptions()); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static SingleBrokerCluster* cluster_;
};
SingleBrokerCluster* Compaction::cluster_ = nullptr;

// One record per produce request (flushed each time), so every batch lands in its own segment
// (segment.bytes=100) and all but the last (the active segment) are closed and cleanable.
Status ProduceOneByOne(Producer* producer, const std::string& topic,
                       const std::vector<Record>& records, std::vector<Record>* acked) {
  for (const Record& r : records) {
    SLUICE_RETURN_IF_ERROR(producer->Send(topic, r));
    SLUICE_RETURN_IF_ERROR(producer->Flush(std::chrono::seconds(30)));
  }
  ProduceReport report = producer->TakeReport();
  if (report.failed > 0) return Status::Unavailable("delivery failed: " + report.first_error);
  *acked = std::move(report.acked);
  return Status::Ok();
}

TEST_F(Compaction, AuditLogsKeepsOnlyTheLatestRecordPerKey) {
  ASSERT_TRUE(cluster_->ok()) << cluster_->status();
  const std::string bootstrap = cluster_->bootstrap();
  const std::string topic = "audit-logs";
  CLUSTER_ASSERT_OK(CreateTopic(bootstrap, topic, 1, 1, seconds(30),
                                {{"cleanup.policy", "compact"},
                                 {"segment.bytes", "100"},
                                 {"min.cleanable.dirty.ratio", "0.01"}}));
  constexpr int kKeys = 5;
  constexpr int kVersions = 30;
  std::vector<Record> records;
  // A key deleted long ago: its tombstone is older than delete.retention.ms (1 day).
  records.push_back(Record{0, "gone", "value", {}, NowMs() - 3 * 86400000LL});
  records.push_back(Record{0, "gone", std::nullopt, {}, NowMs() - 2 * 86400000LL});
  for (int v = 0; v < kVersions; ++v) {
    for (int k = 0; k < kKeys; ++k) {
      Record r;
      r.partition = 0;
      r.key = "user-" + std::to_string(k);
      r.value = "version-" + std::to_string(v);
      records.push_back(std::move(r));
    }
  }
  // The active segment is never cleaned: the last record goes to a key of its own, so that
  // segment holds nothing superseded and a full read can show exactly one record per key.
  records.push_back(Record{0, "end-marker", "last", {}, 0});
  Result<std::unique_ptr<Producer>> producer =
      Producer::Create(bootstrap, {{"acks", "all"}, {"linger.ms", "0"}});
  ASSERT_TRUE(producer.ok()) << producer.status();
  std::vector<Record> acked;
  CLUSTER_ASSERT_OK(ProduceOneByOne(producer->get(), topic, records, &acked));
  ASSERT_EQ(acked.size(), records.size());
  std::map<std::string, Record> latest;  // key -> last acked record
  for (const Record& r : acked) latest[*r.key] = r;

  // Wait (with a deadline) until a full read shows one record per live key and nothing else.
  std::vector<Record> got;
  std::string last_view;
  auto deadline = std::chrono::steady_clock::now() + seconds(90);
  bool compacted = false;
  while (!compacted && std::chrono::steady_clock::now() < deadline) {
    Result<std::map<int32_t, std::vector<Record>>> consumed = ConsumeAll(bootstrap, topic, seconds(30));
    ASSERT_TRUE(consumed.ok()) << consumed.status();
    got = (*consumed)[0];
    last_view = std::to_string(got.size()) + " records";
    compacted = got.size() == static_cast<size_t>(kKeys + 1);
    if (!compacted) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  ASSERT_TRUE(compacted) << "log not compacted within 90 s; last read: " << last_view
                         << " (produced " << records.size() << ")";
  int64_t prev = -1;
  for (const Record& r : got) {
    ASSERT_TRUE(r.key.has_value());
    EXPECT_NE(*r.key, "gone") << "expired tombstone or its value survived";
    ASSERT_EQ(latest.count(*r.key), 1u) << Describe(r);
    const Record& want = latest.at(*r.key);
    EXPECT_EQ(r.value, want.value) << Describe(r);
    if (*r.key != "end-marker") {
      EXPECT_EQ(r.value, "version-" + std::to_string(kVersions - 1)) << Describe(r);
    }
    EXPECT_EQ(r.offset, want.offset) << "offsets are kept by compaction";
    EXPECT_GT(r.offset, prev);
    prev = r.offset;
  }
  // The log keeps its offsets: producing again continues after the last one.
  std::vector<Record> more{Record{0, "user-0", "after", {}, 0}};
  std::vector<Record> more_acked;
  CLUSTER_ASSERT_OK(ProduceOneByOne(producer->get(), topic, more, &more_acked));
  ASSERT_EQ(more_acked.size(), 1u);
  EXPECT_EQ(more_acked[0].offset, static_cast<int64_t>(records.size()));
  EXPECT_NE(cluster_->broker().ReadOutput().find("log_cleaned"), std::string::npos);
}

// What AlterConfigs does (coordinator::Admin): replace /config/topics/<t>, then announce it with
// a /config/changes/config_change_<seq> notification that every broker's ConfigWatcher follows.
Status AlterTopicConfigInZk(const std::string& connect, const std::string& topic,
                            const coordinator::ConfigMap& config) {
  coordinator::SyncZk zk;
  SLUICE_RETURN_IF_ERROR(zk.Connect(connect));
  const std::string path = coordinator::ConfigTopicPath(topic);
  coordinator::ZkWritten w = zk.Set(path, coordinator::ConfigEntityZNode::Encode(config));
  if (w.err != coordinator::ZkErrc::kOk) {
    return Status::Unavailable("set " + path + ": " + coordinator::ZkErrcName(w.err));
  }
  coordinator::ZkCreated c =
      zk.Create(coordinator::kConfigChangePrefix,
                coordinator::ConfigChangeNotification::Encode("topics/" + topic),
                coordinator::CreateMode::kPersistentSequential);
  if (c.err != coordinator::ZkErrc::kOk) {
    return Status::Unavailable(std::string("create notification: ") +
                               coordinator::ZkErrcName(c.err));
  }
  return Status::Ok();
}

// A topic created with the defaults (delete policy, 1 GiB segments) switched live to
// cleanup.policy=compact and segment.bytes=100: the running broker's log follows (new records
// roll tiny segments) and the cleaner compacts what was written before and after the change.
TEST_F(Compaction, LiveConfigChangeTurnsOnCompaction) {
  ASSERT_TRUE(cluster_->ok()) << cluster_->status();
  const std::string bootstrap = cluster_->bootstrap();
  const std::string topic = "live-config";
  CLUSTER_ASSERT_OK(CreateTopic(bootstrap, topic, 1, 1, seconds(30)));
  Result<std::unique_ptr<Producer>> producer =
      Producer::Create(bootstrap, {{"acks", "all"}, {"linger.ms", "0"}});
  ASSERT_TRUE(producer.ok()) << producer.status();
  std::vector<Record> before;
  for (int v = 0; v < 20; ++v) before.push_back(Record{0, "k" + std::to_string(v % 2), "old", {}, 0});
  std::vector<Record> acked;
  CLUSTER_ASSERT_OK(ProduceOneByOne(producer->get(), topic, before, &acked));

  CLUSTER_ASSERT_OK(AlterTopicConfigInZk(cluster_->zk().connect_string(), topic,
                                         {{"cleanup.policy", "compact"},
                                          {"segment.bytes", "100"},
                                          {"min.cleanable.dirty.ratio", "0.01"}}));
  auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (cluster_->broker().ReadOutput().find("topic_config_applied topic=" + topic +
                                              " logs=1 cleanup_policy=compact") ==
         std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "config change not applied";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::vector<Record> after;
  for (int v = 0; v < 10; ++v) after.push_back(Record{0, "k" + std::to_string(v % 2), "new", {}, 0});
  after.push_back(Record{0, "end-marker", "last", {}, 0});
  CLUSTER_ASSERT_OK(ProduceOneByOne(producer->get(), topic, after, &acked));

  std::vector<Record> got;
  deadline = std::chrono::steady_clock::now() + seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    Result<std::map<int32_t, std::vector<Record>>> consumed =
        ConsumeAll(bootstrap, topic, seconds(30));
    ASSERT_TRUE(consumed.ok()) << consumed.status();
    got = (*consumed)[0];
    if (got.size() == 3u) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  ASSERT_EQ(got.size(), 3u) << "not compacted to k0, k1, end-marker within 90 s";
  for (const Record& r : got) {
    if (*r.key != "end-marker") {
      EXPECT_EQ(r.value, "new") << Describe(r);
    }
  }
  EXPECT_EQ(got.back().offset, 30);  // offsets kept: 20 before + 10 after + the marker
}

TEST_F(Compaction, LogAppendTimeTopicStampsBrokerTime) {
  ASSERT_TRUE(cluster_->ok()) << cluster_->status();
  const std::string bootstrap = cluster_->bootstrap();
  const std::string topic = "append-time";
  CLUSTER_ASSERT_OK(CreateTopic(bootstrap, topic, 1, 1, seconds(30),
                                {{"message.timestamp.type", "LogAppendTime"}}));
  int64_t before = NowMs();
  std::vector<Record> records{Record{0, "k", "v", {}, 1000}, Record{0, "k2", "v2", {}, 2000}};
  Result<ProduceReport> report =
      ProduceAll(bootstrap, topic, records, {{"acks", "all"}}, seconds(30));
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->failed, 0) << report->first_error;
  int64_t after = NowMs();
  Result<std::map<int32_t, std::vector<Record>>> consumed = ConsumeAll(bootstrap, topic, seconds(30));
  ASSERT_TRUE(consumed.ok()) << consumed.status();
  ASSERT_EQ((*consumed)[0].size(), 2u);
  for (const Record& r : (*consumed)[0]) {
    EXPECT_GE(r.timestamp, before - 1000) << Describe(r);  // the broker's clock, not 1000/2000
    EXPECT_LE(r.timestamp, after + 1000) << Describe(r);
  }
}

}  // namespace
}  // namespace sluice::testing
