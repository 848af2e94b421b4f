// Crash recovery: damage segment files the way crashes and disks do (leveldb log_test style) and
// check what Log::Open keeps.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "storage/file_util.h"
#include "storage/log.h"
#include "storage/segment.h"
#include "tests/unit/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::MakeBatch;
using testing::ParseBatches;
using testing::TempDir;

class LogRecoveryTest : public ::testing::Test {
 protected:
  LogRecoveryTest() : log_dir_(dir_.path() + "/topic-0") {
    config_.segment_bytes = 4096;
    config_.index_interval_bytes = 512;
  }
  std::unique_ptr<Log> OpenLog(Offset recovery_point) {
    Result<std::unique_ptr<Log>> log = Log::Open(log_dir_, config_, recovery_point);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? std::move(log).value() : nullptr;
  }
  // Writes `n` 5-record batches and closes cleanly; returns the batches' bytes.
  std::vector<std::string> Populate(int n) {
    auto log = OpenLog(Offset(0));
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      std::string b = MakeBatch(5, 50, 1000 + i);
      EXPECT_TRUE(
          log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), LeaderEpoch(1), 0)
              .ok());
      out.push_back(b);
    }
    EXPECT_TRUE(log->Close().ok());
    return out;
  }
  std::string SegmentPath(int64_t base, const char* suffix) {
    return Segment::FileName(log_dir_, base, suffix);
  }
  std::vector<int64_t> SegmentBases() {
    std::vector<int64_t> bases;
    for (const auto& e : std::filesystem::directory_iterator(log_dir_)) {
      if (e.path().extension() == ".log") bases.push_back(std::stoll(e.path().stem().string()));
    }
    std::sort(bases.begin(), bases.end());
    return bases;
  }
  // Plain overwrite (no fsync: these tests damage files, they do not crash the machine).
  void WriteFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << path;
  }
  std::string ReadFile(const std::string& path) { return ReadWholeFile(path).value(); }
  void ExpectReadsMatch(Log* log, const std::vector<std::string>& written) {
    for (int64_t o = 0; o < log->log_end_offset().value(); ++o) {
      Result<std::string> r = log->ReadToString(Offset(o), 1, log->log_end_offset(), true);
      ASSERT_TRUE(r.ok()) << r.status();
      auto b = ParseBatches(r.value());
      ASSERT_EQ(b.size(), 1u) << o;
      ASSERT_EQ(r.value(), written[static_cast<size_t>(o / 5)]) << o;
    }
  }

  TempDir dir_;
  std::string log_dir_;
  LogConfig config_;
};

TEST_F(LogRecoveryTest, TornLastBatchAtEveryByteIsCutAtLastWholeBatch) {
  std::vector<std::string> written = Populate(8);  // one segment
  ASSERT_EQ(SegmentBases().size(), 1u);
  std::string path = SegmentPath(0, ".log");
  std::string full = ReadFile(path);
  size_t last = written.back().size();
  for (size_t cut = 1; cut < last; ++cut) {
    WriteFile(path, full.substr(0, full.size() - cut));
    auto log = OpenLog(Offset(0));
    ASSERT_NE(log, nullptr);
    ASSERT_EQ(log->log_end_offset(), Offset(35)) << "cut " << cut;
    ASSERT_EQ(log->size_bytes(), static_cast<int64_t>(full.size() - last)) << "cut " << cut;
    ASSERT_EQ(ReadFile(path).size(), full.size() - last);
    // Appends continue right after the last whole batch.
    std::string b = MakeBatch(5, 50, 2000);
    ASSERT_EQ(log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), LeaderEpoch(1), 0)
                  ->first_offset,
              Offset(35));
    log.reset();
  }
}

TEST_F(LogRecoveryTest, TornTailIsCutEvenAfterCleanShutdownMarker) {
  std::vector<std::string> written = Populate(8);
  std::string path = SegmentPath(0, ".log");
  std::string full = ReadFile(path);
  WriteFile(path, full.substr(0, full.size() - 7));
  auto log = OpenLog(Offset(INT64_MAX));
  EXPECT_EQ(log->log_end_offset(), Offset(35));
}

