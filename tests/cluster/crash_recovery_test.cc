// kill -9 of the only broker while a producer (acks=all) is running, then a restart with the
// same config and log dir: every record whose delivery report succeeded is still there at the
// reported offset, the recovered log accepts new appends after its tail, and the broker serves.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/cluster/cluster_env.h"
#include "tests/support/test_util.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

Record LoadRecord(int64_t i) {
  Record r;
  r.partition = static_cast<int32_t>(i % 3);
  r.key = "crash-key-" + std::to_string(i);
  std::string v = "crash value " + std::to_string(i) + " ";
  while (v.size() < 200) v += static_cast<char>('A' + (i + v.size()) % 26);
  r.value = std::move(v);
  r.headers.push_back({"i", std::to_string(i)});
  r.timestamp = 1700000000000 + i;
  return r;
}

TEST(CrashRecovery, AckedRecordsSurviveKill9AndRestart) {
  BrokerOptions options;
  options.zookeeper_session_timeout_ms = 4000;  // the restart waits out the old session
  SingleBrokerCluster cluster(options);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  BrokerProcess& broker = cluster.broker();
  const std::string topic = "crash";
  CLUSTER_ASSERT_OK(CreateTopic(cluster.bootstrap(), topic, 3, 1, seconds(30)));

  Result<std::unique_ptr<Producer>> created = Producer::Create(
      cluster.bootstrap(), {{"acks", "all"},
                            {"linger.ms", "2"},
                            {"message.timeout.ms", "60000"},
                            {"retry.backoff.ms", "200"},
                            {"reconnect.backoff.max.ms", "500"}});
  ASSERT_TRUE(created.ok()) << created.status();
  std::unique_ptr<Producer> producer = std::move(created).value();

  std::atomic<bool> stop{false};
  std::atomic<int64_t> sent{0};
  Status load_status;
  std::thread load([&] {
    for (int64_t i = 0; !stop.load(); ++i) {
      Status s = producer->Send(topic, LoadRecord(i));
      if (!s.ok()) {
        load_status = s;
        return;
      }
      sent.store(i + 1);
      if (i % 256 == 0) producer->Poll(0);
      // Bounded backlog: at most ~20k records waiting while the broker is down.
      while (!stop.load() && producer->sent() - producer->acked_count() -
                                     producer->failed_count() > 20000) {
        producer->Poll(10);
      }
    }
  });

  ASSERT_TRUE(WaitFor([&] { return producer->acked_count() >= 30000; }, seconds(60)))
      << "producer made no progress before the kill: acked " << producer->acked_count();
  broker.Kill9();
  int64_t acked_at_kill = producer->acked_count();
  int64_t sent_at_kill = sent.load();
  // Keep producing into the dead broker for a moment (records pile up in librdkafka).
  EXPECT_TRUE(WaitFor([&] { return sent.load() >= sent_at_kill + 2000; }, seconds(10)));

  Status restarted = broker.Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;
  ASSERT_TRUE(WaitFor([&] { return producer->acked_count() >= acked_at_kill + 10000; },
                      seconds(90)))
      << "producer did not recover after restart: acked " << producer->acked_count()
      << " (at kill " << acked_at_kill << ")";
  stop.store(true);
  load.join();
  ASSERT_TRUE(load_status.ok()) << load_status;
  Status flushed = producer->Flush(seconds(90));
  EXPECT_TRUE(flushed.ok()) << flushed;
  ProduceReport report = producer->TakeReport();
  producer.reset();
  ASSERT_GT(report.acked.size(), 0u);
  // Failures are allowed (records in flight at the kill); losses of acked records are not.
  std::cerr << "acked=" << report.acked.size() << " failed=" << report.failed
            << " first_error=" << report.first_error << "\n";

  Result<std::map<int32_t, std::vector<Record>>> consumed =
      ConsumeAll(cluster.bootstrap(), topic, seconds(120));
  ASSERT_TRUE(consumed.ok()) << consumed.status();
  std::map<int32_t, std::map<int64_t, const Record*>> by_offset;
  for (const auto& [p, records] : consumed.value()) {
    int64_t expect = records.empty() ? 0 : records.front().offset;
    for (const Record& r : records) {
      ASSERT_EQ(r.offset, expect++) << "gap in partition " << p;
      by_offset[p][r.offset] = &r;
    }
  }
  int64_t missing = 0;
  for (const Record& acked : report.acked) {
    auto it = by_offset[acked.partition].find(acked.offset);
    if (it == by_offset[acked.partition].end()) {
      if (missing++ < 5) ADD_FAILURE() << "acked record lost: " << Describe(acked);
      continue;
    }
    if (!it->second->SameContent(acked)) {
      if (missing++ < 5) {
        ADD_FAILURE() << "acked record replaced:\n want " << Describe(acked) << "\n got  "
                      << Describe(*it->second);
      }
    }
  }
  ASSERT_EQ(missing, 0) << "of " << report.acked.size() << " acked records";

  // The recovered tail takes new appends: they land right after it and read back.
  std::map<int32_t, int64_t> end_before;
  for (const auto& [p, records] : consumed.value()) {
    end_before[p] = records.empty() ? 0 : records.back().offset + 1;
  }
  std::vector<Record> fresh;
  for (int i = 0; i < 300; ++i) {
    Record r = LoadRecord(10000000 + i);
    fresh.push_back(r);
  }
  Result<ProduceReport> after =
      ProduceAll(cluster.bootstrap(), topic, fresh, {{"acks", "all"}}, seconds(60));
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->failed, 0) << after->first_error;
  for (const Record& r : after->acked) {
    EXPECT_GE(r.offset, end_before[r.partition]) << Describe(r);
  }
  Result<std::map<int32_t, std::vector<Record>>> again =
      ConsumeAll(cluster.bootstrap(), topic, seconds(60));
  ASSERT_TRUE(again.ok()) << again.status();
  for (const Record& r : after->acked) {
    const std::vector<Record>& part = again.value()[r.partition];
    int64_t first = part.empty() ? 0 : part.front().offset;
    ASSERT_LT(r.offset - first, static_cast<int64_t>(part.size())) << Describe(r);
    EXPECT_TRUE(part[r.offset - first].SameContent(r)) << Describe(r);
  }
  // And a brand-new topic works end to end.
  CLUSTER_ASSERT_OK(CreateTopic(cluster.bootstrap(), "after-crash", 1, 1, seconds(30)));
  std::vector<Record> small(fresh.begin(), fresh.begin() + 10);
  for (Record& r : small) r.partition = 0;
  Result<ProduceReport> p2 =
      ProduceAll(cluster.bootstrap(), "after-crash", small, {{"acks", "all"}}, seconds(60));
  ASSERT_TRUE(p2.ok() && p2->failed == 0);
  Result<std::map<int32_t, std::vector<Record>>> c2 =
      ConsumeAll(cluster.bootstrap(), "after-crash", seconds(60));
  ASSERT_TRUE(c2.ok()) << c2.status();
  ASSERT_EQ(c2.value()[0].size(), small.size());
  EXPECT_TRUE(broker.Alive());
}

}  // namespace
}  // namespace sluice::testing
