// Per-topic log configs: broker defaults, topic overrides, live changes through LogManager, and
// the behaviour they drive (retention only with "delete", rolling, max.message.bytes,
// LogAppendTime, keys on compacted topics).
#include "storage/log_config.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "protocol/record_batch.h"
#include "protocol/record_builder.h"
#include "storage/log.h"
#include "storage/log_manager.h"
#include "tests/unit/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::MakeBatch;
using testing::ParseBatches;
using testing::TempDir;

TEST(LogConfigFromBroker, KafkaKeysAndTimeUnitPrecedence) {
  Result<LogConfig> c = LogConfigFromBrokerProperties({{"log.retention.hours", "2"},
                                                       {"log.retention.minutes", "3"},
                                                       {"log.roll.hours", "1"},
                                                       {"log.segment.bytes", "4096"},
                                                       {"log.cleanup.policy", "compact"},
                                                       {"log.cleaner.delete.retention.ms", "77"},
                                                       {"log.message.timestamp.type",
                                                        "LogAppendTime"},
                                                       {"message.max.bytes", "1000"},
                                                       {"log.flush.interval.messages", "10"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->retention_ms, 3 * 60000);  // minutes beat hours
  EXPECT_EQ(c->segment_ms, 3600000);
  EXPECT_EQ(c->segment_bytes, 4096);
  EXPECT_TRUE(c->cleanup_compact);
  EXPECT_FALSE(c->cleanup_delete);
  EXPECT_EQ(c->delete_retention_ms, 77);
  EXPECT_EQ(c->message_timestamp_type, MessageTimestampType::kLogAppendTime);
  EXPECT_EQ(c->max_message_bytes, 1000);
  EXPECT_EQ(c->flush_messages, 10);
  Result<LogConfig> ms = LogConfigFromBrokerProperties(
      {{"log.retention.ms", "-1"}, {"log.retention.hours", "5"}});
  EXPECT_EQ(ms->retention_ms, -1);
}

TEST(LogConfigFromBroker, BadValueNamesTheKey) {
  Result<LogConfig> c = LogConfigFromBrokerProperties({{"log.cleanup.policy", "shred"}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("log.cleanup.policy"), std::string::npos);
  EXPECT_FALSE(LogConfigFromBrokerProperties({{"log.segment.bytes", "1x"}}).ok());
  EXPECT_FALSE(LogConfigFromBrokerProperties({{"log.cleaner.min.cleanable.ratio", "1.5"}}).ok());
}

TEST(TopicOverrides, OverrideDefaultsKeyByKey) {
  LogConfig defaults;
  defaults.retention_ms = 1000;
  defaults.segment_bytes = 8192;
  Result<LogConfig> c = ApplyTopicOverrides(
      defaults, {{"cleanup.policy", "compact, delete"},
                 {"segment.bytes", "1024"},
                 {"min.cleanable.dirty.ratio", "0.1"},
                 {"delete.retention.ms", "5"},
                 {"message.timestamp.type", "LogAppendTime"},
                 {"unrelated.key", "x"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->segment_bytes, 1024);
  EXPECT_EQ(c->retention_ms, 1000);  // not overridden
  EXPECT_TRUE(c->cleanup_compact);
  EXPECT_TRUE(c->cleanup_delete);
  EXPECT_EQ(c->cleanup_policy(), "compact,delete");
  EXPECT_DOUBLE_EQ(c->min_cleanable_dirty_ratio, 0.1);
  EXPECT_EQ(c->delete_retention_ms, 5);
  EXPECT_EQ(c->message_timestamp_type, MessageTimestampType::kLogAppendTime);
  EXPECT_TRUE(IsTopicLogConfigKey("retention.bytes"));
  EXPECT_FALSE(IsTopicLogConfigKey("unrelated.key"));
  EXPECT_EQ(TopicConfigEntries(*c).at("cleanup.policy"), "compact,delete");
  EXPECT_EQ(TopicConfigEntries(*c).at("segment.bytes"), "1024");
}

TEST(TopicOverrides, StrictFailsLenientKeepsDefaultForBadKeyOnly) {
  LogConfig defaults;
  std::map<std::string, std::string> o = {{"retention.ms", "soon"}, {"segment.bytes", "2048"}};
  EXPECT_EQ(ApplyTopicOverrides(defaults, o).status().code(), Errc::kInvalidArgument);
  std::vector<std::string> errors;
  LogConfig c = MergeTopicOverrides(defaults, o, &errors);
  EXPECT_EQ(c.retention_ms, defaults.retention_ms);
  EXPECT_EQ(c.segment_bytes, 2048);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("retention.ms"), std::string::npos);
}

class TopicConfigLogManagerTest : public ::testing::Test {
 protected:
  TopicConfigLogManagerTest() { defaults_.segment_bytes = 1 << 20; }
  std::unique_ptr<LogManager> Open() {
    auto m = std::make_unique<LogManager>(std::vector<std::string>{dir_.path()}, defaults_);
    EXPECT_TRUE(m->Open().ok());
    return m;
  }
  // Appends `n` 100-byte single-record batches stamped `ts`.
  static void Fill(Log* log, int n, int64_t ts) {
    for (int i = 0; i < n; ++i) {
      std::string b = MakeBatch(1, 100, ts);
      ASSERT_TRUE(log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(),
                                      LeaderEpoch(0), ts)
                      .ok());
    }
  }
  TempDir dir_;
  LogConfig defaults_;
};

TEST_F(TopicConfigLogManagerTest, OverridesApplyToNewAndLoadedLogsAndRollingFollows) {
  auto m = Open();
  Result<Log*> a = m->GetOrCreateLog({"a", 0});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.value()->config().segment_bytes, 1 << 20);
  m->SetTopicOverrides("a", {{"segment.bytes", "1000"}});
  EXPECT_EQ(a.value()->config().segment_bytes, 1000);  // live, on the loaded log
  Result<Log*> a1 = m->GetOrCreateLog({"a", 1});
  EXPECT_EQ(a1.value()->config().segment_bytes, 1000);  // and on a log created later
  Result<Log*> b = m->GetOrCreateLog({"b", 0});
  EXPECT_EQ(b.value()->config().segment_bytes, 1 << 20);  // other topics keep the default
  Fill(a.value(), 30, 1000);
  Fill(b.value(), 30, 1000);
  EXPECT_GT(a.value()->segment_count(), 3u);  // ~170 bytes per batch, 1000-byte segments
  EXPECT_EQ(b.value()->segment_count(), 1u);
  m->SetTopicOverrides("a", {});  // override removed: back to the default
  EXPECT_EQ(a.value()->config().segment_bytes, 1 << 20);
}

TEST_F(TopicConfigLogManagerTest, RetentionUsesEachLogsConfigAndNeverDeletesCompactOnly) {
  defaults_.segment_bytes = 1000;
  auto m = Open();
  Log* keep = m->GetOrCreateLog({"keep", 0}).value();
  Log* expire = m->GetOrCreateLog({"expire", 0}).value();
  Log* compact = m->GetOrCreateLog({"compacted", 0}).value();
  m->SetTopicOverrides("expire", {{"retention.ms", "1000"}});
  m->SetTopicOverrides("compacted", {{"retention.ms", "1000"}, {"cleanup.policy", "compact"}});
  for (Log* log : {keep, expire}) Fill(log, 30, 1000);
  for (int i = 0; i < 30; ++i) {
    protocol::RecordBatchBuilder builder;
    builder.Add(1000, "k", "v");
    std::string batch = builder.Build();
    ASSERT_TRUE(compact->AppendAsLeader(reinterpret_cast<uint8_t*>(batch.data()), batch.size(),
                                        LeaderEpoch(0), 1000)
                    .ok());
  }
  for (Log* log : {keep, expire, compact}) log->SetHighWatermark(log->log_end_offset());
  size_t keep_segments = keep->segment_count();
  size_t compact_segments = compact->segment_count();
  ASSERT_GT(compact_segments, 1u);
  Result<int> deleted = m->RunRetention(/*now_ms=*/1000 + 7LL * 24 * 3600 * 1000 - 1);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(keep->segment_count(), keep_segments);  // default 7 days not reached
  EXPECT_EQ(expire->segment_count(), 1u);           // 1 s retention: all but the active one
  EXPECT_EQ(compact->segment_count(), compact_segments);  // compact only: retention ignored
  EXPECT_GT(expire->log_start_offset().value(), 0);
}

TEST_F(TopicConfigLogManagerTest, OverridesForgottenWithTheTopicsLastLog) {
  auto m = Open();
  ASSERT_TRUE(m->GetOrCreateLog({"t", 0}).ok());
  m->SetTopicOverrides("t", {{"segment.bytes", "1000"}});
  ASSERT_TRUE(m->DeleteLog({"t", 0}).ok());
  EXPECT_EQ(m->TopicConfig("t").segment_bytes, 1 << 20);  // a recreated topic starts clean
}

TEST(LogAppendTime, LeaderStampsMaxTimestampAndAttributeWithValidCrc) {
  TempDir dir;
  LogConfig config;
  config.message_timestamp_type = MessageTimestampType::kLogAppendTime;
  auto log = Log::Open(dir.path(), config, Offset(0)).value();
  std::string b = MakeBatch(3, 10, /*timestamp=*/5);
  Result<AppendInfo> info =
      log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(), LeaderEpoch(0), 123456);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->log_append_time, 123456);
  std::string stored = log->ReadToString(Offset(0), 1 << 20, Offset(100), true).value();
  auto view = protocol::RecordBatchView::Parse(stored).value();
  EXPECT_EQ(view.timestamp_type(), protocol::TimestampType::kLogAppendTime);
  EXPECT_EQ(view.max_timestamp(), 123456);
  EXPECT_TRUE(view.VerifyCrc().ok());
  EXPECT_EQ(log->OffsetForTimestamp(123456).value(), Offset(0));  // time index follows
  int records = 0;
  ASSERT_TRUE(protocol::ForEachRecord(view, [&](const protocol::Record& r) {
                EXPECT_EQ(r.timestamp, 123456);
                ++records;
              }).ok());
  EXPECT_EQ(records, 3);

  config.message_timestamp_type = MessageTimestampType::kCreateTime;  // live change back
  log->SetConfig(config);
  std::string c = MakeBatch(1, 10, 5);
  info = log->AppendAsLeader(reinterpret_cast<uint8_t*>(c.data()), c.size(), LeaderEpoch(0), 9);
  EXPECT_EQ(info->log_append_time, -1);
  stored = log->ReadToString(Offset(3), 1 << 20, Offset(100), true).value();
  EXPECT_EQ(ParseBatches(stored)[0].max_timestamp, 5);
  ASSERT_TRUE(log->Close().ok());
}

