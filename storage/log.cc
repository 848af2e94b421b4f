#include "storage/log.h"

#include <glog/logging.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <limits>
#include <vector>

#include "common/clock.h"
#include "protocol/record_batch.h"
#include "storage/batch_header.h"
#include "storage/file_util.h"

namespace sluice::storage {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "<20 digits><suffix>" -> base offset, -1 otherwise.
int64_t ParseSegmentName(const std::string& name, const std::string& suffix) {
  if (name.size() != 20 + suffix.size() || !EndsWith(name, suffix)) return -1;
  int64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    v = v * 10 + (name[i] - '0');
  }
  return v;
}

// Walks whole batches in [data, data+n): calls fn(header ptr, size) until it returns non-OK.
// Returns the number of bytes covered by whole batches.
Status CheckWholeBatch(const uint8_t* p, size_t remaining, size_t* size_out) {
  if (remaining < kBatchHeaderSize) return Status::InvalidArgument("batch shorter than header");
  Result<BatchHeader> h = ParseBatchHeader(p, remaining);
  if (!h.ok()) return Status::InvalidArgument(h.status().message());
  if (static_cast<uint64_t>(h->size_bytes()) > remaining) {
    return Status::InvalidArgument("batch length " + std::to_string(h->size_bytes()) +
                                   " exceeds buffer " + std::to_string(remaining));
  }
  *size_out = static_cast<size_t>(h->size_bytes());
  return Status::Ok();
}

// Compacted topics need a key on every record (Kafka: "Compacted topic cannot accept message
// without key"); kInvalidArgument (INVALID_RECORD) otherwise.
Status CheckKeysPresent(const uint8_t* p, size_t n) {
  SLUICE_ASSIGN_OR_RETURN(protocol::RecordBatchView view, protocol::RecordBatchView::Parse(p, n));
  if (view.is_control()) return Status::Ok();
  bool missing = false;
  SLUICE_RETURN_IF_ERROR(protocol::ForEachRecord(view, [&](const protocol::Record& r) {
    if (!r.key.has_value()) missing = true;
  }));
  if (missing) return Status::InvalidArgument("compacted topic cannot accept a record without key");
  return Status::Ok();
}

}  // namespace

Log::Log(std::string dir, LogConfig config, LeaderEpochCache epochs)
    : dir_(std::move(dir)), config_(config), epochs_(std::move(epochs)) {
  static std::atomic<uint64_t> next_id{1};
  instance_id_ = next_id.fetch_add(1);
}

Log::~Log() = default;  // without Close() this is a crash: nothing is flushed

Result<std::unique_ptr<Log>> Log::Open(std::string dir, LogConfig config, Offset recovery_point,
                                       Offset log_start_offset) {
  SLUICE_RETURN_IF_ERROR(MakeDirs(dir));
  Result<LeaderEpochCache> epochs = LeaderEpochCache::Load(dir);
  bool rebuild_epochs = false;
  if (!epochs.ok()) {
    if (epochs.status().code() != Errc::kCorruption) return epochs.status();
    LOG(WARNING) << "epoch_cache_rebuild dir=" << dir << " reason=\"" << epochs.status() << "\"";
    epochs = LeaderEpochCache(dir);
    rebuild_epochs = true;
  }
  SLUICE_RETURN_IF_ERROR(RecoverCleanerScratch(dir));
  std::unique_ptr<Log> log(new Log(std::move(dir), config, std::move(epochs).value()));
  log->log_start_offset_ = log_start_offset;
  SLUICE_RETURN_IF_ERROR(log->LoadSegments(recovery_point));
  if (rebuild_epochs) SLUICE_RETURN_IF_ERROR(log->RebuildEpochCache());
  Offset leo = log->log_end_offset();
  log->log_start_offset_ =
      std::min(leo, std::max(log_start_offset, Offset(log->segments_.begin()->first)));
  log->high_watermark_ = log->log_start_offset_;
  log->recovery_point_ = std::min(recovery_point, leo);
  SLUICE_RETURN_IF_ERROR(log->epochs_.TruncateFromEnd(leo));
  SLUICE_RETURN_IF_ERROR(log->epochs_.TruncateFromStart(log->log_start_offset_));
  LOG(INFO) << "log_loaded dir=" << log->dir_ << " segments=" << log->segments_.size()
            << " log_start_offset=" << log->log_start_offset_ << " log_end_offset=" << leo
            << " recovery_point=" << log->recovery_point_;
  return log;
}

