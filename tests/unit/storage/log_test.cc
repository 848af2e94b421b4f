#include "storage/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/file_util.h"
#include "tests/unit/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::MakeBatch;
using testing::ParseBatches;
using testing::TempDir;

class LogTest : public ::testing::Test {
 protected:
  LogTest() {
    config_.segment_bytes = 4096;
    config_.index_interval_bytes = 512;
  }
  std::unique_ptr<Log> OpenLog(Offset recovery_point = Offset(0)) {
    Result<std::unique_ptr<Log>> log = Log::Open(dir_.path() + "/t-0", config_, recovery_point);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? std::move(log).value() : nullptr;
  }
  // Appends `n` batches of `records` records; returns the bytes as written (offsets assigned).
  std::vector<std::string> Append(Log* log, int n, int records = 5, int64_t ts = 1000,
                                  LeaderEpoch epoch = LeaderEpoch(1), int64_t now_ms = 0) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      std::string b = MakeBatch(records, 50, ts + i, 0, 0, static_cast<char>('a' + i % 26));
      Result<AppendInfo> info =
          log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), epoch, now_ms);
      EXPECT_TRUE(info.ok()) << info.status();
      out.push_back(b);
    }
    return out;
  }
  // Every batch from `start` to `end` by repeated reads.
  std::string ReadAll(Log* log, Offset start, Offset end) {
    std::string all;
    while (start < end) {
      Result<std::string> r = log->ReadToString(start, 1000, end, true);
      EXPECT_TRUE(r.ok()) << r.status();
      if (!r.ok() || r->empty()) break;
      auto batches = ParseBatches(r.value());
      all += r.value();
      start = Offset(batches.back().last_offset + 1);
    }
    return all;
  }

  TempDir dir_;
  LogConfig config_;
};

TEST_F(LogTest, AppendAssignsOffsetsAndEpoch) {
  auto log = OpenLog();
  std::string b = MakeBatch(3, 10, 1000, 77, -1);
  Result<AppendInfo> info =
      log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), LeaderEpoch(4), 0);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->first_offset, Offset(0));
  EXPECT_EQ(info->last_offset, Offset(2));
  EXPECT_EQ(info->log_append_time, -1);
  auto parsed = ParseBatches(b);
  EXPECT_EQ(parsed[0].base_offset, 0);
  EXPECT_EQ(parsed[0].epoch, 4);
  EXPECT_TRUE(BatchCrcMatches(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
  info = log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), LeaderEpoch(4), 0);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->first_offset, Offset(3));
  EXPECT_EQ(log->log_end_offset(), Offset(6));
}

TEST_F(LogTest, RejectsMalformedLeaderBatch) {
  auto log = OpenLog();
  std::string b = MakeBatch(3, 10, 1000);
  EXPECT_EQ(
      log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size() - 1, LeaderEpoch(0), 0)
          .status()
          .code(),
      Errc::kInvalidArgument);
  b[16] = 1;  // magic
  EXPECT_EQ(log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), LeaderEpoch(0), 0)
                .status()
                .code(),
            Errc::kInvalidArgument);
  EXPECT_EQ(log->log_end_offset(), Offset(0));
}

TEST_F(LogTest, RoundTripAcrossManySegmentRolls) {
  auto log = OpenLog();
  std::vector<std::string> written = Append(log.get(), 300);
  EXPECT_GT(log->segment_count(), 20u);
  EXPECT_EQ(log->log_end_offset(), Offset(1500));
  std::string expected;
  for (const auto& b : written) expected += b;
  EXPECT_EQ(ReadAll(log.get(), Offset(0), log->log_end_offset()), expected);
  EXPECT_EQ(log->size_bytes(), static_cast<int64_t>(expected.size()));
}

TEST_F(LogTest, ReadAtEveryOffsetReturnsTheBatchContainingIt) {
  auto log = OpenLog();
  Append(log.get(), 60);
  for (int64_t o = 0; o < log->log_end_offset().value(); ++o) {
    Result<std::string> r = log->ReadToString(Offset(o), 1, log->log_end_offset(), true);
    ASSERT_TRUE(r.ok()) << r.status();
    auto batches = ParseBatches(r.value());
    ASSERT_EQ(batches.size(), 1u) << "offset " << o;
    EXPECT_LE(batches[0].base_offset, o);
    EXPECT_GE(batches[0].last_offset, o);
    EXPECT_EQ(batches[0].base_offset, o - o % 5);
  }
}

