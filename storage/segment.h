#pragma once
// Segment: one `<20-digit base offset>.log` of a partition log plus its sparse `.index` and
// `.timeindex` (README §6). Appends are one write(2) on an O_APPEND fd; index entries are kept in
// memory and persisted on roll/flush/close. Owned by its Log; loop thread only. The log fd is
// shared (FileHandle) with FileRegions handed to fetches, so deleting a segment never cuts a read
// in flight.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "protocol/file_region.h"
#include "storage/file_util.h"
#include "storage/index.h"
#include "storage/log_config.h"

namespace sluice::storage {

// fdatasync work handed to a helper thread (DESIGN.md: blocking work off the loop). Owns only
// what it holds: shared fds and paths. Run() may be called on any thread.
struct FlushJob {
  std::vector<std::shared_ptr<FileHandle>> files;  // fdatasync'd
  std::vector<std::string> index_paths;            // opened, fdatasync'd (missing = deleted: ok)
  std::vector<std::string> dirs;                   // fsync'd (segment files created/removed)
  Offset up_to{0};                                 // recovery point once this succeeded
  uint64_t generation = 0;                         // Log's truncation generation when prepared
  Status Run() const;
};

// Where a batch sits in a segment file.
struct BatchPosition {
  int64_t position = 0;     // byte offset in the .log; == segment size when there is no batch
  int64_t base_offset = 0;  // the batch's base offset (meaningless at end)
  int64_t size = 0;         // the batch's size in bytes; 0 at end
};

class Segment {
 public:
  enum class OpenMode {
    kClean,    // below the recovery point: load and sanity-check indexes, scan only the tail
    kRecover,  // after the recovery point: scan all batches with CRC-32C, rebuild indexes
  };

  // "<dir>/<20-digit base>.log" etc.
  static std::string FileName(const std::string& dir, int64_t base_offset, const char* suffix);

  // New empty segment (truncates existing files of that name).
  static Result<std::unique_ptr<Segment>> Create(const std::string& dir, int64_t base_offset,
                                                 const LogConfig& config);
  // Existing segment. Damaged or torn data is cut at the first bad batch; `*bytes_truncated` says
  // how much (0 if nothing). kClean falls back to a full scan when an index file is unusable.
  static Result<std::unique_ptr<Segment>> Open(const std::string& dir, int64_t base_offset,
                                               const LogConfig& config, OpenMode mode,
                                               int64_t* bytes_truncated);
  ~Segment() = default;

  int64_t base_offset() const { return base_offset_; }
  // One past the last offset in the segment (base_offset when empty).
  int64_t next_offset() const { return next_offset_; }
  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Largest batch max timestamp (-1 when none): drives time retention.
  int64_t max_timestamp() const { return max_timestamp_; }
  // For time retention (Kafka's largestTimestamp): max_timestamp, or the file's mtime when no
  // batch carries a timestamp.
  int64_t largest_timestamp() const;
  const std::string& path() const { return log_path_; }
  void set_config(const LogConfig& config) { config_ = config; }

  // Whether a batch of `bytes` ending at `last_offset`, following `pending` bytes not yet
  // appended, must go to a new segment: this one (with pending) is not empty and would exceed
  // segment_bytes, is older than segment_ms, has a full index, or the relative offset would not
  // fit an int32.
  bool ShouldRoll(int64_t pending, int64_t bytes, int64_t last_offset, int64_t now_ms) const;

  // Appends whole, validated batches with increasing offsets >= next_offset(). On a failed write
  // the file is cut back to its old size.
  Status Append(const uint8_t* data, size_t n, int64_t now_ms);

  // First batch whose last offset >= `offset` (index lookup, then a header scan).
  Result<BatchPosition> FindPosition(int64_t offset) const;
  // Base offset of the first batch with max timestamp >= ts, nullopt if none here.
  Result<std::optional<int64_t>> FindOffsetForTimestamp(int64_t ts) const;
  // Calls fn(base offset, partition leader epoch) for every batch, in order.
  Status VisitBatches(const std::function<void(int64_t, int32_t)>& fn) const;
  // Region [position, position+length) of this segment's file, keeping the fd open.
  protocol::FileRegion Region(int64_t position, int64_t length) const;

  // Removes every batch whose last offset >= `offset` (the batch containing it included).
  Status TruncateTo(int64_t offset);
  // fdatasync of the log and the indexes when anything changed since the last flush.
  Status Flush();
  // Split flush for helper threads: writes the index files (no sync) and adds the log fd and
  // index paths to sync to `job`.
  Status PrepareFlush(FlushJob* job);
  // Writes in-memory index entries to their files without syncing (on roll).
  Status PersistIndexes();
  // Renames the three files to "<name>.deleted" and appends the new paths to `to_unlink` (the
  // unlink itself, slow for big files, can then run on a helper thread). Readers holding a
  // region keep the fd.
  Status RenameForDeletion(std::vector<std::string>* to_unlink);

 private:
  Segment(std::string dir, int64_t base_offset, const LogConfig& config,
          std::shared_ptr<FileHandle> file, int64_t size);
  // Scans from `pos` (a batch boundary), indexing batches; verify_crc checks every batch. Cuts
  // the file at the first bad batch. Updates next_offset_, max_timestamp_, size_.
  Status ScanFrom(int64_t pos, bool verify_crc, int64_t* bytes_truncated);
  // Full rebuild: clears indexes, scans from 0.
  Status Rebuild(bool verify_crc, int64_t* bytes_truncated);
  // Recomputes next offset, max timestamp and the index byte counter from the last index entry.
  Status LoadTail(int64_t* bytes_truncated);
  void IndexBatch(int64_t base, int64_t position, int64_t size, int64_t max_ts);
  Status CutAt(int64_t pos);
  size_t LookupChunk() const;
  bool TimeEntriesMatchOffsetEntries() const;

  std::string dir_;
  std::string log_path_;
  int64_t base_offset_;
  LogConfig config_;
  std::shared_ptr<FileHandle> file_;
  OffsetIndex offset_index_;
  TimeIndex time_index_;
  int64_t size_ = 0;
  int64_t next_offset_;
  int64_t max_timestamp_ = -1;
  int64_t bytes_since_index_ = 0;  // batch bytes appended since the last index entry
  int64_t roll_base_ms_ = -1;  // time of the first append (or first batch's timestamp); -1 empty
  bool dirty_ = false;         // appended or truncated since the last Flush()
};

}  // namespace sluice::storage