TEST_F(LogRecoveryTest, FlippedByteAfterRecoveryPointCutsLogThereAndDropsLaterSegments) {
  std::vector<std::string> written = Populate(60);
  std::vector<int64_t> bases = SegmentBases();
  ASSERT_GE(bases.size(), 4u);
  // Damage the third batch of the second segment, in its records (CRC-covered).
  int64_t base = bases[1];
  std::string path = SegmentPath(base, ".log");
  std::string bytes = ReadFile(path);
  size_t batch = written[0].size();
  bytes[2 * batch + 100] ^= 0x01;
  WriteFile(path, bytes);
  auto log = OpenLog(Offset(base));
  EXPECT_EQ(log->log_end_offset(), Offset(base + 10));
  EXPECT_EQ(log->segment_count(), 2u);
  EXPECT_EQ(SegmentBases().size(), 2u);
  ExpectReadsMatch(log.get(), written);
}

TEST_F(LogRecoveryTest, DamagedHeaderAfterRecoveryPointCutsLog) {
  std::vector<std::string> written = Populate(10);
  std::string path = SegmentPath(0, ".log");
  std::string bytes = ReadFile(path);
  size_t batch = written[0].size();
  bytes[4 * batch + 16] = 7;  // magic of the fifth batch
  WriteFile(path, bytes);
  auto log = OpenLog(Offset(0));
  EXPECT_EQ(log->log_end_offset(), Offset(20));
}

TEST_F(LogRecoveryTest, SegmentsBelowRecoveryPointAreNotRescanned) {
  std::vector<std::string> written = Populate(60);
  std::vector<int64_t> bases = SegmentBases();
  std::string path = SegmentPath(bases[0], ".log");
  std::string bytes = ReadFile(path);
  bytes[bytes.size() - 5] ^= 0x01;  // a record byte: only a CRC check would notice
  WriteFile(path, bytes);
  auto log = OpenLog(Offset(bases[2]));
  EXPECT_EQ(log->log_end_offset(), Offset(300));
  EXPECT_EQ(log->segment_count(), bases.size());
}

TEST_F(LogRecoveryTest, CleanShutdownSkipsTheCrcScanOfTheActiveSegment) {
  std::vector<std::string> written = Populate(8);
  std::string path = SegmentPath(0, ".log");
  std::string bytes = ReadFile(path);
  bytes[bytes.size() - 5] ^= 0x01;  // a record byte of the last batch
  WriteFile(path, bytes);
  EXPECT_EQ(OpenLog(Offset(INT64_MAX))->log_end_offset(), Offset(40));  // trusted
  EXPECT_EQ(OpenLog(Offset(35))->log_end_offset(), Offset(35));         // scanned: cut
}

TEST_F(LogRecoveryTest, GarbageIndexFilesAreRebuilt) {
  std::vector<std::string> written = Populate(60);
  std::vector<int64_t> bases = SegmentBases();
  ASSERT_GE(bases.size(), 3u);
  std::string garbage;
  for (int i = 0; i < 64; ++i) garbage.push_back(static_cast<char>(i * 37 + 11));
  WriteFile(SegmentPath(bases[0], ".index"), garbage);
  WriteFile(SegmentPath(bases[1], ".timeindex"), garbage.substr(0, 13));
  ::unlink(SegmentPath(bases[2], ".index").c_str());
  auto log = OpenLog(Offset(INT64_MAX));
  EXPECT_EQ(log->log_end_offset(), Offset(300));
  ExpectReadsMatch(log.get(), written);
  EXPECT_EQ(log->OffsetForTimestamp(1000 + 30).value(), Offset(150));
  ASSERT_TRUE(log->Close().ok());
  // The rebuilt index was written back: it is a whole number of 8-byte entries again.
  EXPECT_EQ(ReadFile(SegmentPath(bases[0], ".index")).size() % 8, 0u);
  EXPECT_GT(ReadFile(SegmentPath(bases[0], ".index")).size(), 0u);
}