TEST_F(LogTest, MaxBytesAndMinOneBatch) {
  auto log = OpenLog();
  std::vector<std::string> written = Append(log.get(), 5);
  int64_t batch = static_cast<int64_t>(written[0].size());
  Offset leo = log->log_end_offset();
  Result<ReadResult> r = log->Read(Offset(0), 10, leo, /*min_one_batch=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->region.length, batch);
  EXPECT_EQ(r->region.offset, 0);
  r = log->Read(Offset(0), 10, leo, /*min_one_batch=*/false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->region.length, 10);  // a partial batch, as Kafka
  EXPECT_TRUE(log->ReadToString(Offset(0), 10, leo, false)->empty());
  r = log->Read(Offset(0), static_cast<int32_t>(batch * 2 + 7), leo, false);
  EXPECT_EQ(r->region.length, batch * 2 + 7);
  EXPECT_EQ(
      ParseBatches(
          log->ReadToString(Offset(0), static_cast<int32_t>(batch * 2 + 7), leo, false).value())
          .size(),
      2u);
  // Starting mid-batch returns from the batch start.
  r = log->Read(Offset(7), 1 << 20, leo, false);
  EXPECT_EQ(r->region.offset, batch);
  EXPECT_EQ(r->first_batch_offset, Offset(5));
  EXPECT_EQ(r->region.length, batch * 4);
}

TEST_F(LogTest, ReadIsBoundedByTheGivenMaxOffset) {
  auto log = OpenLog();
  Append(log.get(), 10);
  Offset leo = log->log_end_offset();
  EXPECT_EQ(log->SetHighWatermark(Offset(20)), Offset(20));
  Result<std::string> r = log->ReadToString(Offset(0), 1 << 20, log->high_watermark(), false);
  ASSERT_TRUE(r.ok());
  auto batches = ParseBatches(r.value());
  ASSERT_EQ(batches.size(), 4u);
  EXPECT_EQ(batches.back().last_offset, 19);
  // Between HW and LEO: nothing, not an error.
  for (int64_t o : {20, 33, 50}) {
    Result<ReadResult> rr = log->Read(Offset(o), 1 << 20, log->high_watermark(), true);
    ASSERT_TRUE(rr.ok()) << o;
    EXPECT_EQ(rr->region.length, 0) << o;
    EXPECT_EQ(rr->high_watermark, Offset(20));
    EXPECT_EQ(rr->log_end_offset, leo);
  }
  // Followers read to LEO.
  EXPECT_EQ(ParseBatches(log->ReadToString(Offset(20), 1 << 20, leo, false).value()).size(), 6u);
}

TEST_F(LogTest, OutOfRangeBelowLogStartAndAboveLogEnd) {
  auto log = OpenLog();
  Append(log.get(), 3);
  EXPECT_EQ(log->Read(Offset(16), 100, Offset(15), true).status().code(), Errc::kOutOfRange);
  EXPECT_EQ(log->Read(Offset(-1), 100, Offset(15), true).status().code(), Errc::kOutOfRange);
  ASSERT_TRUE(log->TruncateFullyAndStartAt(Offset(100)).ok());
  EXPECT_EQ(log->Read(Offset(99), 100, Offset(100), true).status().code(), Errc::kOutOfRange);
  EXPECT_TRUE(log->Read(Offset(100), 100, Offset(100), true).ok());
}

TEST_F(LogTest, HighWatermarkIsMonotonicAndClamped) {
  auto log = OpenLog();
  Append(log.get(), 2);
  EXPECT_EQ(log->SetHighWatermark(Offset(100)), Offset(10));
  EXPECT_EQ(log->SetHighWatermark(Offset(5)), Offset(10));
  ASSERT_TRUE(log->TruncateTo(Offset(5)).ok());
  EXPECT_EQ(log->high_watermark(), Offset(5));
}

