#pragma once
// CleanJob: one log-compaction pass over a log's closed segments (cleanup.policy=compact).
// Prepared on the loop thread (Log::PrepareClean), run on the cleaner's helper thread
// (CleanJob::Run: it owns only what it holds — shared fds of the source segments, paths, a copy
// of the config), installed on the loop thread (Log::CompleteClean).
//
// Run() keeps, for every key, only its latest record among the job's segments, drops tombstones
// (null values) whose timestamp is older than delete.retention.ms and records without a key,
// and writes the survivors to new segments in the scratch directory "<log dir>.cleaner". Batches
// keep their base offset, last offset delta, producer fields, leader epoch and codec: offsets
// stay where they were, with gaps (a batch whose records all went is dropped). Consecutive
// source segments are merged into one cleaned segment while their bytes fit segment.bytes.
//
// Swap protocol (crash safe; RecoverCleanerScratch runs in Log::Open):
//   1. Run(): scratch/<base>.log/.index/.timeindex written and fsync'd ("cleaned").
//   2. CompleteClean(): scratch/swap manifest written atomically: one "<base> <end>" line per
//      cleaned segment replacing the segments in [base, end). This is the commit point.
//   3. Old segments renamed "*.deleted", scratch files renamed into the log dir (.log first),
//      directory fsync'd, scratch removed.
// Recovery: a scratch dir without manifest is discarded (the old segments are intact); with a
// manifest the swap is rolled forward: segment files with base in (base, end) are removed and the
// scratch files still present are renamed over their targets.

#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "common/status.h"
#include "protocol/file_region.h"
#include "storage/log_config.h"

namespace sluice::storage {

inline constexpr const char* kCleanerScratchSuffix = ".cleaner";
inline constexpr const char* kCleanerSwapManifest = "swap";

struct CleanSource {
  int64_t base_offset = 0;
  int64_t end_offset = 0;     // base offset of the segment after it
  protocol::FileRegion file;  // the whole .log as prepared (fd kept open)
};

struct CleanGroup {  // source segments [base_offset, end_offset) -> one cleaned segment
  int64_t base_offset = 0;
  int64_t end_offset = 0;
  std::vector<CleanSource> sources;
};

struct CleanStats {
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  int64_t records_read = 0;
  int64_t records_kept = 0;
  int64_t tombstones_dropped = 0;
  int64_t batches_rewritten = 0;  // some records removed
  int64_t batches_dropped = 0;    // all records removed
};

struct CleanJob {
  std::string dir;          // the partition directory
  std::string scratch_dir;  // dir + kCleanerScratchSuffix
  LogConfig config;
  std::vector<CleanGroup> groups;
  int64_t end_offset = 0;  // first offset this pass does not clean (its "dirty" end)
  int64_t now_ms = 0;      // tombstones older than now_ms - delete.retention.ms go
  uint64_t log_id = 0;     // Log::instance_id() of the log it belongs to
  uint64_t generation = 0;  // the log's truncation generation when prepared
  // log.cleaner.io.max.bytes.per.second: Run() sleeps to stay under it (reads + writes).
  int64_t io_max_bytes_per_second = std::numeric_limits<int64_t>::max();
  // log.cleaner.dedupe.buffer.size: memory for the key -> latest offset map (estimated). When a
  // group takes it past this, Run() cleans only the groups mapped so far (at least one) and
  // lowers end_offset; the next pass continues from there.
  int64_t max_map_bytes = int64_t{128} << 20;
  CleanStats stats;  // filled by Run()

  // Any thread. `cancel` (may be null) set by another thread stops the pass early (kUnavailable).
  Status Run(const std::atomic<bool>* cancel = nullptr);
};

// Log::Open: finishes (manifest present) or discards (absent) a swap a crash interrupted.
Status RecoverCleanerScratch(const std::string& dir);

}  // namespace sluice::storage
