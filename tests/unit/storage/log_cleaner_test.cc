// Log compaction: CleanJob (keys, tombstones, offsets, gaps, codecs), the swap and its crash
// recovery, aborts when the log changes under a pass, and the LogCleaner thread.
#include "storage/log_cleaner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "protocol/record_batch.h"
#include "protocol/record_builder.h"
#include "storage/file_util.h"
#include "storage/log.h"
#include "tests/unit/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::ParseBatches;
using testing::TempDir;

using KV = std::pair<std::string, std::optional<std::string>>;

struct ReadRecord {
  int64_t offset;
  std::string key;
  std::optional<std::string> value;
};

void Append(Log* log, const std::vector<KV>& records, int64_t ts,
            protocol::Compression codec = protocol::Compression::kNone) {
  protocol::RecordBatchBuilder b(codec);
  for (const auto& [k, v] : records) {
    b.Add(ts, k, v.has_value() ? std::optional<std::string_view>(*v) : std::nullopt);
  }
  std::string batch = b.Build();
  Result<AppendInfo> info = log->AppendAsLeader(reinterpret_cast<uint8_t*>(batch.data()),
                                                batch.size(), LeaderEpoch(0), ts);
  ASSERT_TRUE(info.ok()) << info.status();
}

// Everything from the log start to LEO, the way a consumer fetches: each fetch starts right
// after the last batch it got, so removed offsets (gaps) are skipped by the reader.
std::vector<ReadRecord> ReadAll(const Log& log, std::vector<int64_t>* batch_bases = nullptr) {
  std::vector<ReadRecord> out;
  Offset next = log.log_start_offset();
  while (next < log.log_end_offset()) {
    Result<std::string> bytes = log.ReadToString(next, 4096, log.log_end_offset(), true);
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    if (!bytes.ok() || bytes->empty()) break;
    protocol::BatchIterator it(*bytes);
    while (std::optional<protocol::RecordBatchView> b = it.Next()) {
      EXPECT_TRUE(b->VerifyCrc().ok());
      if (batch_bases != nullptr) batch_bases->push_back(b->base_offset());
      EXPECT_TRUE(protocol::ForEachRecord(*b, [&](const protocol::Record& r) {
                    out.push_back({r.offset, std::string(r.key.value_or("")),
                                   r.value.has_value() ? std::optional<std::string>(*r.value)
                                                       : std::nullopt});
                  }).ok());
      next = Offset(b->next_offset());
    }
  }
  return out;
}

Status CleanOnce(Log* log, int64_t now_ms) {
  std::optional<CleanJob> job = log->PrepareClean(now_ms);
  if (!job.has_value()) return Status::NotFound("nothing cleanable");
  SLUICE_RETURN_IF_ERROR(job->Run());
  return log->CompleteClean(*job);
}

class LogCleanerTest : public ::testing::Test {
 protected:
  LogCleanerTest() {
    config_.segment_bytes = 600;
    config_.cleanup_compact = true;
    config_.cleanup_delete = false;
    config_.delete_retention_ms = 1000;
  }
  std::unique_ptr<Log> Open(Offset recovery_point = Offset(0)) {
    Result<std::unique_ptr<Log>> log = Log::Open(dir_.path() + "/t-0", config_, recovery_point);
    EXPECT_TRUE(log.ok()) << log.status();
    return std::move(log).value();
  }
  // 5 keys x 40 versions, one record per batch: value "<key>-<version>".
  void WriteVersions(Log* log, int versions = 40, int keys = 5, int64_t ts = 10000) {
    for (int v = 0; v < versions; ++v) {
      for (int k = 0; k < keys; ++k) {
        std::string key = "k" + std::to_string(k);
        Append(log, {{key, key + "-" + std::to_string(v)}}, ts);
      }
    }
    log->SetHighWatermark(log->log_end_offset());
  }
  std::string Scratch() const { return dir_.path() + "/t-0" + kCleanerScratchSuffix; }

  TempDir dir_;
  LogConfig config_;
};