Status Log::RebuildEpochCache() {
  SLUICE_RETURN_IF_ERROR(epochs_.Clear());
  Status assign;
  for (const auto& [base, seg] : segments_) {
    SLUICE_RETURN_IF_ERROR(seg->VisitBatches([&](int64_t offset, int32_t epoch) {
      if (assign.ok() && epoch >= 0 && LeaderEpoch(epoch) > epochs_.latest_epoch()) {
        assign = epochs_.Assign(LeaderEpoch(epoch), Offset(offset));
      }
    }));
  }
  return assign;
}

Status Log::LoadSegments(Offset recovery_point) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(dir_));
  std::vector<int64_t> bases;
  for (const std::string& name : names) {
    if (EndsWith(name, ".tmp") || EndsWith(name, ".deleted") || EndsWith(name, ".swap")) {
      ::unlink((dir_ + "/" + name).c_str());
      continue;
    }
    int64_t base = ParseSegmentName(name, ".log");
    if (base >= 0) bases.push_back(base);
  }
  std::sort(bases.begin(), bases.end());
  for (const std::string& name : names) {  // indexes whose log is gone
    for (const char* suffix : {".index", ".timeindex"}) {
      int64_t base = ParseSegmentName(name, suffix);
      if (base >= 0 && !std::binary_search(bases.begin(), bases.end(), base)) {
        ::unlink((dir_ + "/" + name).c_str());
      }
    }
  }
  if (bases.empty()) {
    SLUICE_ASSIGN_OR_RETURN(auto seg, Segment::Create(dir_, log_start_offset_.value(), config_));
    segments_.emplace(log_start_offset_.value(), std::move(seg));
    dir_dirty_ = true;
    return Status::Ok();
  }
  int64_t prev_next = -1;
  for (size_t i = 0; i < bases.size(); ++i) {
    bool last = i + 1 == bases.size();
    // Recover the segments that may hold offsets >= the recovery point; after a clean shutdown
    // (recovery point INT64_MAX) none, not even the active one.
    bool below_recovery_point =
        last ? recovery_point.value() == INT64_MAX : bases[i + 1] <= recovery_point.value();
    Segment::OpenMode mode =
        below_recovery_point ? Segment::OpenMode::kClean : Segment::OpenMode::kRecover;
    int64_t cut = 0;
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<Segment> seg,
                            Segment::Open(dir_, bases[i], config_, mode, &cut));
    if (seg->base_offset() < prev_next) {
      return Status::Corruption("segment " + seg->path() + " overlaps the previous one (next " +
                                std::to_string(prev_next) + ")");
    }
    prev_next = seg->next_offset();
    segments_.emplace(bases[i], std::move(seg));
    if (cut > 0 && !last) {
      for (size_t j = i + 1; j < bases.size(); ++j) {
        LOG(WARNING) << "segment_deleted_after_corruption dir=" << dir_
                     << " base_offset=" << bases[j];
        for (const char* suffix : {".log", ".index", ".timeindex"}) {
          std::string path = Segment::FileName(dir_, bases[j], suffix);
          if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("unlink", path);
        }
      }
      dir_dirty_ = true;
      break;
    }
  }
  return Status::Ok();
}

Status Log::Roll(int64_t new_base) {
  Segment* old = active();
  SLUICE_RETURN_IF_ERROR(old->PersistIndexes());
  SLUICE_ASSIGN_OR_RETURN(auto seg, Segment::Create(dir_, new_base, config_));
  segments_.emplace(new_base, std::move(seg));
  dir_dirty_ = true;
  VLOG(1) << "segment_rolled dir=" << dir_ << " base_offset=" << new_base
          << " previous_size=" << old->size();
  return Status::Ok();
}