TEST_F(LogTest, ReopenAfterCleanCloseKeepsEverything) {
  std::string expected;
  {
    auto log = OpenLog();
    for (const auto& b : Append(log.get(), 100)) expected += b;
    Append(log.get(), 1, 5, 5000, LeaderEpoch(3));
    ASSERT_TRUE(log->Close().ok());
  }
  auto log = OpenLog(Offset(INT64_MAX));
  EXPECT_EQ(log->log_end_offset(), Offset(505));
  EXPECT_EQ(log->recovery_point(), Offset(505));
  EXPECT_EQ(ReadAll(log.get(), Offset(0), Offset(500)), expected);
  EXPECT_EQ(log->latest_epoch(), LeaderEpoch(3));
  EXPECT_EQ(log->EndOffsetForEpoch(LeaderEpoch(1)), std::make_pair(LeaderEpoch(1), Offset(500)));
  Append(log.get(), 1, 5, 6000, LeaderEpoch(3));
  EXPECT_EQ(log->log_end_offset(), Offset(510));
  EXPECT_EQ(ReadAll(log.get(), Offset(0), Offset(500)), expected);
}

TEST_F(LogTest, OffsetForTimestampFindsFirstBatchAtOrAfter) {
  auto log = OpenLog();
  // Timestamps 1000, 1010, ... one batch of 5 records each, across many segments.
  for (int i = 0; i < 100; ++i) {
    std::string b = MakeBatch(5, 50, 1000 + 10 * i);
    ASSERT_TRUE(
        log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), LeaderEpoch(0), 0)
            .ok());
  }
  EXPECT_EQ(log->OffsetForTimestamp(0).value(), Offset(0));
  EXPECT_EQ(log->OffsetForTimestamp(1000).value(), Offset(0));
  EXPECT_EQ(log->OffsetForTimestamp(1001).value(), Offset(5));
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(log->OffsetForTimestamp(1000 + 10 * i).value(), Offset(5 * i)) << i;
    EXPECT_EQ(log->OffsetForTimestamp(995 + 10 * i).value(), Offset(5 * i)) << i;
  }
  EXPECT_EQ(log->OffsetForTimestamp(1000 + 10 * 99 + 1).value(), log->log_end_offset());
}

TEST_F(LogTest, OffsetForTimestampWithUnorderedTimestamps) {
  auto log = OpenLog();
  std::vector<int64_t> ts = {50, 10, 70, 30, 90, 20, 100, 60};
  for (int64_t t : ts) {
    for (int k = 0; k < 4; ++k) {  // enough bytes to make index entries
      std::string b = MakeBatch(5, 50, t + k);
      ASSERT_TRUE(
          log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), LeaderEpoch(0), 0)
              .ok());
    }
  }
  for (int64_t target = 0; target <= 110; ++target) {
    int64_t expect = log->log_end_offset().value();
    for (size_t i = 0; i < ts.size() * 4; ++i) {
      if (ts[i / 4] + static_cast<int64_t>(i % 4) >= target) {
        expect = static_cast<int64_t>(i) * 5;
        break;
      }
    }
    EXPECT_EQ(log->OffsetForTimestamp(target).value(), Offset(expect)) << target;
  }
}

TEST_F(LogTest, RollsByTime) {
  config_.segment_bytes = 1 << 20;
  config_.segment_ms = 1000;
  auto log = OpenLog();
  Append(log.get(), 1, 5, 0, LeaderEpoch(0), /*now_ms=*/10000);
  Append(log.get(), 1, 5, 0, LeaderEpoch(0), /*now_ms=*/10900);
  EXPECT_EQ(log->segment_count(), 1u);
  Append(log.get(), 1, 5, 0, LeaderEpoch(0), /*now_ms=*/11001);
  EXPECT_EQ(log->segment_count(), 2u);
  Append(log.get(), 1, 5, 0, LeaderEpoch(0), /*now_ms=*/11500);
  EXPECT_EQ(log->segment_count(), 2u);
  EXPECT_EQ(ReadAll(log.get(), Offset(0), log->log_end_offset()).size(),
            static_cast<size_t>(log->size_bytes()));
}