TEST_F(LogCleanerTest, KeepsLatestRecordPerKeyAtItsOriginalOffset) {
  auto log = Open();
  WriteVersions(log.get());
  std::vector<ReadRecord> before = ReadAll(*log);
  ASSERT_EQ(before.size(), 200u);
  size_t segments_before = log->segment_count();
  ASSERT_GT(segments_before, 5u);
  int64_t active_base = 0;
  {
    std::optional<CleanJob> job = log->PrepareClean(20000);
    ASSERT_TRUE(job.has_value());
    active_base = job->end_offset;
    ASSERT_TRUE(job->Run().ok());
    ASSERT_TRUE(log->CompleteClean(*job).ok());
  }
  EXPECT_EQ(log->clean_offset(), Offset(active_base));
  EXPECT_LT(log->segment_count(), segments_before);
  EXPECT_EQ(log->log_end_offset(), Offset(200));  // LEO and log start unchanged
  EXPECT_EQ(log->log_start_offset(), Offset(0));
  std::vector<ReadRecord> after = ReadAll(*log);
  std::map<int64_t, ReadRecord> original;
  for (const ReadRecord& r : before) original.emplace(r.offset, r);
  std::map<std::string, int64_t> latest_cleaned;  // key -> latest offset below the clean end
  for (const ReadRecord& r : before) {
    if (r.offset < active_base) latest_cleaned[r.key] = r.offset;
  }
  std::map<std::string, int> cleaned_count;
  int64_t prev = -1;
  for (const ReadRecord& r : after) {
    EXPECT_GT(r.offset, prev);  // monotonic, with gaps
    prev = r.offset;
    ASSERT_EQ(original.count(r.offset), 1u);
    EXPECT_EQ(original.at(r.offset).key, r.key);  // same record at the same offset
    EXPECT_EQ(original.at(r.offset).value, r.value);
    if (r.offset < active_base) {
      ++cleaned_count[r.key];
      EXPECT_EQ(r.offset, latest_cleaned[r.key]) << r.key;
    }
  }
  EXPECT_EQ(cleaned_count.size(), 5u);
  for (const auto& [key, n] : cleaned_count) EXPECT_EQ(n, 1) << key;
  size_t active_records = 0;
  for (const ReadRecord& r : before) active_records += r.offset >= active_base ? 1 : 0;
  EXPECT_EQ(after.size(), 5u + active_records);  // the active segment is untouched
  // Fetching a removed offset returns the next surviving batch.
  Result<ReadResult> r = log->Read(Offset(0), 1 << 20, log->log_end_offset(), true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first_batch_offset, Offset(after.front().offset));
  EXPECT_GT(after.front().offset, 0);
  // A second pass with nothing new to clean is not due.
  EXPECT_EQ(log->DirtyRatio(20000), 0.0);
  ASSERT_TRUE(log->Close().ok());
  // Survives a clean reopen.
  auto reopened = Open(Offset(INT64_MAX));
  std::vector<ReadRecord> again = ReadAll(*reopened);
  ASSERT_EQ(again.size(), after.size());
  for (size_t i = 0; i < again.size(); ++i) EXPECT_EQ(again[i].offset, after[i].offset);
  ASSERT_TRUE(reopened->Close().ok());
}

