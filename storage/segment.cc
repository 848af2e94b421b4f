#include "storage/segment.h"

#include <fcntl.h>
#include <glog/logging.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <limits>
#include <vector>

#include "common/clock.h"
#include "storage/batch_header.h"

namespace sluice::storage {
namespace {

constexpr size_t kScanChunk = 64 * 1024;

// Sequential reads of a file through one reusable buffer (loop thread: thread_local scratch, so
// lookups on the fetch path do not allocate).
class ChunkReader {
 public:
  ChunkReader(int fd, const std::string& path, int64_t end, size_t chunk = kScanChunk)
      : fd_(fd), path_(path), end_(end), chunk_(chunk), buf_(Scratch()) {}

  // Pointer to bytes [pos, pos+n), nullptr when the file (end_) ends first.
  Result<const uint8_t*> Get(int64_t pos, size_t n) {
    if (pos < 0 || pos + static_cast<int64_t>(n) > end_)
      return static_cast<const uint8_t*>(nullptr);
    if (pos >= buf_start_ && pos + static_cast<int64_t>(n) <= buf_start_ + buf_len_) {
      return buf_.data() + (pos - buf_start_);
    }
    size_t want = std::max(n, chunk_);
    want = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(want), end_ - pos));
    if (buf_.size() < want) buf_.resize(want);
    Status s = PreadAll(fd_, buf_.data(), want, pos, path_);
    if (!s.ok()) return s;
    buf_start_ = pos;
    buf_len_ = static_cast<int64_t>(want);
    return static_cast<const uint8_t*>(buf_.data());
  }

 private:
  static std::vector<uint8_t>& Scratch() {
    thread_local std::vector<uint8_t> scratch;
    return scratch;
  }
  int fd_;
  const std::string& path_;
  int64_t end_;
  size_t chunk_;
  std::vector<uint8_t>& buf_;
  int64_t buf_start_ = 0;
  int64_t buf_len_ = 0;
};

// Position of an index entry's batch, checked against the batch header there: a damaged entry
// (the file is trusted on clean loads, as Kafka does) costs a scan from the segment start
// instead of a wrong answer.
Result<int64_t> VerifiedStart(const OffsetIndexEntry& e, ChunkReader& reader,
                              const std::string& path) {
  if (e.position == 0) return int64_t{0};
  SLUICE_ASSIGN_OR_RETURN(const uint8_t* p, reader.Get(e.position, kBatchHeaderSize));
  if (p != nullptr && LoadBe64(p) == e.offset) return e.position;
  LOG_EVERY_N(WARNING, 100) << "index_entry_mismatch segment=" << path << " offset=" << e.offset
                            << " position=" << e.position;
  return int64_t{0};
}

}  // namespace

std::string Segment::FileName(const std::string& dir, int64_t base_offset, const char* suffix) {
  char name[32];
  std::snprintf(name, sizeof(name), "%020lld", static_cast<long long>(base_offset));
  return dir + "/" + name + suffix;
}

Segment::Segment(std::string dir, int64_t base_offset, const LogConfig& config,
                 std::shared_ptr<FileHandle> file, int64_t size)
    : dir_(std::move(dir)),
      log_path_(FileName(dir_, base_offset, ".log")),
      base_offset_(base_offset),
      config_(config),
      file_(std::move(file)),
      offset_index_(FileName(dir_, base_offset, ".index"), base_offset, config.segment_index_bytes),
      time_index_(FileName(dir_, base_offset, ".timeindex"), base_offset,
                  config.segment_index_bytes),
      size_(size),
      next_offset_(base_offset) {}

Result<std::unique_ptr<Segment>> Segment::Create(const std::string& dir, int64_t base_offset,
                                                 const LogConfig& config) {
  std::string path = FileName(dir, base_offset, ".log");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create", path);
  std::unique_ptr<Segment> seg(
      new Segment(dir, base_offset, config, std::make_shared<FileHandle>(fd), 0));
  SLUICE_RETURN_IF_ERROR(seg->offset_index_.RemoveFile());
  SLUICE_RETURN_IF_ERROR(seg->time_index_.RemoveFile());
  seg->dirty_ = true;
  return seg;
}