TEST_F(LogRecoveryTest, IndexEntryPointingIntoABatchIsDetected) {
  std::vector<std::string> written = Populate(10);
  std::string index = ReadFile(SegmentPath(0, ".index"));
  ASSERT_GE(index.size(), 8u);
  // Shift the last entry's position by one byte.
  auto* p = reinterpret_cast<uint8_t*>(index.data()) + index.size() - 4;
  StoreBe32(p, LoadBe32(p) + 1);
  WriteFile(SegmentPath(0, ".index"), index);
  auto log = OpenLog(Offset(INT64_MAX));
  EXPECT_EQ(log->log_end_offset(), Offset(50));
  ExpectReadsMatch(log.get(), written);
}

TEST_F(LogRecoveryTest, LeftoverTempFilesAndOrphanIndexesAreRemoved) {
  Populate(3);
  WriteFile(log_dir_ + "/00000000000000000999.index", "12345678");
  WriteFile(log_dir_ + "/00000000000000000000.log.deleted", "x");
  auto log = OpenLog(Offset(0));
  EXPECT_NE(::access((log_dir_ + "/00000000000000000999.index").c_str(), F_OK), 0);
  EXPECT_NE(::access((log_dir_ + "/00000000000000000000.log.deleted").c_str(), F_OK), 0);
  EXPECT_EQ(log->log_end_offset(), Offset(15));
}

TEST_F(LogRecoveryTest, RandomDamageNeverYieldsWrongData) {
  std::vector<std::string> written = Populate(40);
  std::vector<int64_t> bases = SegmentBases();
  std::map<std::string, std::string> pristine;
  for (const auto& e : std::filesystem::directory_iterator(log_dir_)) {
    pristine[e.path().string()] = ReadFile(e.path().string());
  }
  std::mt19937 rng(20261125);
  constexpr int kRounds = 60;
  for (int round = 0; round < kRounds; ++round) {
    for (const auto& [path, bytes] : pristine) WriteFile(path, bytes);
    for (const auto& e : std::filesystem::directory_iterator(log_dir_)) {
      if (!pristine.count(e.path().string())) std::filesystem::remove(e.path());
    }
    // Damage one to three files: flip, zero or cut at random places (logs and indexes alike).
    int hits = 1 + static_cast<int>(rng() % 3);
    for (int h = 0; h < hits; ++h) {
      auto it = pristine.begin();
      std::advance(it, static_cast<long>(rng() % pristine.size()));
      std::string bytes = ReadFile(it->first);
      if (bytes.empty()) continue;
      size_t at = rng() % bytes.size();
      int how = static_cast<int>(rng() % 3);
      if (how == 0 && it->first.size() > 4 && it->first.substr(it->first.size() - 4) == ".log") {
        // Flips only where the format can notice: baseOffset (0-7) and partitionLeaderEpoch
        // (12-15) are outside the CRC by design (Kafka has the same blind spot).
        size_t batch = written[0].size();
        at = at - at % batch + 16 + rng() % (batch - 16);
        if (at >= bytes.size()) continue;
      }
      switch (how) {
        case 0:
          bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8)));
          break;
        case 1:
          std::fill(bytes.begin() + static_cast<long>(at), bytes.end(), '\0');
          break;
        default:
          bytes.resize(at);
          break;
      }
      WriteFile(it->first, bytes);
    }
    auto log = OpenLog(Offset(0));
    ASSERT_NE(log, nullptr) << "round " << round;
    ASSERT_LE(log->log_end_offset(), Offset(200));
    // Whatever survived is exactly what was written for those offsets. (Losing a whole tail of
    // a middle segment at a batch boundary leaves an offset gap, which the format allows, as
    // compaction does; reads then skip to the next batch.)
    for (int64_t o = log->log_start_offset().value(); o < log->log_end_offset().value(); ++o) {
      Result<std::string> r = log->ReadToString(Offset(o), 1, log->log_end_offset(), true);
      ASSERT_TRUE(r.ok()) << r.status();
      auto b = ParseBatches(r.value());
      ASSERT_EQ(b.size(), 1u) << "round " << round << " offset " << o;
      ASSERT_GE(b[0].last_offset, o);
      ASSERT_EQ(b[0].base_offset % 5, 0);
      ASSERT_EQ(r.value(), written[static_cast<size_t>(b[0].base_offset / 5)]) << "round " << round;
    }
    log.reset();
  }
}