TEST_F(LogCleanerTest, PartlyKeptBatchesKeepBaseOffsetLastDeltaAndCodec) {
  config_.segment_bytes = 1500;
  auto log = Open();
  for (auto codec : {protocol::Compression::kNone, protocol::Compression::kLz4,
                     protocol::Compression::kZstd, protocol::Compression::kNone}) {
    // Each batch: a, b, c, then a again: the first "a" of each batch is superseded.
    for (int i = 0; i < 6; ++i) {
      Append(log.get(), {{"a", "1"}, {"b" + std::to_string(i), "2"}, {"a", "3"}}, 10000, codec);
    }
  }
  log->SetHighWatermark(log->log_end_offset());
  std::string raw_before = log->ReadToString(Offset(0), 1 << 20, log->log_end_offset(), true).value();
  std::vector<testing::ParsedBatch> batches_before = ParseBatches(raw_before);
  ASSERT_TRUE(CleanOnce(log.get(), 20000).ok());
  std::vector<int64_t> bases;
  std::vector<ReadRecord> after = ReadAll(*log, &bases);
  // Every b<i> survives (its latest copy is the one in the last codec round), and exactly one a.
  int a = 0;
  for (const ReadRecord& r : after) a += r.key == "a" ? 1 : 0;
  EXPECT_GE(a, 1);
  std::string raw_after = log->ReadToString(Offset(0), 1 << 20, log->log_end_offset(), true).value();
  for (const testing::ParsedBatch& b : ParseBatches(raw_after)) {
    bool found = false;
    for (const testing::ParsedBatch& o : batches_before) {
      if (o.base_offset == b.base_offset) {
        found = true;
        EXPECT_EQ(o.last_offset, b.last_offset) << "last offset delta kept";
        EXPECT_LE(b.size, o.size);
      }
    }
    EXPECT_TRUE(found) << "batch base " << b.base_offset << " not an original base offset";
  }
  protocol::BatchIterator it(raw_after);
  std::map<int, int> codecs;
  while (std::optional<protocol::RecordBatchView> b = it.Next()) {
    EXPECT_TRUE(b->VerifyCrc().ok());
    ++codecs[static_cast<int>(b->compression())];
  }
  EXPECT_GT(codecs[static_cast<int>(protocol::Compression::kZstd)] +
                codecs[static_cast<int>(protocol::Compression::kLz4)],
            0);
  ASSERT_TRUE(log->Close().ok());
}

TEST_F(LogCleanerTest, TombstonesOlderThanDeleteRetentionGoYoungerStay) {
  auto log = Open();
  Append(log.get(), {{"old", "v"}}, 1000);
  Append(log.get(), {{"old", std::nullopt}}, 1000);  // tombstone at t=1000
  Append(log.get(), {{"new", "v"}}, 5000);
  Append(log.get(), {{"new", std::nullopt}}, 5000);  // tombstone at t=5000
  Append(log.get(), {{"live", "v"}}, 5000);
  WriteVersions(log.get(), 10, 2, 5000);  // fill to roll segments
  ASSERT_TRUE(CleanOnce(log.get(), /*now_ms=*/5500).ok());  // horizon 4500
  std::map<std::string, std::vector<std::optional<std::string>>> seen;
  for (const ReadRecord& r : ReadAll(*log)) seen[r.key].push_back(r.value);
  EXPECT_EQ(seen.count("old"), 0u) << "expired tombstone and the value it deleted are gone";
  ASSERT_EQ(seen["new"].size(), 1u);
  EXPECT_FALSE(seen["new"][0].has_value()) << "recent tombstone kept, value before it gone";
  ASSERT_EQ(seen["live"].size(), 1u);
  ASSERT_TRUE(log->Close().ok());
}

TEST_F(LogCleanerTest, NothingAtOrAboveHighWatermarkOrInActiveSegmentIsCleaned) {
  auto log = Open();
  WriteVersions(log.get());
  Result<std::unique_ptr<Log>> none = Log::Open(dir_.path() + "/u-0", config_, Offset(0));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value()->PrepareClean(1).has_value());  // single (active) segment
  ASSERT_TRUE(none.value()->Close().ok());
  // A fresh log whose HW is still 0: nothing is cleanable.
  ASSERT_TRUE(log->Close().ok());
  auto reopened = Open(Offset(INT64_MAX));  // HW starts at the log start
  EXPECT_FALSE(reopened->PrepareClean(20000).has_value());
  EXPECT_EQ(reopened->DirtyRatio(20000), 0.0);
  reopened->SetHighWatermark(Offset(100));
  std::optional<CleanJob> job = reopened->PrepareClean(20000);
  ASSERT_TRUE(job.has_value());
  EXPECT_LE(job->end_offset, 100);
  config_.cleanup_compact = false;  // delete policy: never cleaned
  reopened->SetConfig(config_);
  EXPECT_FALSE(reopened->PrepareClean(20000).has_value());
  ASSERT_TRUE(reopened->Close().ok());
}