TEST_F(LogTest, RetentionByTimeDeletesWholeOldSegmentsBelowHighWatermark) {
  config_.retention_ms = 1000;
  auto log = OpenLog();
  // ~11 batches per segment; batch i has timestamp 10000 + i.
  Append(log.get(), 100, 5, 10000);
  size_t segments = log->segment_count();
  ASSERT_GT(segments, 5u);
  // Nothing is deletable above the HW (0 so far).
  EXPECT_EQ(log->DeleteRetainedSegments(1000000).value(), 0);
  log->SetHighWatermark(log->log_end_offset());
  // Batches 0..29 are older than now - retention (11030 - 1000): segments wholly in them go.
  Result<int> n = log->DeleteRetainedSegments(11030);
  ASSERT_TRUE(n.ok());
  EXPECT_GT(n.value(), 0);
  EXPECT_EQ(log->segment_count(), segments - static_cast<size_t>(n.value()));
  EXPECT_GT(log->log_start_offset(), Offset(0));
  EXPECT_LE(log->log_start_offset(), Offset(150));
  EXPECT_EQ(log->log_start_offset().value() % 5, 0);
  // The log start is a segment boundary: reading there works, below it is out of range.
  EXPECT_TRUE(log->Read(log->log_start_offset(), 100, log->log_end_offset(), true).ok());
  EXPECT_EQ(log->Read(Offset(log->log_start_offset().value() - 1), 100, log->log_end_offset(), true)
                .status()
                .code(),
            Errc::kOutOfRange);
  // Everything old: all but the active segment go.
  n = log->DeleteRetainedSegments(1000000);
  EXPECT_EQ(log->segment_count(), 1u);
  EXPECT_EQ(log->log_end_offset(), Offset(500));
  // The files were renamed "*.deleted" and wait for a helper thread to unlink them.
  std::vector<std::string> doomed = log->TakeFilesToDelete();
  EXPECT_GE(doomed.size(), 2 * (segments - 1));
  for (const std::string& path : doomed) {
    EXPECT_EQ(path.substr(path.size() - 8), ".deleted");
    EXPECT_EQ(::access(path.c_str(), F_OK), 0) << path;
  }
  ASSERT_TRUE(UnlinkAll(doomed).ok());
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path() + "/t-0")) {
    files += e.path().extension() == ".log" || e.path().extension() == ".deleted";
  }
  EXPECT_EQ(files, 1u);
  EXPECT_TRUE(log->TakeFilesToDelete().empty());
}

TEST_F(LogTest, RetentionByBytesKeepsAtLeastRetentionBytes) {
  config_.retention_ms = -1;
  config_.retention_bytes = 10000;
  auto log = OpenLog();
  Append(log.get(), 100);
  log->SetHighWatermark(log->log_end_offset());
  int64_t before = log->size_bytes();
  Result<int> n = log->DeleteRetainedSegments(0);
  ASSERT_TRUE(n.ok());
  EXPECT_GT(n.value(), 0);
  EXPECT_GE(log->size_bytes(), 10000);
  EXPECT_LT(log->size_bytes(), 10000 + 4096);  // one more segment would have gone under
  EXPECT_LT(log->size_bytes(), before);
  EXPECT_EQ(log->DeleteRetainedSegments(0).value(), 0);
}

TEST_F(LogTest, RegionOutlivesDeletedSegment) {
  auto log = OpenLog();
  std::vector<std::string> written = Append(log.get(), 40);
  log->SetHighWatermark(log->log_end_offset());
  size_t segments = log->segment_count();
  Result<ReadResult> r = log->Read(Offset(0), 1 << 20, log->log_end_offset(), true);
  ASSERT_TRUE(r.ok());
  ASSERT_GT(r->region.length, static_cast<int64_t>(written[0].size()));
  ASSERT_TRUE(log->MaybeIncrementLogStartOffset(Offset(100)).ok());
  EXPECT_EQ(log->log_start_offset(), Offset(100));
  EXPECT_LT(log->segment_count(), segments);
  EXPECT_EQ(log->Read(Offset(0), 100, log->log_end_offset(), true).status().code(),
            Errc::kOutOfRange);
  // The fetch in flight still reads the unlinked segment through its region.
  std::string bytes(written[0].size(), '\0');
  ASSERT_EQ(::pread(r->region.fd, bytes.data(), bytes.size(), r->region.offset),
            static_cast<ssize_t>(bytes.size()));
  EXPECT_EQ(bytes, written[0]);
}