Result<std::unique_ptr<Segment>> Segment::Open(const std::string& dir, int64_t base_offset,
                                               const LogConfig& config, OpenMode mode,
                                               int64_t* bytes_truncated) {
  *bytes_truncated = 0;
  std::string path = FileName(dir, base_offset, ".log");
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path);
  auto file = std::make_shared<FileHandle>(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus("fstat", path);
  std::unique_ptr<Segment> seg(new Segment(dir, base_offset, config, file, st.st_size));
  if (mode == OpenMode::kRecover) {
    SLUICE_RETURN_IF_ERROR(seg->Rebuild(/*verify_crc=*/true, bytes_truncated));
    seg->dirty_ = true;
    return seg;
  }
  Status oi = seg->offset_index_.Load(seg->size_);
  Status ti = oi.ok() ? seg->time_index_.Load(seg->size_) : oi;
  if (oi.ok() && ti.ok() && !seg->TimeEntriesMatchOffsetEntries()) {
    ti = Status::Corruption("time index entries not on offset index entries");
  }
  if (oi.ok() && ti.ok()) {
    Status tail = seg->LoadTail(bytes_truncated);
    if (tail.ok()) return seg;
    if (tail.code() != Errc::kCorruption) return tail;
    ti = tail;
  }
  if (seg->size_ > 0) {
    LOG(WARNING) << "index_rebuild segment=" << path << " reason=" << (oi.ok() ? ti : oi);
  }
  SLUICE_RETURN_IF_ERROR(seg->Rebuild(/*verify_crc=*/false, bytes_truncated));
  return seg;
}

size_t Segment::LookupChunk() const {
  return static_cast<size_t>(std::clamp<int64_t>(int64_t{config_.index_interval_bytes} + 2048, 4096,
                                                 static_cast<int64_t>(kScanChunk)));
}

bool Segment::TimeEntriesMatchOffsetEntries() const {
  // Both are appended together, so every time entry names an offset-index entry's batch.
  const auto& offsets = offset_index_.entries();
  size_t j = 0;
  for (const TimeIndexEntry& t : time_index_.entries()) {
    while (j < offsets.size() && offsets[j].offset < t.offset) ++j;
    if (j == offsets.size() || offsets[j].offset != t.offset) return false;
  }
  return true;
}

void Segment::IndexBatch(int64_t base, int64_t position, int64_t size, int64_t max_ts) {
  if (max_ts > max_timestamp_) max_timestamp_ = max_ts;
  if (bytes_since_index_ > config_.index_interval_bytes) {
    offset_index_.Append(OffsetIndexEntry{base, position});
    if (time_index_.empty() || max_timestamp_ > time_index_.back().timestamp) {
      time_index_.Append(TimeIndexEntry{max_timestamp_, base});
    }
    bytes_since_index_ = 0;
  }
  bytes_since_index_ += size;
}