TEST_F(LogCleanerTest, TruncationOrRetentionDuringAPassAbortsItAndKeepsTheLog) {
  auto log = Open();
  WriteVersions(log.get());
  std::optional<CleanJob> job = log->PrepareClean(20000);
  ASSERT_TRUE(job.has_value());
  ASSERT_TRUE(job->Run().ok());
  ASSERT_TRUE(log->TruncateTo(Offset(150)).ok());
  EXPECT_EQ(log->CompleteClean(*job).code(), Errc::kUnavailable);
  EXPECT_EQ(ReadAll(*log).size(), 150u);
  EXPECT_FALSE(std::filesystem::exists(Scratch()));

  log->SetHighWatermark(log->log_end_offset());
  job = log->PrepareClean(20000);
  ASSERT_TRUE(job.has_value());
  ASSERT_TRUE(job->Run().ok());
  ASSERT_TRUE(log->MaybeIncrementLogStartOffset(Offset(100)).ok());  // drops leading segments
  EXPECT_EQ(log->CompleteClean(*job).code(), Errc::kUnavailable);
  EXPECT_EQ(ReadAll(*log).size(), 150u - static_cast<size_t>(log->log_start_offset().value()));
  ASSERT_TRUE(log->Close().ok());
}

// Crash after the swap manifest was written (the commit point) and part of the renames were done:
// Open() rolls the swap forward.
TEST_F(LogCleanerTest, CrashMidSwapIsRolledForwardOnOpen) {
  std::vector<ReadRecord> expected;
  {
    // Reference: the same data cleaned without a crash.
    TempDir other;
    auto ref = Log::Open(other.path() + "/t-0", config_, Offset(0)).value();
    WriteVersions(ref.get());
    ASSERT_TRUE(CleanOnce(ref.get(), 20000).ok());
    expected = ReadAll(*ref);
    ASSERT_TRUE(ref->Close().ok());
  }
  for (int moved_groups : {0, 1}) {
    TempDir d;
    std::string dir = d.path() + "/t-0";
    {
      auto log = Log::Open(dir, config_, Offset(0)).value();
      WriteVersions(log.get());
      ASSERT_TRUE(log->Flush().ok());
      std::optional<CleanJob> job = log->PrepareClean(20000);
      ASSERT_TRUE(job.has_value());
      ASSERT_TRUE(job->Run().ok());
      std::string manifest;
      for (const CleanGroup& g : job->groups) {
        manifest += std::to_string(g.base_offset) + " " + std::to_string(g.end_offset) + "\n";
      }
      ASSERT_TRUE(WriteFileAtomically(job->scratch_dir + "/swap", manifest).ok());
      for (int i = 0; i < moved_groups; ++i) {  // first group's .log already in place
        const CleanGroup& g = job->groups[static_cast<size_t>(i)];
        for (const CleanSource& s : g.sources) {
          ::unlink(Segment::FileName(dir, s.base_offset, ".log").c_str());
        }
        ASSERT_EQ(::rename(Segment::FileName(job->scratch_dir, g.base_offset, ".log").c_str(),
                           Segment::FileName(dir, g.base_offset, ".log").c_str()),
                  0);
      }
      // Crash: the Log is dropped without Close().
    }
    auto log = Log::Open(dir, config_, Offset(0)).value();
    EXPECT_FALSE(std::filesystem::exists(dir + kCleanerScratchSuffix));
    std::vector<ReadRecord> got = ReadAll(*log);
    ASSERT_EQ(got.size(), expected.size()) << "moved_groups=" << moved_groups;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].offset, expected[i].offset);
      EXPECT_EQ(got[i].value, expected[i].value);
    }
    EXPECT_EQ(log->log_end_offset(), Offset(200));
    ASSERT_TRUE(log->Close().ok());
  }
}

