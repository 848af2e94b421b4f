#include "storage/log_manager.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "storage/checkpoint_file.h"
#include "storage/file_util.h"
#include "tests/unit/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::MakeBatch;
using testing::TempDir;

TEST(CheckpointFile, RoundTripWithDashesAndDotsInTopicNames) {
  TempDir dir;
  OffsetMap m;
  m[{"my-topic.v2", 0}] = Offset(42);
  m[{"a-b-c", 11}] = Offset(0);
  m[{"__consumer_offsets", 49}] = Offset(123456789012);
  std::string path = dir.path() + "/replication-offset-checkpoint";
  ASSERT_TRUE(WriteOffsetCheckpoint(path, m).ok());
  Result<std::string> text = ReadWholeFile(path);
  EXPECT_EQ(text.value().substr(0, 4), "0\n3\n");
  EXPECT_NE(text.value().find("my-topic.v2 0 42\n"), std::string::npos);
  Result<OffsetMap> back = ReadOffsetCheckpoint(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), m);
  EXPECT_TRUE(ReadOffsetCheckpoint(dir.path() + "/missing")->empty());
}

TEST(CheckpointFile, MalformedIsCorruption) {
  for (const char* bad : {"", "1\n0\n", "0\n2\nt 0 5\n", "0\n1\nt x 5\n", "0\n1\nt 0 5\nu 1 2\n"}) {
    EXPECT_EQ(DecodeOffsetCheckpoint(bad).status().code(), Errc::kCorruption) << bad;
  }
}

TEST(CheckpointFile, PartitionDirNamesSplitAtLastDash) {
  TopicPartition tp;
  ASSERT_TRUE(ParsePartitionDirName("my-topic.v2-13", &tp));
  EXPECT_EQ(tp.topic, "my-topic.v2");
  EXPECT_EQ(tp.partition, 13);
  ASSERT_TRUE(ParsePartitionDirName("t-0", &tp));
  EXPECT_EQ(tp.topic, "t");
  for (const char* bad : {"topic", "-1", "t-", "t-1a", "t-1.123-delete", "x.tmp"}) {
    EXPECT_FALSE(ParsePartitionDirName(bad, &tp)) << bad;
  }
}

class LogManagerTest : public ::testing::Test {
 protected:
  LogManagerTest() : dirs_{root_.path() + "/d1", root_.path() + "/d2"} {
    config_.segment_bytes = 4096;
  }
  std::unique_ptr<LogManager> Open() {
    auto m = std::make_unique<LogManager>(dirs_, config_);
    Status s = m->Open();
    EXPECT_TRUE(s.ok()) << s;
    return m;
  }
  void Append(Log* log, int n) {
    for (int i = 0; i < n; ++i) {
      std::string b = MakeBatch(5, 50, 1000 + i);
      ASSERT_TRUE(
          log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), LeaderEpoch(0), 0)
              .ok());
    }
  }

  TempDir root_;
  std::vector<std::string> dirs_;
  LogConfig config_;
};

TEST_F(LogManagerTest, CleanCloseAndReopenRestoresLogsAndCheckpoints) {
  {
    auto m = Open();
    for (int p = 0; p < 4; ++p) {
      Result<Log*> log = m->GetOrCreateLog({"my-topic.v2", p}, config_);
      ASSERT_TRUE(log.ok());
      Append(*log, 20 + p);
      (*log)->SetHighWatermark(Offset(50 + p));
    }
    Log* log = m->GetLog({"my-topic.v2", 3});
    ASSERT_TRUE(log->MaybeIncrementLogStartOffset(Offset(7)).ok());
    EXPECT_EQ(m->AllLogs().size(), 4u);
    ASSERT_TRUE(m->Close().ok());
  }
  // Spread over both dirs, each with a marker.
  for (const auto& d : dirs_) {
    EXPECT_EQ(::access((d + "/.kafka_cleanshutdown").c_str(), F_OK), 0) << d;
    EXPECT_EQ(::access((d + "/my-topic.v2-0").c_str(), F_OK) == 0 ||
                  ::access((d + "/my-topic.v2-1").c_str(), F_OK) == 0,
              true);
  }
  auto m = Open();
  ASSERT_EQ(m->AllLogs().size(), 4u);
  for (int p = 0; p < 4; ++p) {
    Log* log = m->GetLog({"my-topic.v2", p});
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->log_end_offset(), Offset(5 * (20 + p)));
    EXPECT_EQ(log->high_watermark(), Offset(50 + p));
    EXPECT_EQ(log->recovery_point(), log->log_end_offset());
  }
  EXPECT_EQ(m->GetLog({"my-topic.v2", 3})->log_start_offset(), Offset(7));
  for (const auto& d : dirs_) {
    EXPECT_NE(::access((d + "/.kafka_cleanshutdown").c_str(), F_OK), 0) << d;
  }
}

TEST_F(LogManagerTest, CrashAfterCheckpointRecoversTheTail) {
  std::string tail_path;
  {
    auto m = Open();
    Log* log = m->GetOrCreateLog({"t", 0}, config_).value();
    Append(log, 30);
    log->SetHighWatermark(Offset(100));
    ASSERT_TRUE(m->CheckpointAll().ok());
    Append(log, 10);  // not flushed, not checkpointed
    tail_path = log->dir();
    // Destroyed without Close(): a crash (the page cache keeps the bytes, as after kill -9).
  }
  auto m = Open();
  Log* log = m->GetLog({"t", 0});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->log_end_offset(), Offset(200));
  EXPECT_EQ(log->high_watermark(), Offset(100));
  EXPECT_EQ(log->recovery_point(), Offset(150));
}

TEST_F(LogManagerTest, DeleteLogRemovesDirectory) {
  auto m = Open();
  Log* log = m->GetOrCreateLog({"gone", 1}, config_).value();
  Append(log, 3);
  std::string dir = log->dir();
  ASSERT_TRUE(m->DeleteLog({"gone", 1}).ok());
  EXPECT_EQ(m->GetLog({"gone", 1}), nullptr);
  EXPECT_NE(::access(dir.c_str(), F_OK), 0);
  EXPECT_EQ(m->DeleteLog({"gone", 1}).code(), Errc::kNotFound);
  ASSERT_TRUE(m->Close().ok());
  auto again = Open();
  EXPECT_EQ(again->GetLog({"gone", 1}), nullptr);
}

TEST_F(LogManagerTest, HalfDeletedDirsAreRemovedOnOpen) {
  ASSERT_TRUE(MakeDirs(dirs_[0] + "/x-0.12345-delete").ok());
  auto m = Open();
  EXPECT_TRUE(m->AllLogs().empty());
  EXPECT_NE(::access((dirs_[0] + "/x-0.12345-delete").c_str(), F_OK), 0);
}

TEST_F(LogManagerTest, RunRetentionDeletesAcrossLogs) {
  config_.retention_bytes = 5000;
  config_.retention_ms = -1;
  auto m = Open();
  for (int p = 0; p < 2; ++p) {
    Log* log = m->GetOrCreateLog({"r", p}, config_).value();
    Append(log, 60);
    log->SetHighWatermark(log->log_end_offset());
  }
  Result<int> n = m->RunRetention(0);
  ASSERT_TRUE(n.ok());
  EXPECT_GT(n.value(), 2);
  for (int p = 0; p < 2; ++p) EXPECT_GT(m->GetLog({"r", p})->log_start_offset(), Offset(0));
}

}  // namespace
}  // namespace sluice::storage