TEST(MaxMessageBytes, LeaderRejectsLargerBatchAsTooLarge) {
  TempDir dir;
  LogConfig config;
  config.max_message_bytes = 500;
  auto log = Log::Open(dir.path(), config, Offset(0)).value();
  std::string big = MakeBatch(1, 600, 1);
  EXPECT_EQ(log->AppendAsLeader(reinterpret_cast<uint8_t*>(big.data()), big.size(),
                                LeaderEpoch(0), 1)
                .status()
                .code(),
            Errc::kTooLarge);
  EXPECT_EQ(log->log_end_offset(), Offset(0));
  std::string small = MakeBatch(1, 100, 1);
  EXPECT_TRUE(log->AppendAsLeader(reinterpret_cast<uint8_t*>(small.data()), small.size(),
                                  LeaderEpoch(0), 1)
                  .ok());
  ASSERT_TRUE(log->Close().ok());
}

TEST(CompactedTopic, LeaderRejectsRecordsWithoutKey) {
  TempDir dir;
  LogConfig config;
  config.cleanup_compact = true;
  auto log = Log::Open(dir.path(), config, Offset(0)).value();
  std::string keyless = MakeBatch(2, 10, 1);  // null keys
  EXPECT_EQ(log->AppendAsLeader(reinterpret_cast<uint8_t*>(keyless.data()), keyless.size(),
                                LeaderEpoch(0), 1)
                .status()
                .code(),
            Errc::kInvalidArgument);
  protocol::RecordBatchBuilder builder;
  builder.Add(1, "k", "v");
  std::string keyed = builder.Build();
  EXPECT_TRUE(log->AppendAsLeader(reinterpret_cast<uint8_t*>(keyed.data()), keyed.size(),
                                  LeaderEpoch(0), 1)
                  .ok());
  ASSERT_TRUE(log->Close().ok());
}

}  // namespace
}  // namespace sluice::storage