// Crash before the commit point: the half-written cleaned segments are discarded.
TEST_F(LogCleanerTest, CrashBeforeSwapManifestKeepsTheOldSegments) {
  {
    auto log = Open();
    WriteVersions(log.get());
    ASSERT_TRUE(log->Flush().ok());
    std::optional<CleanJob> job = log->PrepareClean(20000);
    ASSERT_TRUE(job->Run().ok());
  }
  ASSERT_TRUE(std::filesystem::exists(Scratch()));
  auto log = Open();
  EXPECT_FALSE(std::filesystem::exists(Scratch()));
  EXPECT_EQ(ReadAll(*log).size(), 200u);
  ASSERT_TRUE(log->Close().ok());
}

TEST_F(LogCleanerTest, KeylessRecordsWrittenBeforeCompactionWasEnabledAreDropped) {
  config_.cleanup_compact = false;  // keyless records are accepted while not compacted
  auto log = Open();
  for (int i = 0; i < 20; ++i) {
    std::string b = testing::MakeBatch(2, 30, 10000);
    ASSERT_TRUE(log->AppendAsLeader(reinterpret_cast<uint8_t*>(b.data()), b.size(),
                                    LeaderEpoch(0), 10000)
                    .ok());
  }
  WriteVersions(log.get(), 4, 2);
  config_.cleanup_compact = true;
  log->SetConfig(config_);
  ASSERT_TRUE(CleanOnce(log.get(), 20000).ok());
  for (const ReadRecord& r : ReadAll(*log)) EXPECT_FALSE(r.key.empty()) << r.offset;
  ASSERT_TRUE(log->Close().ok());
}

// An Executor whose tasks the test thread runs.
class QueueExecutor : public Executor {
 public:
  void Post(std::function<void()> task) override {
    std::lock_guard<std::mutex> lock(mu_);
    tasks_.push_back(std::move(task));
  }
  // Runs posted tasks until `done` or the deadline.
  bool RunUntil(const std::function<bool()>& done, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::deque<std::function<void()>> batch;
      {
        std::lock_guard<std::mutex> lock(mu_);
        batch.swap(tasks_);
      }
      for (auto& t : batch) t();
      if (batch.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

 private:
  std::mutex mu_;
  std::deque<std::function<void()>> tasks_;
};

TEST(LogCleanerThread, CleansDirtiestCompactedLogsOffTheCallingThread) {
  TempDir dir;
  LogConfig defaults;
  defaults.segment_bytes = 600;
  LogManager logs({dir.path()}, defaults);
  ASSERT_TRUE(logs.Open().ok());
  logs.SetTopicOverrides("c", {{"cleanup.policy", "compact"}});
  Log* compacted = logs.GetOrCreateLog({"c", 0}).value();
  Log* plain = logs.GetOrCreateLog({"p", 0}).value();
  for (Log* log : {compacted, plain}) {
    for (int v = 0; v < 30; ++v) Append(log, {{"k" + std::to_string(v % 3), "x"}}, 10000);
    log->SetHighWatermark(log->log_end_offset());
  }
  size_t plain_segments = plain->segment_count();
  QueueExecutor loop;
  CleanerOptions options;
  options.now_ms = [] { return int64_t{20000}; };
  options.io_max_bytes_per_second = 1 << 20;
  LogCleaner cleaner(&logs, &loop, options);
  std::vector<std::pair<TopicPartition, Status>> passes;
  cleaner.set_on_pass_done(
      [&](const TopicPartition& tp, const Status& s) { passes.emplace_back(tp, s); });
  ASSERT_TRUE(cleaner.MaybeClean());
  EXPECT_TRUE(cleaner.busy());
  EXPECT_FALSE(cleaner.MaybeClean());  // one pass at a time
  ASSERT_TRUE(loop.RunUntil([&] { return !cleaner.busy(); }, std::chrono::seconds(30)))
      << "cleaning pass did not finish";
  ASSERT_EQ(passes.size(), 1u);
  EXPECT_EQ(passes[0].first, (TopicPartition{"c", 0}));
  EXPECT_TRUE(passes[0].second.ok()) << passes[0].second;
  EXPECT_EQ(cleaner.counters().passes_completed, 1);
  EXPECT_GT(cleaner.counters().records_removed, 0);
  EXPECT_EQ(plain->segment_count(), plain_segments);
  EXPECT_FALSE(cleaner.MaybeClean());  // nothing dirty any more

  // A log deleted while its pass runs: the result is discarded.
  for (int v = 0; v < 30; ++v) Append(compacted, {{"k" + std::to_string(v % 3), "y"}}, 10000);
  compacted->SetHighWatermark(compacted->log_end_offset());
  ASSERT_TRUE(cleaner.MaybeClean());
  ASSERT_TRUE(logs.DeleteLog({"c", 0}).ok());
  ASSERT_TRUE(loop.RunUntil([&] { return !cleaner.busy(); }, std::chrono::seconds(30)));
  EXPECT_EQ(cleaner.counters().passes_aborted, 1);
  cleaner.Stop();
  ASSERT_TRUE(logs.Close().ok());
}

}  // namespace
}  // namespace sluice::storage