Status Log::AppendValidated(const uint8_t* data, size_t n, int64_t now_ms) {
  const uint8_t* run = data;
  int64_t run_len = 0;
  const uint8_t* p = data;
  const uint8_t* end = data + n;
  while (p < end) {
    int64_t size = kBatchLengthPrefix + LoadBe32(p + 8);
    int64_t base = LoadBe64(p);
    int64_t last = base + LoadBe32(p + 23);
    if (run_len == 0 && active()->empty() &&
        last - active()->base_offset() > std::numeric_limits<int32_t>::max()) {
      // A follower jumping far ahead (compacted gap): relative offsets would not fit, so the
      // empty active segment is replaced by one based at this batch.
      int64_t old_base = active()->base_offset();
      SLUICE_RETURN_IF_ERROR(Roll(base));
      SLUICE_RETURN_IF_ERROR(DeleteSegment(old_base));
    }
    if (active()->ShouldRoll(run_len, size, last, now_ms)) {
      if (run_len > 0) {
        SLUICE_RETURN_IF_ERROR(active()->Append(run, static_cast<size_t>(run_len), now_ms));
        run = p;
        run_len = 0;
      }
      if (active()->ShouldRoll(0, size, last, now_ms)) SLUICE_RETURN_IF_ERROR(Roll(base));
    }
    run_len += size;
    p += size;
  }
  if (run_len > 0) {
    SLUICE_RETURN_IF_ERROR(active()->Append(run, static_cast<size_t>(run_len), now_ms));
  }
  unflushed_ = true;
  return Status::Ok();
}

Result<AppendInfo> Log::AppendAsLeader(uint8_t* batch, size_t size, LeaderEpoch epoch,
                                       int64_t now_ms) {
  size_t batch_size = 0;
  SLUICE_RETURN_IF_ERROR(CheckWholeBatch(batch, size, &batch_size));
  if (batch_size != size) return Status::InvalidArgument("trailing bytes after the batch");
  return AppendBatchesAsLeader(batch, size, epoch, now_ms);
}

Result<AppendInfo> Log::AppendBatchesAsLeader(uint8_t* data, size_t size, LeaderEpoch epoch,
                                              int64_t now_ms) {
  if (closed_) return Status::Unavailable("log closed: " + dir_);
  if (epoch < epochs_.latest_epoch()) {
    return Status::InvalidArgument("leader epoch " + std::to_string(epoch.value()) +
                                   " older than " + std::to_string(latest_epoch().value()));
  }
  if (size == 0) return Status::InvalidArgument("no batches");
  // Validate everything before touching any byte.
  for (size_t pos = 0; pos < size;) {
    size_t n = 0;
    SLUICE_RETURN_IF_ERROR(CheckWholeBatch(data + pos, size - pos, &n));
    if (n > static_cast<size_t>(std::max(config_.max_message_bytes, 0))) {
      return Status::TooLarge("batch of " + std::to_string(n) + " bytes exceeds max.message.bytes " +
                              std::to_string(config_.max_message_bytes));
    }
    if (config_.cleanup_compact) SLUICE_RETURN_IF_ERROR(CheckKeysPresent(data + pos, n));
    pos += n;
  }
  bool append_time = config_.message_timestamp_type == MessageTimestampType::kLogAppendTime;
  int64_t first = log_end_offset().value();
  int64_t next = first;
  for (size_t pos = 0; pos < size;) {
    uint8_t* p = data + pos;
    StoreBe64(p, next);
    StoreBe32(p + 12, epoch.value());
    // LogAppendTime: max timestamp = now and attribute bit 3, CRC recomputed (Kafka's
    // DefaultRecordBatch.setMaxTimestamp); consumers then read every record at `now_ms`.
    if (append_time) protocol::SetMaxTimestampAndLogAppendTime(p, now_ms);
    next += LoadBe32(p + 23) + 1;
    pos += kBatchLengthPrefix + static_cast<size_t>(LoadBe32(p + 8));
  }
  SLUICE_RETURN_IF_ERROR(AppendValidated(data, size, now_ms));
  if (epoch != epochs_.latest_epoch()) SLUICE_RETURN_IF_ERROR(epochs_.Assign(epoch, Offset(first)));
  return AppendInfo{Offset(first), Offset(next - 1), append_time ? now_ms : -1, log_start_offset_,
                    static_cast<int64_t>(size)};
}

Result<AppendInfo> Log::AppendAsFollower(const uint8_t* data, size_t size) {
  return AppendAsFollower(data, size, WallMillis());
}