TEST_F(LogTest, TruncateToMiddleOfSegmentThenAppendContinues) {
  auto log = OpenLog();
  std::vector<std::string> written = Append(log.get(), 30);
  size_t segments = log->segment_count();
  log->SetHighWatermark(Offset(150));
  ASSERT_TRUE(log->TruncateTo(Offset(142)).ok());  // inside batch 140..144: it goes too
  EXPECT_EQ(log->log_end_offset(), Offset(140));
  EXPECT_EQ(log->high_watermark(), Offset(140));
  EXPECT_EQ(log->segment_count(), segments);
  std::string expected;
  for (int i = 0; i < 28; ++i) expected += written[static_cast<size_t>(i)];
  EXPECT_EQ(ReadAll(log.get(), Offset(0), log->log_end_offset()), expected);
  std::vector<std::string> more = Append(log.get(), 3, 5, 9000);
  EXPECT_EQ(ParseBatches(more[0])[0].base_offset, 140);
  for (const auto& b : more) expected += b;
  EXPECT_EQ(ReadAll(log.get(), Offset(0), log->log_end_offset()), expected);
  // The index still finds every offset after truncation and re-append.
  for (int64_t o = 0; o < log->log_end_offset().value(); ++o) {
    auto b = ParseBatches(log->ReadToString(Offset(o), 1, log->log_end_offset(), true).value());
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].base_offset, o - o % 5);
  }
}

TEST_F(LogTest, TruncateAcrossSegmentsThenReopen) {
  auto log = OpenLog();
  std::vector<std::string> written = Append(log.get(), 100);
  ASSERT_GT(log->segment_count(), 5u);
  ASSERT_TRUE(log->TruncateTo(Offset(55)).ok());
  EXPECT_EQ(log->log_end_offset(), Offset(55));
  EXPECT_LE(log->segment_count(), 3u);
  Append(log.get(), 2, 5, 7000, LeaderEpoch(2));
  EXPECT_EQ(log->log_end_offset(), Offset(65));
  ASSERT_TRUE(log->Close().ok());
  log = OpenLog(Offset(0));
  EXPECT_EQ(log->log_end_offset(), Offset(65));
  std::string all = ReadAll(log.get(), Offset(0), log->log_end_offset());
  auto batches = ParseBatches(all);
  ASSERT_EQ(batches.size(), 13u);
  EXPECT_EQ(batches[11].base_offset, 55);
  EXPECT_EQ(batches[11].epoch, 2);
  EXPECT_EQ(log->EndOffsetForEpoch(LeaderEpoch(1)), std::make_pair(LeaderEpoch(1), Offset(55)));
}

TEST_F(LogTest, TruncateToSegmentBaseLeavesEmptyActiveSegment) {
  auto log = OpenLog();
  Append(log.get(), 30);
  ASSERT_TRUE(log->TruncateTo(Offset(0)).ok());
  EXPECT_EQ(log->log_end_offset(), Offset(0));
  EXPECT_EQ(log->segment_count(), 1u);
  EXPECT_EQ(log->size_bytes(), 0);
  EXPECT_TRUE(log->epoch_cache().entries().empty());
  Append(log.get(), 1);
  EXPECT_EQ(log->log_end_offset(), Offset(5));
}

TEST_F(LogTest, TruncateFullyAndStartAt) {
  auto log = OpenLog();
  Append(log.get(), 30);
  ASSERT_TRUE(log->TruncateFullyAndStartAt(Offset(1000)).ok());
  EXPECT_EQ(log->log_start_offset(), Offset(1000));
  EXPECT_EQ(log->log_end_offset(), Offset(1000));
  EXPECT_EQ(log->high_watermark(), Offset(1000));
  EXPECT_EQ(log->segment_count(), 1u);
  Append(log.get(), 2);
  EXPECT_EQ(log->log_end_offset(), Offset(1010));
  ASSERT_TRUE(log->Close().ok());
  log = OpenLog(Offset(0));
  EXPECT_EQ(log->log_start_offset(), Offset(1000));
  EXPECT_EQ(log->log_end_offset(), Offset(1010));
}