int64_t Segment::largest_timestamp() const {
  if (max_timestamp_ >= 0) return max_timestamp_;
  struct stat st;
  if (::fstat(file_->fd(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

Status Segment::CutAt(int64_t pos) {
  if (::ftruncate(file_->fd(), pos) != 0) return ErrnoStatus("ftruncate", log_path_);
  size_ = pos;
  dirty_ = true;
  return Status::Ok();
}

Status Segment::ScanFrom(int64_t pos, bool verify_crc, int64_t* bytes_truncated) {
  ChunkReader reader(file_->fd(), log_path_, size_);
  int64_t expected_min = next_offset_;
  std::string why;
  while (pos < size_) {
    SLUICE_ASSIGN_OR_RETURN(const uint8_t* p, reader.Get(pos, kBatchHeaderSize));
    if (p == nullptr) {
      why = "torn header";
      break;
    }
    Result<BatchHeader> h = ParseBatchHeader(p, kBatchHeaderSize);
    if (!h.ok()) {
      why = h.status().message();
      break;
    }
    if (h->base_offset < expected_min ||
        h->last_offset() - base_offset_ > std::numeric_limits<int32_t>::max()) {
      why = "offset " + std::to_string(h->base_offset) + " out of order";
      break;
    }
    int64_t size = h->size_bytes();
    if (pos + size > size_) {
      why = "torn batch";
      break;
    }
    if (verify_crc) {
      SLUICE_ASSIGN_OR_RETURN(const uint8_t* whole, reader.Get(pos, static_cast<size_t>(size)));
      if (!BatchCrcMatches(whole, static_cast<size_t>(size))) {
        why = "crc mismatch at offset " + std::to_string(h->base_offset);
        break;
      }
    }
    IndexBatch(h->base_offset, pos, size, h->max_timestamp);
    if (roll_base_ms_ < 0) roll_base_ms_ = h->max_timestamp >= 0 ? h->max_timestamp : WallMillis();
    next_offset_ = h->last_offset() + 1;
    expected_min = next_offset_;
    pos += size;
  }
  if (pos < size_) {
    *bytes_truncated = size_ - pos;
    LOG(WARNING) << "log_truncated segment=" << log_path_ << " position=" << pos
                 << " bytes_cut=" << *bytes_truncated << " reason=\"" << why << "\"";
    SLUICE_RETURN_IF_ERROR(CutAt(pos));
    offset_index_.TruncateFromOffset(next_offset_);
    time_index_.TruncateFromOffset(next_offset_);
  }
  return Status::Ok();
}

Status Segment::Rebuild(bool verify_crc, int64_t* bytes_truncated) {
  offset_index_.Clear();
  time_index_.Clear();
  next_offset_ = base_offset_;
  max_timestamp_ = -1;
  bytes_since_index_ = 0;
  roll_base_ms_ = -1;
  return ScanFrom(0, verify_crc, bytes_truncated);
}

Status Segment::LoadTail(int64_t* bytes_truncated) {
  int64_t pos = 0;
  next_offset_ = base_offset_;
  max_timestamp_ = time_index_.empty() ? -1 : time_index_.back().timestamp;
  roll_base_ms_ = -1;
  if (size_ > 0) {
    // The first batch gives the time-based roll clock.
    uint8_t head[kBatchHeaderSize];
    if (size_ >= static_cast<int64_t>(kBatchHeaderSize)) {
      SLUICE_RETURN_IF_ERROR(PreadAll(file_->fd(), head, sizeof(head), 0, log_path_));
      int64_t first_ts = LoadBe64(head + 35);
      roll_base_ms_ = first_ts >= 0 ? first_ts : WallMillis();  // no timestamp: roll clock now
    }
  }
  if (!offset_index_.empty()) {
    const OffsetIndexEntry& last = offset_index_.back();
    uint8_t head[kBatchHeaderSize];
    if (last.position + static_cast<int64_t>(kBatchHeaderSize) > size_) {
      return Status::Corruption("last index entry beyond the log");
    }
    SLUICE_RETURN_IF_ERROR(PreadAll(file_->fd(), head, sizeof(head), last.position, log_path_));
    Result<BatchHeader> h = ParseBatchHeader(head, sizeof(head));
    if (!h.ok() || h->base_offset != last.offset) {
      return Status::Corruption("last index entry does not point at its batch");
    }
    pos = last.position;
    next_offset_ = last.offset;
  } else if (!time_index_.empty()) {
    return Status::Corruption("time index without offset index");
  }
  // Re-scan the tail past the last entry, indexing it like fresh appends (the entry's own batch
  // is not indexed again: the byte counter starts at 0).
  bytes_since_index_ = 0;
  return ScanFrom(pos, /*verify_crc=*/false, bytes_truncated);
}

bool Segment::ShouldRoll(int64_t pending, int64_t bytes, int64_t last_offset,
                         int64_t now_ms) const {
  if (size_ + pending == 0) return false;
  if (size_ + pending + bytes > config_.segment_bytes) return true;
  if (roll_base_ms_ >= 0 && now_ms - roll_base_ms_ > config_.segment_ms) return true;
  if (offset_index_.full() || time_index_.full()) return true;
  if (last_offset - base_offset_ > std::numeric_limits<int32_t>::max()) return true;
  return size_ + pending + bytes > std::numeric_limits<int32_t>::max();
}

Status Segment::Append(const uint8_t* data, size_t n, int64_t now_ms) {
  size_t done = 0;
  while (done < n) {
    ssize_t w = ::write(file_->fd(), data + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      Status s = ErrnoStatus("write", log_path_);
      if (done > 0 && ::ftruncate(file_->fd(), size_) != 0) {
        LOG(ERROR) << "segment_cut_back_failed segment=" << log_path_;
      }
      return s;
    }
    done += static_cast<size_t>(w);
  }
  if (roll_base_ms_ < 0) roll_base_ms_ = now_ms;
  int64_t pos = size_;
  const uint8_t* p = data;
  const uint8_t* end = data + n;
  while (p + kBatchHeaderSize <= end) {
    int64_t base = LoadBe64(p);
    int64_t size = kBatchLengthPrefix + LoadBe32(p + 8);
    IndexBatch(base, pos, size, LoadBe64(p + 35));
    next_offset_ = base + LoadBe32(p + 23) + 1;
    pos += size;
    p += size;
  }
  size_ += static_cast<int64_t>(n);
  dirty_ = true;
  return Status::Ok();
}

Result<BatchPosition> Segment::FindPosition(int64_t offset) const {
  OffsetIndexEntry start = offset_index_.Lookup(offset, base_offset_);
  // The target is at most ~index_interval_bytes past the entry: read about that much at once.
  ChunkReader reader(file_->fd(), log_path_, size_, LookupChunk());
  SLUICE_ASSIGN_OR_RETURN(int64_t pos, VerifiedStart(start, reader, log_path_));
  while (pos < size_) {
    SLUICE_ASSIGN_OR_RETURN(const uint8_t* p, reader.Get(pos, kBatchHeaderSize));
    if (p == nullptr) return Status::Corruption("torn batch header in " + log_path_);
    int64_t base = LoadBe64(p);
    int64_t size = kBatchLengthPrefix + LoadBe32(p + 8);
    if (size < static_cast<int64_t>(kBatchHeaderSize)) {
      return Status::Corruption("bad batch length in " + log_path_);
    }
    if (base + LoadBe32(p + 23) >= offset) return BatchPosition{pos, base, size};
    pos += size;
  }
  return BatchPosition{size_, next_offset_, 0};
}

Result<std::optional<int64_t>> Segment::FindOffsetForTimestamp(int64_t ts) const {
  if (max_timestamp_ < ts) return std::optional<int64_t>();
  const TimeIndexEntry* e = time_index_.LookupBefore(ts);
  ChunkReader reader(file_->fd(), log_path_, size_, LookupChunk());
  SLUICE_ASSIGN_OR_RETURN(
      int64_t pos,
      VerifiedStart(offset_index_.Lookup(e != nullptr ? e->offset : base_offset_, base_offset_),
                    reader, log_path_));
  while (pos < size_) {
    SLUICE_ASSIGN_OR_RETURN(const uint8_t* p, reader.Get(pos, kBatchHeaderSize));
    if (p == nullptr) return Status::Corruption("torn batch header in " + log_path_);
    if (LoadBe64(p + 35) >= ts) return std::optional<int64_t>(LoadBe64(p));
    pos += kBatchLengthPrefix + LoadBe32(p + 8);
  }
  return std::optional<int64_t>();
}

Status Segment::VisitBatches(const std::function<void(int64_t, int32_t)>& fn) const {
  ChunkReader reader(file_->fd(), log_path_, size_);
  for (int64_t pos = 0; pos < size_;) {
    SLUICE_ASSIGN_OR_RETURN(const uint8_t* p, reader.Get(pos, kBatchHeaderSize));
    if (p == nullptr) return Status::Corruption("torn batch header in " + log_path_);
    fn(LoadBe64(p), LoadBe32(p + 12));
    pos += kBatchLengthPrefix + LoadBe32(p + 8);
  }
  return Status::Ok();
}

protocol::FileRegion Segment::Region(int64_t position, int64_t length) const {
  return protocol::FileRegion{file_->fd(), position, length, file_};
}

Status Segment::TruncateTo(int64_t offset) {
  if (offset >= next_offset_) return Status::Ok();
  SLUICE_ASSIGN_OR_RETURN(BatchPosition at, FindPosition(offset));
  if (at.position >= size_) return Status::Ok();
  SLUICE_RETURN_IF_ERROR(CutAt(at.position));
  offset_index_.TruncateFromOffset(at.base_offset);
  time_index_.TruncateFromOffset(at.base_offset);
  int64_t ignored = 0;
  return LoadTail(&ignored);
}

Status Segment::PersistIndexes() {
  SLUICE_RETURN_IF_ERROR(offset_index_.Persist(/*sync=*/false));
  return time_index_.Persist(/*sync=*/false);
}

Status Segment::Flush() {
  if (!dirty_) return Status::Ok();
  if (::fdatasync(file_->fd()) != 0) return ErrnoStatus("fdatasync", log_path_);
  SLUICE_RETURN_IF_ERROR(offset_index_.Persist(/*sync=*/true));
  SLUICE_RETURN_IF_ERROR(time_index_.Persist(/*sync=*/true));
  dirty_ = false;
  return Status::Ok();
}

Status Segment::PrepareFlush(FlushJob* job) {
  SLUICE_RETURN_IF_ERROR(PersistIndexes());
  job->files.push_back(file_);
  job->index_paths.push_back(offset_index_.path());
  job->index_paths.push_back(time_index_.path());
  dirty_ = false;
  return Status::Ok();
}

Status FlushJob::Run() const {
  for (const auto& f : files) {
    if (::fdatasync(f->fd()) != 0) return ErrnoStatus("fdatasync", "fd " + std::to_string(f->fd()));
  }
  for (const std::string& path : index_paths) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) continue;  // segment deleted (or index never written) meanwhile
      return ErrnoStatus("open", path);
    }
    int rc = ::fdatasync(fd);
    ::close(fd);
    if (rc != 0) return ErrnoStatus("fdatasync", path);
  }
  for (const std::string& dir : dirs) SLUICE_RETURN_IF_ERROR(SyncDir(dir));
  return Status::Ok();
}

Status Segment::RenameForDeletion(std::vector<std::string>* to_unlink) {
  for (const std::string& path : {log_path_, offset_index_.path(), time_index_.path()}) {
    std::string doomed = path + ".deleted";
    if (::rename(path.c_str(), doomed.c_str()) != 0) {
      if (errno == ENOENT) continue;  // an index never written
      return ErrnoStatus("rename", path);
    }
    to_unlink->push_back(std::move(doomed));
  }
  return Status::Ok();
}

}  // namespace sluice::storage
