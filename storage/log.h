#pragma once
// Log: one partition replica's log on disk: ordered segments, the leader-epoch cache, the log
// start offset, log end offset (LEO), high watermark (HW) and recovery point.
//
// Thread: loop thread only. There is no internal locking; every method must be called from the
// thread that owns the partition (the broker's loop). The only thing that may outlive a call on
// another thread is a FileRegion from Read(), which keeps its segment fd open by itself.
//
// Lifecycle: Open() (loads segments, recovers everything after the recovery point) -> appends,
// reads, truncation, retention -> Close() (flushes) or Delete() (removes the directory).
//
// Invariants: log_start_offset <= high_watermark <= log_end_offset; recovery_point <= LEO;
// HW only moves forward except through truncation; the last segment is the active one and the
// only one appended to.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "protocol/file_region.h"
#include "storage/clean_job.h"
#include "storage/leader_epoch_cache.h"
#include "storage/log_config.h"
#include "storage/segment.h"

namespace sluice::storage {

struct AppendInfo {
  Offset first_offset;           // base offset of the first appended batch
  Offset last_offset;            // last offset of the last appended batch
  int64_t log_append_time = -1;  // the append time under LogAppendTime, else -1 (CreateTime)
  Offset log_start_offset;
  int64_t bytes = 0;  // bytes written
};

struct ReadResult {
  // Bytes of the segment file from the batch containing the requested offset; length 0 when
  // there is nothing to return. May end in the middle of a batch (clients drop a partial tail).
  protocol::FileRegion region;
  Offset first_batch_offset;  // base offset of the first batch in `region` (requested if empty)
  Offset high_watermark;
  Offset log_start_offset;
  Offset log_end_offset;
};

class Log {
 public:
  // Opens (creating if needed) the log in `dir`. Segments whose offsets may reach
  // `recovery_point` or beyond are scanned batch by batch (header sanity, CRC-32C); the log is cut
  // at the first bad or torn batch (WARNING with the bytes cut), later segments are deleted.
  // Offset(INT64_MAX) as recovery point = clean shutdown: only index sanity and tail checks.
  // `log_start_offset` (from log-start-offset-checkpoint) is raised to the first segment's base.
  static Result<std::unique_ptr<Log>> Open(std::string dir, LogConfig config, Offset recovery_point,
                                           Offset log_start_offset = Offset(0));
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // One already-validated v2 batch. Assigns base offset = LEO and the leader epoch by rewriting
  // header bytes 0-7 and 12-15 in place (CRC unaffected), appends, indexes, and records a new
  // epoch's start in the epoch cache. kInvalidArgument for a malformed buffer, an epoch older
  // than the latest one, or (cleanup.policy compact) a record without key; kTooLarge for a batch
  // over max.message.bytes. message.timestamp.type=LogAppendTime: each batch's max timestamp
  // becomes now_ms with the timestamp-type attribute set (CRC recomputed), and
  // AppendInfo::log_append_time = now_ms.
  Result<AppendInfo> AppendAsLeader(uint8_t* batch, size_t size, LeaderEpoch epoch, int64_t now_ms);
  // Several concatenated batches, each validated, as above (one write per segment touched).
  Result<AppendInfo> AppendBatchesAsLeader(uint8_t* data, size_t size, LeaderEpoch epoch,
                                           int64_t now_ms);
  // Batches with offsets assigned by the leader, verified (header, CRC-32C, increasing offsets).
  // A partial batch at the end is ignored (a fetch slice may end mid-batch). kInvalidArgument if
  // the first base offset is below LEO; kCorruption for a damaged batch (nothing appended).
  // Nothing whole to append: OK with first_offset = LEO, last_offset = LEO - 1, bytes = 0.
  // Without now_ms the wall clock drives time-based rolling.
  Result<AppendInfo> AppendAsFollower(const uint8_t* data, size_t size);
  Result<AppendInfo> AppendAsFollower(const uint8_t* data, size_t size, int64_t now_ms);

  // Fetch read (README §6 "High watermark"): bytes of one segment starting at the batch that
  // contains `start`, at most `max_bytes` (the first batch whole when min_one_batch), never a
  // batch whose base offset is >= `max_offset_exclusive` (HW for consumers, LEO for followers).
  // Empty when start >= max_offset_exclusive. kOutOfRange when start < log start or > LEO.
  Result<ReadResult> Read(Offset start, int32_t max_bytes, Offset max_offset_exclusive,
                          bool min_one_batch) const;
  // Same, copied into a string and cut to whole batches (tools, tests, followers).
  Result<std::string> ReadToString(Offset start, int32_t max_bytes, Offset max_offset_exclusive,
                                   bool min_one_batch) const;

  // ListOffsets by time: offset of the first record with timestamp >= ts (located through the
  // time index, then the batch's records), or LEO when there is none.
  Result<Offset> OffsetForTimestamp(int64_t ts) const;

  Offset log_start_offset() const { return log_start_offset_; }
  Offset log_end_offset() const { return Offset(active()->next_offset()); }
  Offset high_watermark() const { return high_watermark_; }
  // Moves HW forward (clamped to [log start, LEO]); never backwards. Returns the new HW.
  Offset SetHighWatermark(Offset hw);
  Offset recovery_point() const { return recovery_point_; }
  int64_t size_bytes() const;
  size_t segment_count() const { return segments_.size(); }
  const std::string& dir() const { return dir_; }
  const LogConfig& config() const { return config_; }
  void SetConfig(const LogConfig& config);

