// librdkafka → sluiced → librdkafka, 200,000 keyed records with headers and timestamps per
// compression codec, acks=all: every delivery report must succeed, and a group-less consumer must
// read every record back byte-identical, in production order, at the offset its report named.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/cluster/cluster_env.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

constexpr int kRecords = 200000;
constexpr int kPartitions = 4;
constexpr int64_t kBaseTimestamp = 1700000000000;  // fixed CreateTime, so it must round-trip

std::vector<Record> MakeRecords(const std::string& codec) {
  std::vector<Record> out;
  out.reserve(kRecords);
  for (int i = 0; i < kRecords; ++i) {
    Record r;
    r.partition = i % kPartitions;
    r.key = "key-" + std::to_string(i);
    // ~100 bytes, unique per record, compressible like real payloads.
    std::string v = codec + " record " + std::to_string(i) + " ";
    while (v.size() < 100) v += static_cast<char>('a' + (i + v.size()) % 26);
    r.value = std::move(v);
    r.headers.push_back({"seq", std::to_string(i)});
    if (i % 7 == 0) r.headers.push_back({"null-header", std::nullopt});
    if (i % 11 == 0) r.headers.push_back({"bin", std::string("\0\x01\xff", 3)});
    r.timestamp = kBaseTimestamp + i;
    out.push_back(std::move(r));
  }
  return out;
}

class ProduceConsume : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() { cluster_ = new SingleBrokerCluster(); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static SingleBrokerCluster* cluster_;
};
SingleBrokerCluster* ProduceConsume::cluster_ = nullptr;

TEST_P(ProduceConsume, EveryAckedRecordReadsBackIdenticalInOrder) {
  ASSERT_TRUE(cluster_->ok()) << cluster_->status();
  const std::string codec = GetParam();
  const std::string topic = "codec-" + codec;
  const std::string bootstrap = cluster_->bootstrap();
  CLUSTER_ASSERT_OK(CreateTopic(bootstrap, topic, kPartitions, 1, seconds(30)));

  std::vector<Record> records = MakeRecords(codec);
  Result<ProduceReport> report = ProduceAll(
      bootstrap, topic, records,
      {{"acks", "all"}, {"compression.codec", codec}, {"linger.ms", "5"}}, seconds(120));
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->failed, 0) << "first failed delivery report: " << report->first_error;
  ASSERT_EQ(report->acked.size(), records.size());

  // Reports: per partition, offsets 0..n-1 in production order (no retries happened).
  std::map<int32_t, std::vector<const Record*>> acked_by_offset;
  for (const Record& r : report->acked) {
    auto& v = acked_by_offset[r.partition];
    if (static_cast<int64_t>(v.size()) <= r.offset) v.resize(r.offset + 1, nullptr);
    ASSERT_GE(r.offset, 0) << Describe(r);
    ASSERT_EQ(v[r.offset], nullptr) << "two reports for one offset: " << Describe(r);
    v[r.offset] = &r;
  }

  Result<std::map<int32_t, std::vector<Record>>> consumed =
      ConsumeAll(bootstrap, topic, seconds(120));
  ASSERT_TRUE(consumed.ok()) << consumed.status();

  std::map<int32_t, std::vector<const Record*>> produced;  // production order per partition
  for (const Record& r : records) produced[r.partition].push_back(&r);
  for (int32_t p = 0; p < kPartitions; ++p) {
    const std::vector<Record>& got = consumed.value()[p];
    const std::vector<const Record*>& want = produced[p];
    ASSERT_EQ(got.size(), want.size()) << "partition " << p;
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_EQ(got[i].offset, static_cast<int64_t>(i)) << "partition " << p;
      ASSERT_TRUE(got[i].SameContent(*want[i]))
          << "partition " << p << " offset " << i << "\n got:  " << Describe(got[i])
          << "\n want: " << Describe(*want[i]);
      const Record* acked = acked_by_offset[p][i];
      ASSERT_NE(acked, nullptr) << "no report for partition " << p << " offset " << i;
      ASSERT_TRUE(got[i].SameContent(*acked))
          << "report named offset " << i << " of partition " << p << " for another record";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, ProduceConsume,
                         ::testing::Values("none", "gzip", "snappy", "lz4", "zstd"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           return p.param;
                         });

}  // namespace
}  // namespace sluice::testing