Result<AppendInfo> Log::AppendAsFollower(const uint8_t* data, size_t size, int64_t now_ms) {
  if (closed_) return Status::Unavailable("log closed: " + dir_);
  int64_t leo = log_end_offset().value();
  int64_t expected = leo;
  size_t valid = 0;
  while (size - valid >= kBatchLengthPrefix) {
    const uint8_t* p = data + valid;
    int64_t batch_size = kBatchLengthPrefix + static_cast<int64_t>(LoadBe32(p + 8));
    if (batch_size < static_cast<int64_t>(kBatchHeaderSize)) {
      return Status::Corruption("batch length " + std::to_string(batch_size));
    }
    if (static_cast<uint64_t>(batch_size) > size - valid) break;  // partial tail of a fetch
    Result<BatchHeader> h = ParseBatchHeader(p, size - valid);
    if (!h.ok()) return h.status();
    if (h->base_offset < expected) {
      if (valid == 0) {
        LOG(WARNING) << "follower_append_rejected dir=" << dir_ << " base_offset=" << h->base_offset
                     << " log_end_offset=" << leo;
        return Status::InvalidArgument("base offset " + std::to_string(h->base_offset) +
                                       " below log end offset " + std::to_string(leo));
      }
      return Status::Corruption("batch offsets not increasing at " +
                                std::to_string(h->base_offset));
    }
    if (!BatchCrcMatches(p, static_cast<size_t>(batch_size))) {
      return Status::Corruption("crc mismatch at offset " + std::to_string(h->base_offset));
    }
    expected = h->last_offset() + 1;
    valid += static_cast<size_t>(batch_size);
  }
  if (valid == 0) return AppendInfo{Offset(leo), Offset(leo - 1), -1, log_start_offset_, 0};
  SLUICE_RETURN_IF_ERROR(AppendValidated(data, valid, now_ms));
  for (size_t pos = 0; pos < valid;) {
    const uint8_t* p = data + pos;
    LeaderEpoch epoch(LoadBe32(p + 12));
    if (epoch.value() >= 0 && epoch != epochs_.latest_epoch()) {
      SLUICE_RETURN_IF_ERROR(epochs_.Assign(epoch, Offset(LoadBe64(p))));
    }
    pos += kBatchLengthPrefix + static_cast<size_t>(LoadBe32(p + 8));
  }
  return AppendInfo{Offset(LoadBe64(data)), Offset(expected - 1), -1, log_start_offset_,
                    static_cast<int64_t>(valid)};
}

Result<ReadResult> Log::Read(Offset start, int32_t max_bytes, Offset max_offset_exclusive,
                             bool min_one_batch) const {
  Offset leo = log_end_offset();
  if (start < log_start_offset_ || start > leo) {
    return Status::OutOfRange("offset " + std::to_string(start.value()) + " outside [" +
                              std::to_string(log_start_offset_.value()) + ", " +
                              std::to_string(leo.value()) + "] in " + dir_);
  }
  ReadResult r{protocol::FileRegion{}, start, high_watermark_, log_start_offset_, leo};
  if (start >= max_offset_exclusive) return r;
  auto it = segments_.upper_bound(start.value());
  if (it != segments_.begin()) --it;
  for (; it != segments_.end(); ++it) {
    Segment* seg = it->second.get();
    SLUICE_ASSIGN_OR_RETURN(BatchPosition from, seg->FindPosition(start.value()));
    if (from.size == 0) continue;  // nothing at or after `start` in this segment
    if (from.base_offset >= max_offset_exclusive.value()) return r;
    int64_t end = seg->size();
    if (max_offset_exclusive.value() < seg->next_offset()) {
      SLUICE_ASSIGN_OR_RETURN(BatchPosition stop, seg->FindPosition(max_offset_exclusive.value()));
      end = (stop.size > 0 && stop.base_offset < max_offset_exclusive.value())
                ? stop.position + stop.size
                : stop.position;
    }
    int64_t limit = std::max<int64_t>(0, max_bytes);
    if (min_one_batch) limit = std::max(limit, from.size);
    int64_t length = std::min(end - from.position, limit);
    if (length > 0) r.region = seg->Region(from.position, length);
    r.first_batch_offset = Offset(from.base_offset);
    return r;
  }
  return r;
}

Result<std::string> Log::ReadToString(Offset start, int32_t max_bytes, Offset max_offset_exclusive,
                                      bool min_one_batch) const {
  SLUICE_ASSIGN_OR_RETURN(ReadResult r,
                          Read(start, max_bytes, max_offset_exclusive, min_one_batch));
  std::string out(static_cast<size_t>(r.region.length), '\0');
  if (r.region.length > 0) {
    SLUICE_RETURN_IF_ERROR(
        PreadAll(r.region.fd, out.data(), out.size(), r.region.offset, dir_ + " (read)"));
  }
  size_t whole = 0;
  const auto* p = reinterpret_cast<const uint8_t*>(out.data());
  while (out.size() - whole >= kBatchLengthPrefix) {
    size_t size = kBatchLengthPrefix + static_cast<size_t>(LoadBe32(p + whole + 8));
    if (size > out.size() - whole) break;
    whole += size;
  }
  out.resize(whole);
  return out;
}