TEST_F(LogTest, EpochCacheFollowsLeaderAppends) {
  auto log = OpenLog();
  Append(log.get(), 2, 5, 0, LeaderEpoch(1));
  Append(log.get(), 2, 5, 0, LeaderEpoch(3));
  Append(log.get(), 1, 5, 0, LeaderEpoch(4));
  ASSERT_EQ(log->epoch_cache().entries().size(), 3u);
  EXPECT_EQ(log->epoch_cache().entries()[1], (EpochEntry{LeaderEpoch(3), Offset(10)}));
  EXPECT_EQ(log->EndOffsetForEpoch(LeaderEpoch(4)), std::make_pair(LeaderEpoch(4), Offset(25)));
  EXPECT_EQ(log->EndOffsetForEpoch(LeaderEpoch(2)), std::make_pair(LeaderEpoch(1), Offset(10)));
  // A deposed leader's older epoch cannot write after a newer one.
  std::string b = MakeBatch(1, 1, 0);
  EXPECT_EQ(log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), LeaderEpoch(3), 0)
                .status()
                .code(),
            Errc::kInvalidArgument);
  ASSERT_TRUE(log->TruncateTo(Offset(12)).ok());  // cuts batch 10..14
  EXPECT_EQ(log->latest_epoch(), LeaderEpoch(1));
}

TEST_F(LogTest, FollowerAppendKeepsLeaderOffsetsAndEpochs) {
  auto leader = OpenLog();
  Append(leader.get(), 3, 5, 0, LeaderEpoch(2));
  Append(leader.get(), 3, 5, 0, LeaderEpoch(5));
  std::string data =
      leader->ReadToString(Offset(0), 1 << 20, leader->log_end_offset(), true).value();
  ASSERT_EQ(ParseBatches(data).size(), 6u);

  Result<std::unique_ptr<Log>> f = Log::Open(dir_.path() + "/f-0", config_, Offset(0));
  ASSERT_TRUE(f.ok());
  Log* follower = f->get();
  // A fetch slice that ends mid-batch: the partial batch is ignored.
  std::string partial = data.substr(0, data.size() - 10);
  Result<AppendInfo> info =
      follower->AppendAsFollower(reinterpret_cast<const uint8_t*>(partial.data()), partial.size());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->first_offset, Offset(0));
  EXPECT_EQ(info->last_offset, Offset(24));
  EXPECT_EQ(follower->log_end_offset(), Offset(25));
  // Re-sending what it has is rejected.
  EXPECT_EQ(follower->AppendAsFollower(reinterpret_cast<const uint8_t*>(data.data()), data.size())
                .status()
                .code(),
            Errc::kInvalidArgument);
  std::string last = data.substr(ParseBatches(data)[0].size * 5);
  std::string damaged = last;
  damaged[damaged.size() - 3] ^= 0x40;
  EXPECT_EQ(
      follower->AppendAsFollower(reinterpret_cast<const uint8_t*>(damaged.data()), damaged.size())
          .status()
          .code(),
      Errc::kCorruption);
  ASSERT_TRUE(
      follower->AppendAsFollower(reinterpret_cast<const uint8_t*>(last.data()), last.size()).ok());
  EXPECT_EQ(follower->ReadToString(Offset(0), 1 << 20, follower->log_end_offset(), true).value(),
            data);
  EXPECT_EQ(follower->epoch_cache().entries(), leader->epoch_cache().entries());
}

