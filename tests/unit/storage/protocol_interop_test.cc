// Batches made by protocol::RecordBatchBuilder go through the log unchanged except for the
// leader-assigned base offset and epoch, and still pass protocol::RecordBatchView's CRC check.
#include <gtest/gtest.h>

#include <string>

#include "protocol/record_batch.h"
#include "protocol/record_builder.h"
#include "storage/log.h"
#include "tests/unit/storage/test_util.h"

namespace sluice::storage {
namespace {

TEST(ProtocolInterop, BuilderBatchesRoundTripWithAssignedOffsetsAndValidCrc) {
  testing::TempDir dir;
  LogConfig config;
  config.segment_bytes = 2048;
  auto log = std::move(Log::Open(dir.path() + "/p-0", config, Offset(0))).value();
  std::vector<std::string> appended;
  for (int i = 0; i < 40; ++i) {
    protocol::RecordBatchBuilder builder;
    for (int r = 0; r <= i % 4; ++r) {
      builder.Add(1000 + i, "key-" + std::to_string(r), std::string(40 + r, 'x'));
    }
    std::string b = builder.Build();
    Result<AppendInfo> info =
        log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), LeaderEpoch(7), 0);
    ASSERT_TRUE(info.ok()) << info.status();
    appended.push_back(b);
  }
  ASSERT_GT(log->segment_count(), 3u);
  int64_t next = 0;
  size_t i = 0;
  while (next < log->log_end_offset().value()) {
    Result<std::string> bytes = log->ReadToString(Offset(next), 1, log->log_end_offset(), true);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    Result<protocol::RecordBatchView> view = protocol::RecordBatchView::Parse(bytes.value());
    ASSERT_TRUE(view.ok()) << view.status();
    EXPECT_TRUE(view->VerifyCrc().ok()) << "offset " << next;
    EXPECT_EQ(view->base_offset(), next);
    EXPECT_EQ(view->partition_leader_epoch(), 7);
    EXPECT_EQ(view->record_count(), static_cast<int32_t>(i % 4) + 1);
    EXPECT_EQ(bytes.value(), appended[i]);
    next = view->last_offset() + 1;
    ++i;
  }
  EXPECT_EQ(i, appended.size());
}

TEST(ProtocolInterop, OffsetForTimestampFindsTheRecordInsideABatch) {
  testing::TempDir dir;
  auto log = std::move(Log::Open(dir.path() + "/p-0", LogConfig{}, Offset(0))).value();
  int64_t shift = 0;
  for (auto compression : {protocol::Compression::kNone, protocol::Compression::kZstd}) {
    protocol::RecordBatchBuilder builder(compression);
    for (int64_t ts : {100, 300, 200, 400}) builder.Add(shift + ts, std::nullopt, "v");
    shift += 1000;
    std::string b = builder.Build();
    ASSERT_TRUE(
        log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), LeaderEpoch(0), 0)
            .ok());
  }
  EXPECT_EQ(log->OffsetForTimestamp(50).value(), Offset(0));
  EXPECT_EQ(log->OffsetForTimestamp(150).value(), Offset(1));
  EXPECT_EQ(log->OffsetForTimestamp(300).value(), Offset(1));
  EXPECT_EQ(log->OffsetForTimestamp(301).value(), Offset(3));
  EXPECT_EQ(log->OffsetForTimestamp(401).value(), Offset(4));
  EXPECT_EQ(log->OffsetForTimestamp(1150).value(), Offset(5));  // inside the zstd batch
  EXPECT_EQ(log->OffsetForTimestamp(1301).value(), Offset(7));
  EXPECT_EQ(log->OffsetForTimestamp(1401).value(), Offset(8));
}

}  // namespace
}  // namespace sluice::storage