  // fdatasync of every segment written since the last flush (and its indexes); recovery point
  // becomes LEO. Blocks the caller: PrepareFlush/CompleteFlush move the syncing elsewhere.
  Status Flush();
  // Loop thread: writes index files and returns the syncing to do (FlushJob::Run on a helper
  // thread). Then, back on the loop thread after Run() succeeded, CompleteFlush(job) advances the
  // recovery point to job.up_to (ignored if the log was truncated in between).
  Result<FlushJob> PrepareFlush();
  void CompleteFlush(const FlushJob& job);

  LeaderEpochCache& epoch_cache() { return epochs_; }
  const LeaderEpochCache& epoch_cache() const { return epochs_; }
  LeaderEpoch latest_epoch() const { return epochs_.latest_epoch(); }
  // OffsetForLeaderEpoch on this replica.
  std::pair<LeaderEpoch, Offset> EndOffsetForEpoch(LeaderEpoch requested) const {
    return epochs_.EndOffsetFor(requested, log_end_offset());
  }

  // Follower truncation: removes every batch at or after the one containing `offset` (LEO
  // becomes that batch's base offset); epoch cache, HW and recovery point follow. No-op when
  // offset >= LEO. Below the log start it behaves as TruncateFullyAndStartAt(offset).
  Status TruncateTo(Offset offset);
  // Deletes all segments and starts empty at `offset` (log start = LEO = HW = offset).
  Status TruncateFullyAndStartAt(Offset offset);
  // DeleteRecords: raises the log start offset (<= HW) and drops segments wholly below it.
  Status MaybeIncrementLogStartOffset(Offset offset);

  // Retention: deletes whole non-active segments, oldest first, that are below HW and either
  // below the log start offset or (cleanup.policy with "delete") older than retention_ms (their
  // newest timestamp < now - retention_ms) or surplus to retention_bytes. Advances the log start offset. Returns how many
  // segments were deleted.
  Result<int> DeleteRetainedSegments(int64_t now_ms);

  // Log compaction (cleanup.policy contains "compact"; LogCleaner drives it, see clean_job.h).
  // Cleanable = closed segments wholly below HW whose newest batch is older than
  // min.compaction.lag.ms. DirtyRatio: the share of those bytes at or after clean_offset() (not
  // cleaned since Open); 0 when not compacted or nothing is cleanable.
  double DirtyRatio(int64_t now_ms) const;
  // A pass over every cleanable segment, or nullopt when nothing is cleanable. The active
  // segment is never part of it. Run the job elsewhere, then CompleteClean() here.
  std::optional<CleanJob> PrepareClean(int64_t now_ms);
  // After job.Run() succeeded: swaps the cleaned segments in (commit through the swap
  // manifest) and advances clean_offset(). kUnavailable, leaving the log as it was, if it was
  // truncated, closed or lost one of the job's segments (retention) meanwhile. The scratch
  // directory is removed either way (DiscardClean() for a job that failed).
  Status CompleteClean(const CleanJob& job);
  static void DiscardClean(const CleanJob& job);
  Offset clean_offset() const { return clean_offset_; }
  // Unique per Log object in this process: a recreated log of the same partition differs.
  uint64_t instance_id() const { return instance_id_; }

  // Files of segments deleted by retention or truncation, renamed to "*.deleted": unlink them
  // (UnlinkAll) on a helper thread. Close() unlinks what was not taken; Open() removes leftovers.
  std::vector<std::string> TakeFilesToDelete();

  // Flushes and persists indexes. The object must not be used afterwards except for destruction.
  Status Close();
  // Closes and removes the directory with everything in it.
  Status Delete();

 private:
  Log(std::string dir, LogConfig config, LeaderEpochCache epochs);
  Segment* active() const { return segments_.rbegin()->second.get(); }
  Status Roll(int64_t new_base);
  // Appends [data, data+n) of validated consecutive batches, rolling as needed.
  Status AppendValidated(const uint8_t* data, size_t n, int64_t now_ms);
  Status DeleteSegment(int64_t base);
  // First record of the batch at `batch_base` with timestamp >= ts (batch_base if unreadable).
  Offset RefineToRecord(Offset batch_base, int64_t ts) const;
  // Deletes leading segments below the log start offset and, with apply_retention, those past
  // retention.ms / retention.bytes; never the active one nor any not wholly below HW.
  Result<int> DeleteOldSegments(int64_t now_ms, bool apply_retention);
  Status LoadSegments(Offset recovery_point);
  // Recreates the epoch cache from the batches' partitionLeaderEpoch (damaged checkpoint file).
  Status RebuildEpochCache();
  void ClampOffsetsAfterTruncation();
  // Leading closed segments eligible for cleaning (see DirtyRatio).
  std::vector<const Segment*> CleanableSegments(int64_t now_ms) const;

  std::string dir_;
  LogConfig config_;
  std::map<int64_t, std::unique_ptr<Segment>> segments_;  // by base offset; never empty
  LeaderEpochCache epochs_;
  Offset log_start_offset_{0};
  Offset high_watermark_{0};
  Offset recovery_point_{0};
  bool closed_ = false;
  bool dir_dirty_ = false;  // segment files created/removed since the last directory fsync
  std::vector<std::string> files_to_delete_;  // renamed "*.deleted", not yet unlinked
  bool unflushed_ = true;                     // appended or truncated since the last PrepareFlush()
  uint64_t generation_ = 0;  // bumped by every truncation (invalidates FlushJobs in flight)
  Offset clean_offset_{0};   // offsets below were compacted by this process; never decreases
  uint64_t instance_id_;
};

}  // namespace sluice::storage