TEST_F(LogTest, FollowerAppendFarBeyondTheEmptyActiveSegmentRebasesIt) {
  auto log = OpenLog();
  int64_t far = int64_t{1} << 33;
  std::string b = MakeBatch(5, 10, 1000, far);
  ASSERT_TRUE(log->AppendAsFollower(reinterpret_cast<const uint8_t*>(b.data()), b.size()).ok());
  EXPECT_EQ(log->log_end_offset(), Offset(far + 5));
  EXPECT_EQ(log->segment_count(), 1u);
  EXPECT_EQ(log->ReadToString(Offset(far + 2), 1, log->log_end_offset(), true).value(), b);
  ASSERT_TRUE(log->Close().ok());
  log = OpenLog(Offset(0));
  EXPECT_EQ(log->log_end_offset(), Offset(far + 5));
}

TEST_F(LogTest, LogStartIncrementDeletesOnlySegmentsBelowIt) {
  config_.retention_bytes = 1;  // would delete almost everything if retention ran
  auto log = OpenLog();
  Append(log.get(), 60);
  size_t segments = log->segment_count();
  EXPECT_EQ(log->MaybeIncrementLogStartOffset(Offset(10)).code(), Errc::kOutOfRange);  // HW 0
  log->SetHighWatermark(log->log_end_offset());
  ASSERT_TRUE(log->MaybeIncrementLogStartOffset(Offset(12)).ok());
  EXPECT_EQ(log->log_start_offset(), Offset(12));
  EXPECT_EQ(log->segment_count(), segments);  // 12 is inside the first segment
  // Reading at the new start returns its batch (10..14).
  EXPECT_EQ(ParseBatches(log->ReadToString(Offset(12), 1, log->log_end_offset(), true).value())[0]
                .base_offset,
            10);
  EXPECT_EQ(log->Read(Offset(11), 1, log->log_end_offset(), true).status().code(),
            Errc::kOutOfRange);
}

TEST_F(LogTest, FlushAdvancesRecoveryPoint) {
  auto log = OpenLog();
  Append(log.get(), 30);
  EXPECT_EQ(log->recovery_point(), Offset(0));
  ASSERT_TRUE(log->Flush().ok());
  EXPECT_EQ(log->recovery_point(), Offset(150));
  Append(log.get(), 1);
  EXPECT_EQ(log->recovery_point(), Offset(150));
  ASSERT_TRUE(log->Flush().ok());
  EXPECT_EQ(log->recovery_point(), Offset(155));
  // Idle: nothing to sync.
  Result<FlushJob> idle = log->PrepareFlush();
  ASSERT_TRUE(idle.ok());
  EXPECT_TRUE(idle->files.empty());
  EXPECT_EQ(idle->up_to, Offset(155));
}

TEST_F(LogTest, FailedFlushJobNeverAdvancesRecoveryPoint) {
  auto log = OpenLog();
  Append(log.get(), 3);
  Result<FlushJob> lost = log->PrepareFlush();  // say its Run() failed: never completed
  ASSERT_TRUE(lost.ok());
  Result<FlushJob> next = log->PrepareFlush();
  ASSERT_TRUE(next.ok());
  log->CompleteFlush(next.value());
  EXPECT_EQ(log->recovery_point(), Offset(0));
}

TEST_F(LogTest, DeleteRemovesTheDirectory) {
  auto log = OpenLog();
  Append(log.get(), 3);
  ASSERT_TRUE(log->Delete().ok());
  EXPECT_NE(::access((dir_.path() + "/t-0").c_str(), F_OK), 0);
}

TEST_F(LogTest, SplitFlushAdvancesRecoveryPointOnlyWithoutTruncationInBetween) {
  auto log = OpenLog();
  Append(log.get(), 30);
  Result<FlushJob> job = log->PrepareFlush();
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->up_to, Offset(150));
  EXPECT_FALSE(job->files.empty());
  Append(log.get(), 1);
  ASSERT_TRUE(job->Run().ok());
  log->CompleteFlush(job.value());
  EXPECT_EQ(log->recovery_point(), Offset(150));

  job = log->PrepareFlush();
  ASSERT_TRUE(job.ok());
  ASSERT_TRUE(log->TruncateTo(Offset(100)).ok());
  Append(log.get(), 20);
  ASSERT_TRUE(job->Run().ok());
  log->CompleteFlush(job.value());  // stale: the log was truncated and rewritten meanwhile
  EXPECT_EQ(log->recovery_point(), Offset(100));
}

}  // namespace
}  // namespace sluice::storage