Result<Offset> Log::OffsetForTimestamp(int64_t ts) const {
  for (const auto& [base, seg] : segments_) {
    if (seg->max_timestamp() < ts) continue;
    SLUICE_ASSIGN_OR_RETURN(std::optional<int64_t> off, seg->FindOffsetForTimestamp(ts));
    if (off.has_value()) return std::max(log_start_offset_, RefineToRecord(Offset(*off), ts));
  }
  return log_end_offset();
}

Offset Log::RefineToRecord(Offset batch_base, int64_t ts) const {
  // Kafka answers with the first *record* at or after ts; records inside a batch need not be
  // in timestamp order, and compressed batches must be inflated to see them.
  Result<std::string> bytes = ReadToString(batch_base, 1, log_end_offset(), true);
  if (!bytes.ok()) return batch_base;
  Result<protocol::RecordBatchView> view = protocol::RecordBatchView::Parse(bytes.value());
  if (!view.ok()) return batch_base;
  std::optional<int64_t> found;
  Status s = protocol::ForEachRecord(view.value(), [&](const protocol::Record& r) {
    if (!found.has_value() && r.timestamp >= ts) found = r.offset;
  });
  if (!s.ok() || !found.has_value()) return batch_base;
  return Offset(*found);
}

Offset Log::SetHighWatermark(Offset hw) {
  hw = std::clamp(hw, log_start_offset_, log_end_offset());
  if (hw > high_watermark_) high_watermark_ = hw;
  return high_watermark_;
}

int64_t Log::size_bytes() const {
  int64_t total = 0;
  for (const auto& [base, seg] : segments_) total += seg->size();
  return total;
}

void Log::SetConfig(const LogConfig& config) {
  config_ = config;
  for (auto& [base, seg] : segments_) seg->set_config(config);
}

Result<FlushJob> Log::PrepareFlush() {
  FlushJob job;
  job.generation = generation_;
  if (!unflushed_ && !dir_dirty_) {
    job.up_to = recovery_point_;  // nothing new: an idle partition costs no syscall
    return job;
  }
  unflushed_ = false;
  job.up_to = log_end_offset();
  auto it = segments_.upper_bound(recovery_point_.value());
  if (it != segments_.begin()) --it;
  for (; it != segments_.end(); ++it) SLUICE_RETURN_IF_ERROR(it->second->PrepareFlush(&job));
  if (dir_dirty_) {
    job.dirs.push_back(dir_);
    dir_dirty_ = false;
  }
  return job;
}

void Log::CompleteFlush(const FlushJob& job) {
  if (job.generation != generation_) return;
  recovery_point_ = std::max(recovery_point_, std::min(job.up_to, log_end_offset()));
}

Status Log::Flush() {
  SLUICE_ASSIGN_OR_RETURN(FlushJob job, PrepareFlush());
  Status s = job.Run();
  if (!s.ok()) {
    LOG(ERROR) << "log_flush_failed dir=" << dir_ << " status=" << s;
    return s;
  }
  CompleteFlush(job);
  return Status::Ok();
}

Status Log::DeleteSegment(int64_t base) {
  auto it = segments_.find(base);
  SLUICE_RETURN_IF_ERROR(it->second->RenameForDeletion(&files_to_delete_));
  segments_.erase(it);  // a FileRegion in flight keeps the fd
  dir_dirty_ = true;
  return Status::Ok();
}

void Log::ClampOffsetsAfterTruncation() {
  ++generation_;
  unflushed_ = true;
  Offset leo = log_end_offset();
  log_start_offset_ = std::min(log_start_offset_, leo);
  high_watermark_ = std::min(high_watermark_, leo);
  recovery_point_ = std::min(recovery_point_, leo);
}