TEST_F(LogRecoveryTest, RandomIndexDamageOnCleanLoadLosesNothing) {
  std::vector<std::string> written = Populate(40);
  std::map<std::string, std::string> indexes;
  for (const auto& e : std::filesystem::directory_iterator(log_dir_)) {
    std::string ext = e.path().extension().string();
    if (ext == ".index" || ext == ".timeindex") {
      indexes[e.path().string()] = ReadFile(e.path().string());
    }
  }
  ASSERT_GT(indexes.size(), 4u);
  std::mt19937 rng(7);
  constexpr int kRounds = 60;
  for (int round = 0; round < kRounds; ++round) {
    for (const auto& [path, bytes] : indexes) WriteFile(path, bytes);
    for (int h = 0; h < 3; ++h) {
      auto it = indexes.begin();
      std::advance(it, static_cast<long>(rng() % indexes.size()));
      std::string bytes = it->second;
      if (bytes.empty()) continue;
      size_t at = rng() % bytes.size();
      bool time_index =
          it->first.size() > 10 && it->first.substr(it->first.size() - 10) == ".timeindex";
      // Like Kafka, a clean load trusts the timestamps in .timeindex (a flipped timestamp or a
      // lost whole entry there is not detectable); everything else must be caught.
      if (time_index) at = at - at % 12 + 8 + rng() % 4;
      if (at >= bytes.size()) continue;
      switch (rng() % 3) {
        case 0:
          bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8)));
          break;
        case 1:
          if (time_index && at % 12 == 0) ++at;
          bytes.resize(at);
          break;
        default:
          bytes += std::string(1 + rng() % 16, static_cast<char>(rng()));
          break;
      }
      WriteFile(it->first, bytes);
    }
    auto log = OpenLog(Offset(INT64_MAX));
    ASSERT_NE(log, nullptr);
    ASSERT_EQ(log->log_end_offset(), Offset(200)) << "round " << round;
    ExpectReadsMatch(log.get(), written);
    for (int i = 0; i < 40; ++i) {
      ASSERT_EQ(log->OffsetForTimestamp(1000 + i).value(), Offset(5 * i)) << "round " << round;
    }
  }
}

TEST_F(LogRecoveryTest, DamagedEpochCheckpointIsRebuiltFromBatches) {
  std::vector<EpochEntry> before;
  {
    auto log = OpenLog(Offset(0));
    for (int epoch : {2, 2, 5, 9, 9}) {
      std::string b = MakeBatch(5, 50, 1000);
      ASSERT_TRUE(
          log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), LeaderEpoch(epoch), 0)
              .ok());
    }
    before = log->epoch_cache().entries();
    ASSERT_TRUE(log->Close().ok());
  }
  ASSERT_EQ(before.size(), 3u);
  WriteFile(log_dir_ + "/leader-epoch-checkpoint", "0\n3\n2 0\n5 x");
  auto log = OpenLog(Offset(INT64_MAX));
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->epoch_cache().entries(), before);
  EXPECT_EQ(LeaderEpochCache::Load(log_dir_)->entries(), before);
}

TEST_F(LogRecoveryTest, EpochCacheIsTruncatedToRecoveredLog) {
  {
    auto log = OpenLog(Offset(0));
    for (int epoch : {1, 2, 3}) {
      std::string b = MakeBatch(5, 50, 1000);
      ASSERT_TRUE(
          log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), LeaderEpoch(epoch), 0)
              .ok());
    }
    ASSERT_TRUE(log->Close().ok());
  }
  std::string path = SegmentPath(0, ".log");
  std::string bytes = ReadFile(path);
  WriteFile(path, bytes.substr(0, bytes.size() - 1));  // tear the epoch-3 batch
  auto log = OpenLog(Offset(0));
  EXPECT_EQ(log->log_end_offset(), Offset(10));
  EXPECT_EQ(log->latest_epoch(), LeaderEpoch(2));
  Result<LeaderEpochCache> on_disk = LeaderEpochCache::Load(log_dir_);
  EXPECT_EQ(on_disk->latest_epoch(), LeaderEpoch(2));
}

}  // namespace
}  // namespace sluice::storage
