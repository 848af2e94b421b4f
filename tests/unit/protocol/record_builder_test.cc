#include "protocol/record_builder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/record_batch.h"

namespace sluice::protocol {
namespace {

class BuilderRoundTrip : public ::testing::TestWithParam<Compression> {};

TEST_P(BuilderRoundTrip, EveryFieldSurvives) {
  Compression codec = GetParam();
  RecordBatchBuilder b(codec, /*base_offset=*/100);
  b.set_producer(77, 3, 40).set_partition_leader_epoch(5).set_transactional(true);
  std::string big(5000, 'z');  // makes compression worthwhile
  b.Add(5000, "a", "first", {{"h1", "v1"}, {"h2", std::nullopt}});
  b.Add(4990, std::nullopt, big);            // earlier timestamp: negative delta
  b.Add(5010, "", std::nullopt, {{"", ""}});  // empty key, null value, empty header
  std::string bytes = b.Build();

  auto batch = RecordBatchView::Parse(bytes);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->size_bytes(), bytes.size());
  EXPECT_TRUE(batch->VerifyCrc().ok());
  EXPECT_EQ(batch->compression(), codec);
  EXPECT_EQ(batch->base_offset(), 100);
  EXPECT_EQ(batch->partition_leader_epoch(), 5);
  EXPECT_EQ(batch->record_count(), 3);
  EXPECT_EQ(batch->last_offset_delta(), 2);
  EXPECT_EQ(batch->last_offset(), 102);
  EXPECT_EQ(batch->base_timestamp(), 5000);
  EXPECT_EQ(batch->max_timestamp(), 5010);
  EXPECT_EQ(batch->producer_id(), 77);
  EXPECT_EQ(batch->producer_epoch(), 3);
  EXPECT_EQ(batch->base_sequence(), 40);
  EXPECT_TRUE(batch->is_transactional());
  EXPECT_FALSE(batch->is_control());
  EXPECT_EQ(batch->timestamp_type(), TimestampType::kCreateTime);
  EXPECT_TRUE(ValidateProducerBatch(*batch).ok());
  if (codec != Compression::kNone) {
    EXPECT_LT(bytes.size(), big.size());
  }

  int n = 0;
  Status st = ForEachRecord(*batch, [&](const Record& r) {
    EXPECT_EQ(r.offset, 100 + n);
    switch (n) {
      case 0:
        EXPECT_EQ(r.timestamp, 5000);
        EXPECT_EQ(r.key, "a");
        EXPECT_EQ(r.value, "first");
        ASSERT_EQ(r.headers.size(), 2u);
        EXPECT_EQ(r.headers[0].key, "h1");
        EXPECT_EQ(r.headers[0].value, "v1");
        EXPECT_EQ(r.headers[1].key, "h2");
        EXPECT_EQ(r.headers[1].value, std::nullopt);
        break;
      case 1:
        EXPECT_EQ(r.timestamp, 4990);
        EXPECT_EQ(r.key, std::nullopt);
        EXPECT_EQ(r.value, big);
        EXPECT_TRUE(r.headers.empty());
        break;
      case 2:
        EXPECT_EQ(r.timestamp, 5010);
        EXPECT_EQ(r.key, "");
        EXPECT_EQ(r.value, std::nullopt);
        ASSERT_EQ(r.headers.size(), 1u);
        EXPECT_EQ(r.headers[0].key, "");
        EXPECT_EQ(r.headers[0].value, "");
        break;
    }
    ++n;
  });
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_EQ(n, 3);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, BuilderRoundTrip,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kSnappy, Compression::kLz4,
                                           Compression::kZstd),
                         [](const auto& param_info) {
                           return std::string(CompressionName(param_info.param));
                         });

TEST(RecordBatchBuilder, DefaultsMatchAPlainProducer) {
  RecordBatchBuilder b;
  b.Add(1, "k", "v");
  std::string bytes = b.Build();
  auto batch = RecordBatchView::Parse(bytes);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->producer_id(), -1);
  EXPECT_EQ(batch->producer_epoch(), -1);
  EXPECT_EQ(batch->base_sequence(), -1);
  EXPECT_EQ(batch->partition_leader_epoch(), -1);
  EXPECT_EQ(batch->attributes(), 0);
  EXPECT_EQ(batch->magic(), 2);
}

TEST(RecordBatchBuilder, EmptyBatchIsWellFormed) {
  std::string bytes = RecordBatchBuilder().Build();
  EXPECT_EQ(bytes.size(), kBatchHeaderSize);
  auto batch = RecordBatchView::Parse(bytes);
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE(batch->VerifyCrc().ok());
  EXPECT_EQ(batch->record_count(), 0);
  EXPECT_EQ(batch->last_offset_delta(), -1);
  EXPECT_EQ(batch->base_timestamp(), -1);
  EXPECT_TRUE(ForEachRecord(*batch, [](const Record&) { FAIL(); }).ok());
}

TEST(RecordBatchBuilder, LogAppendTimeAndClear) {
  RecordBatchBuilder b;
  b.set_timestamp_type(TimestampType::kLogAppendTime);
  b.Add(10, "x", "y");
  b.Clear();
  EXPECT_EQ(b.record_count(), 0);
  b.Add(20, "k", "v");
  std::string bytes = b.Build();
  auto batch = RecordBatchView::Parse(bytes);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->record_count(), 1);
  EXPECT_EQ(batch->base_timestamp(), 20);
  EXPECT_EQ(batch->timestamp_type(), TimestampType::kLogAppendTime);
}

TEST(RecordBatchBuilder, ManyRecordsSpanLz4Blocks) {
  // > 64 KiB of records: several LZ4 blocks, several xerial-free snappy fragments.
  for (Compression c : {Compression::kLz4, Compression::kSnappy, Compression::kGzip}) {
    RecordBatchBuilder b(c);
    for (int i = 0; i < 3000; ++i) b.Add(i, std::to_string(i), std::string(50, 'a' + i % 26));
    std::string bytes = b.Build();
    auto batch = RecordBatchView::Parse(bytes);
    ASSERT_TRUE(batch.ok());
    int n = 0;
    Status st = ForEachRecord(*batch, [&](const Record& r) {
      EXPECT_EQ(r.key, std::to_string(n));
      ++n;
    });
    EXPECT_TRUE(st.ok()) << st;
    EXPECT_EQ(n, 3000);
  }
}

}  // namespace
}  // namespace sluice::protocol