Status Log::TruncateTo(Offset offset) {
  Offset leo = log_end_offset();
  if (offset >= leo) return Status::Ok();
  if (offset < log_start_offset_) return TruncateFullyAndStartAt(offset);
  while (segments_.size() > 1 && segments_.rbegin()->first > offset.value()) {
    SLUICE_RETURN_IF_ERROR(DeleteSegment(segments_.rbegin()->first));
  }
  SLUICE_RETURN_IF_ERROR(active()->TruncateTo(offset.value()));
  ClampOffsetsAfterTruncation();
  SLUICE_RETURN_IF_ERROR(epochs_.TruncateFromEnd(log_end_offset()));
  LOG(INFO) << "log_truncated dir=" << dir_ << " requested=" << offset << " from=" << leo
            << " to=" << log_end_offset();
  return Status::Ok();
}

Status Log::TruncateFullyAndStartAt(Offset offset) {
  while (!segments_.empty()) SLUICE_RETURN_IF_ERROR(DeleteSegment(segments_.begin()->first));
  SLUICE_ASSIGN_OR_RETURN(auto seg, Segment::Create(dir_, offset.value(), config_));
  segments_.emplace(offset.value(), std::move(seg));
  log_start_offset_ = high_watermark_ = recovery_point_ = offset;
  ++generation_;
  dir_dirty_ = true;
  unflushed_ = true;
  SLUICE_RETURN_IF_ERROR(epochs_.Clear());
  LOG(INFO) << "log_truncated_fully dir=" << dir_ << " start_offset=" << offset;
  return Status::Ok();
}

Status Log::MaybeIncrementLogStartOffset(Offset offset) {
  if (offset > high_watermark_) {
    return Status::OutOfRange("log start " + std::to_string(offset.value()) +
                              " above high watermark " + std::to_string(high_watermark_.value()));
  }
  if (offset <= log_start_offset_) return Status::Ok();
  log_start_offset_ = offset;
  SLUICE_RETURN_IF_ERROR(epochs_.TruncateFromStart(offset));
  return DeleteOldSegments(0, /*apply_retention=*/false).status();
}

Result<int> Log::DeleteRetainedSegments(int64_t now_ms) {
  return DeleteOldSegments(now_ms, /*apply_retention=*/true);
}

Result<int> Log::DeleteOldSegments(int64_t now_ms, bool apply_retention) {
  int deleted = 0;
  int64_t total = size_bytes();
  while (segments_.size() > 1) {
    Segment* first = segments_.begin()->second.get();
    int64_t next_base = std::next(segments_.begin())->first;
    if (next_base > high_watermark_.value()) break;  // replicas may still need it
    const char* reason = nullptr;
    if (next_base <= log_start_offset_.value()) {
      reason = "log_start_offset";
    } else if (!apply_retention || !config_.cleanup_delete) {
      break;
    } else if (config_.retention_ms >= 0 &&
               first->largest_timestamp() < now_ms - config_.retention_ms) {
      reason = "retention_ms";
    } else if (config_.retention_bytes >= 0 && total - first->size() >= config_.retention_bytes) {
      reason = "retention_bytes";
    }
    if (reason == nullptr) break;
    LOG(INFO) << "segment_deleted dir=" << dir_ << " base_offset=" << first->base_offset()
              << " size=" << first->size() << " max_timestamp=" << first->max_timestamp()
              << " reason=" << reason;
    total -= first->size();
    SLUICE_RETURN_IF_ERROR(DeleteSegment(first->base_offset()));
    ++deleted;
  }
  if (deleted > 0) {
    Offset first_base(segments_.begin()->first);
    if (first_base > log_start_offset_) {
      log_start_offset_ = first_base;
      SLUICE_RETURN_IF_ERROR(epochs_.TruncateFromStart(log_start_offset_));
    }
    high_watermark_ = std::max(high_watermark_, log_start_offset_);
    recovery_point_ = std::max(recovery_point_, log_start_offset_);
  }
  return deleted;
}

std::vector<std::string> Log::TakeFilesToDelete() {
  std::vector<std::string> out;
  out.swap(files_to_delete_);
  return out;
}

Status Log::Close() {
  if (closed_) return Status::Ok();
  SLUICE_RETURN_IF_ERROR(UnlinkAll(TakeFilesToDelete()));
  SLUICE_RETURN_IF_ERROR(Flush());
  for (auto& [base, seg] : segments_) SLUICE_RETURN_IF_ERROR(seg->PersistIndexes());
  closed_ = true;
  return Status::Ok();
}

Status Log::Delete() {
  closed_ = true;
  segments_.clear();
  (void)RemoveTree(dir_ + kCleanerScratchSuffix);
  LOG(INFO) << "log_deleted dir=" << dir_;
  return RemoveTree(dir_);
}

}  // namespace sluice::storage