namespace sluice::storage {
namespace {

TEST_F(LogCleanerTest, CancelledPassStopsEarlyAndLeavesTheLogAlone) {
  auto log = Open();
  WriteVersions(log.get());
  std::optional<CleanJob> job = log->PrepareClean(20000);
  ASSERT_TRUE(job.has_value());
  std::atomic<bool> cancel{true};
  EXPECT_EQ(job->Run(&cancel).code(), Errc::kUnavailable);
  Log::DiscardClean(*job);
  EXPECT_FALSE(std::filesystem::exists(Scratch()));
  EXPECT_EQ(ReadAll(*log).size(), 200u);
  ASSERT_TRUE(log->Close().ok());
}

TEST(CleanerSettings, BrokerKeys) {
  Result<CleanerSettings> s = CleanerSettingsFromBrokerProperties(
      {{"log.cleaner.enable", "false"},
       {"log.cleaner.backoff.ms", "250"},
       {"log.cleaner.io.max.bytes.per.second", "1048576.0"}});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->enable);
  EXPECT_EQ(s->backoff_ms, 250);
  EXPECT_EQ(s->io_max_bytes_per_second, 1048576);
  Result<CleanerSettings> d = CleanerSettingsFromBrokerProperties({});
  EXPECT_TRUE(d->enable);
  EXPECT_EQ(d->backoff_ms, 15000);
  EXPECT_FALSE(CleanerSettingsFromBrokerProperties({{"log.cleaner.backoff.ms", "0"}}).ok());
  EXPECT_FALSE(CleanerSettingsFromBrokerProperties({{"log.cleaner.enable", "yes"}}).ok());
}

}  // namespace
}  // namespace sluice::storage

namespace sluice::storage {
namespace {

TEST_F(LogCleanerTest, FullKeyMapCleansWhatItCoveredAndTheNextPassContinues) {
  auto log = Open();
  WriteVersions(log.get());
  std::optional<CleanJob> job = log->PrepareClean(20000);
  ASSERT_TRUE(job.has_value());
  ASSERT_GT(job->groups.size(), 2u);
  int64_t full_end = job->end_offset;
  job->max_map_bytes = 1;  // full after the first group
  ASSERT_TRUE(job->Run().ok());
  ASSERT_EQ(job->groups.size(), 1u);
  EXPECT_LT(job->end_offset, full_end);
  ASSERT_TRUE(log->CompleteClean(*job).ok());
  EXPECT_EQ(log->clean_offset(), Offset(job->end_offset));
  EXPECT_EQ(ReadAll(*log).size() < 200u, true);
  EXPECT_GT(log->DirtyRatio(20000), 0.0);  // the rest is still dirty
  ASSERT_TRUE(CleanOnce(log.get(), 20000).ok());
  EXPECT_EQ(log->clean_offset(), Offset(full_end));
  std::map<std::string, int> below_end;
  for (const ReadRecord& r : ReadAll(*log)) {
    if (r.offset < full_end) ++below_end[r.key];
  }
  for (const auto& [key, n] : below_end) EXPECT_EQ(n, 1) << key;
  ASSERT_TRUE(log->Close().ok());
}

}  // namespace
}  // namespace sluice::storage
