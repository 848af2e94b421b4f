#include "storage/clean_job.h"

#include <glog/logging.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "protocol/compression.h"
#include "protocol/record_batch.h"
#include "protocol/varint.h"
#include "storage/batch_header.h"
#include "storage/file_util.h"
#include "storage/segment.h"

namespace sluice::storage {
namespace {

constexpr size_t kReadChunk = size_t{1} << 20;
// Approximate bytes of one unordered_map<string, int64_t> node besides the key's characters.
constexpr int64_t kMapEntryOverhead = 64;

bool Cancelled(const std::atomic<bool>* cancel) {
  return cancel != nullptr && cancel->load(std::memory_order_relaxed);
}

// Keeps the pass under io_max_bytes_per_second by sleeping after each chunk (Kafka's Throttler).
class Throttler {
 public:
  Throttler(int64_t bytes_per_second, const std::atomic<bool>* cancel)
      : rate_(bytes_per_second), cancel_(cancel), start_(std::chrono::steady_clock::now()) {}
  void Add(int64_t bytes) {
    bytes_ += bytes;
    if (rate_ <= 0 || rate_ == std::numeric_limits<int64_t>::max()) return;
    auto due = start_ + std::chrono::microseconds(static_cast<int64_t>(
                            static_cast<double>(bytes_) * 1e6 / static_cast<double>(rate_)));
    while (std::chrono::steady_clock::now() < due && !Cancelled(cancel_)) {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          due - std::chrono::steady_clock::now(), std::chrono::milliseconds(50)));
    }
  }

 private:
  int64_t rate_;
  const std::atomic<bool>* cancel_;
  std::chrono::steady_clock::time_point start_;
  int64_t bytes_ = 0;
};

// Calls fn(batch) for every whole batch of the source file, CRC checked, reading in chunks.
Status ForEachBatch(const CleanSource& src, Throttler* throttle, const std::atomic<bool>* cancel,
                    CleanStats* stats,
                    const std::function<Status(const protocol::RecordBatchView&)>& fn) {
  const protocol::FileRegion& f = src.file;
  std::string chunk;
  int64_t chunk_start = 0;  // file position of chunk[0]
  int64_t pos = 0;
  const std::string what = "segment " + std::to_string(src.base_offset) + " (cleaner read)";
  while (pos < f.length) {
    if (Cancelled(cancel)) return Status::Unavailable("cleaning cancelled");
    int64_t in_chunk = chunk_start + static_cast<int64_t>(chunk.size()) - pos;
    int64_t need = static_cast<int64_t>(kBatchLengthPrefix);
    if (in_chunk >= need) {
      need = kBatchLengthPrefix +
             static_cast<int64_t>(LoadBe32(reinterpret_cast<const uint8_t*>(chunk.data()) +
                                           (pos - chunk_start) + 8));
    }
    if (need < static_cast<int64_t>(kBatchHeaderSize) && in_chunk >= need) {
      return Status::Corruption("batch length " + std::to_string(need) + " at " +
                                std::to_string(pos) + " in " + what);
    }
    if (in_chunk < need) {
      int64_t len = std::min(f.length - pos, std::max<int64_t>(kReadChunk, need));
      if (len < need) {
        return Status::Corruption("batch at " + std::to_string(pos) + " runs past the end of " +
                                  what);
      }
      chunk.resize(static_cast<size_t>(len));
      SLUICE_RETURN_IF_ERROR(PreadAll(f.fd, chunk.data(), chunk.size(), f.offset + pos, what));
      chunk_start = pos;
      stats->bytes_read += len;
      throttle->Add(len);
      continue;
    }
    const auto* p = reinterpret_cast<const uint8_t*>(chunk.data()) + (pos - chunk_start);
    SLUICE_ASSIGN_OR_RETURN(protocol::RecordBatchView view,
                            protocol::RecordBatchView::Parse(p, static_cast<size_t>(need)));
    SLUICE_RETURN_IF_ERROR(view.VerifyCrc());
    SLUICE_RETURN_IF_ERROR(fn(view));
    pos += need;
  }
  return Status::Ok();
}

struct KeptRecord {
  int64_t offset;
  int64_t timestamp;
  std::string key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

void AppendBytes(std::string& out, std::optional<std::string_view> b) {
  if (!b.has_value()) {
    protocol::varint::AppendVarint(out, -1);
    return;
  }
  protocol::varint::AppendVarint(out, static_cast<int32_t>(b->size()));
  out.append(b->data(), b->size());
}

// The batch with only `kept` (a non-empty strict subset of its records), same header fields
// except batchLength, recordCount, maxTimestamp (CreateTime) and CRC.
Result<std::string> RebuildBatch(const protocol::RecordBatchView& batch,
                                 const std::vector<KeptRecord>& kept) {
  bool append_time = batch.timestamp_type() == protocol::TimestampType::kLogAppendTime;
  std::string records;
  int64_t max_ts = -1;
  for (const KeptRecord& r : kept) {
    std::string rec;
    rec.push_back(0);  // record attributes (unused in v2)
    // Under LogAppendTime a record's own timestamp is not recoverable (readers use the batch's
    // max timestamp), so its delta is written as 0.
    int64_t ts_delta = append_time ? 0 : r.timestamp - batch.base_timestamp();
    protocol::varint::AppendVarlong(rec, ts_delta);
    protocol::varint::AppendVarint(rec, static_cast<int32_t>(r.offset - batch.base_offset()));
    AppendBytes(rec, std::string_view(r.key));
    AppendBytes(rec, r.value.has_value() ? std::optional<std::string_view>(*r.value)
                                         : std::nullopt);
    protocol::varint::AppendVarint(rec, static_cast<int32_t>(r.headers.size()));
    for (const auto& [hk, hv] : r.headers) {
      AppendBytes(rec, std::string_view(hk));
      AppendBytes(rec, hv.has_value() ? std::optional<std::string_view>(*hv) : std::nullopt);
    }
    protocol::varint::AppendVarint(records, static_cast<int32_t>(rec.size()));
    records += rec;
    max_ts = std::max(max_ts, r.timestamp);
  }
  if (batch.compression() != protocol::Compression::kNone) {
    SLUICE_ASSIGN_OR_RETURN(records, protocol::Compress(batch.compression(), records));
  }
  std::string out(reinterpret_cast<const char*>(batch.data()), kBatchHeaderSize);
  auto* p = reinterpret_cast<uint8_t*>(out.data());
  StoreBe32(p + 8, static_cast<int32_t>(kBatchHeaderSize - kBatchLengthPrefix + records.size()));
  if (!append_time) StoreBe64(p + protocol::kBatchMaxTimestampOffset, max_ts);
  StoreBe32(p + protocol::kBatchRecordCountOffset, static_cast<int32_t>(kept.size()));
  out += records;
  protocol::RecomputeCrc(reinterpret_cast<uint8_t*>(out.data()));
  return out;
}

using KeyMap = std::unordered_map<std::string, int64_t>;

// What survives of one batch: nullopt = all of it (copy as is), "" = nothing, else new bytes.
Result<std::optional<std::string>> FilterBatch(const protocol::RecordBatchView& batch,
                                               const KeyMap& latest, int64_t tombstone_horizon,
                                               CleanStats* stats) {
  if (batch.is_control()) return std::optional<std::string>();
  std::vector<KeptRecord> kept;
  int32_t total = 0;
  SLUICE_RETURN_IF_ERROR(protocol::ForEachRecord(batch, [&](const protocol::Record& r) {
    ++total;
    if (!r.key.has_value()) return;  // Kafka's cleaner drops keyless records
    auto it = latest.find(std::string(*r.key));
    if (it == latest.end() || it->second != r.offset) return;  // superseded
    if (!r.value.has_value() && r.timestamp < tombstone_horizon) {
      ++stats->tombstones_dropped;
      return;
    }
    KeptRecord k{r.offset, r.timestamp, std::string(*r.key), std::nullopt, {}};
    if (r.value.has_value()) k.value = std::string(*r.value);
    for (const protocol::RecordHeader& h : r.headers) {
      k.headers.emplace_back(std::string(h.key), h.value.has_value()
                                                     ? std::optional<std::string>(*h.value)
                                                     : std::nullopt);
    }
    kept.push_back(std::move(k));
  }));
  stats->records_read += total;
  stats->records_kept += static_cast<int64_t>(kept.size());
  if (static_cast<int32_t>(kept.size()) == total) return std::optional<std::string>();
  if (kept.empty()) {
    ++stats->batches_dropped;
    return std::optional<std::string>(std::string());
  }
  ++stats->batches_rewritten;
  SLUICE_ASSIGN_OR_RETURN(std::string rebuilt, RebuildBatch(batch, kept));
  return std::optional<std::string>(std::move(rebuilt));
}

bool ParseSegmentFile(const std::string& name, int64_t* base, std::string* suffix) {
  if (name.size() < 21 || name[20] != '.') return false;
  int64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    v = v * 10 + (name[i] - '0');
  }
  *base = v;
  *suffix = name.substr(20);
  return true;
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

Status CleanJob::Run(const std::atomic<bool>* cancel) {
  SLUICE_RETURN_IF_ERROR(RemoveTree(scratch_dir));
  SLUICE_RETURN_IF_ERROR(MakeDirs(scratch_dir));
  Throttler throttle(io_max_bytes_per_second, cancel);
  // Pass 1: the offset of every key's latest record in the job's range.
  // Every key of a group that is cleaned must be in the map (a key missing from it reads as
  // superseded), so the map is cut only at group boundaries.
  KeyMap latest;
  int64_t map_bytes = 0;
  for (size_t i = 0; i < groups.size(); ++i) {
    for (const CleanSource& src : groups[i].sources) {
      SLUICE_RETURN_IF_ERROR(ForEachBatch(
          src, &throttle, cancel, &stats, [&](const protocol::RecordBatchView& b) -> Status {
            if (b.is_control()) return Status::Ok();
            return protocol::ForEachRecord(b, [&](const protocol::Record& r) {
              if (!r.key.has_value()) return;
              auto [it, added] = latest.insert_or_assign(std::string(*r.key), r.offset);
              if (added) map_bytes += static_cast<int64_t>(it->first.size()) + kMapEntryOverhead;
            });
          }));
    }
    if (map_bytes > max_map_bytes && i + 1 < groups.size()) {
      groups.resize(i + 1);
      end_offset = groups.back().end_offset;
      break;
    }
  }
  int64_t horizon = now_ms - config.delete_retention_ms;
  // Pass 2: the survivors, one cleaned segment per group, synced.
  for (const CleanGroup& g : groups) {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<Segment> seg,
                            Segment::Create(scratch_dir, g.base_offset, config));
    for (const CleanSource& src : g.sources) {
      SLUICE_RETURN_IF_ERROR(ForEachBatch(
          src, &throttle, cancel, &stats, [&](const protocol::RecordBatchView& b) -> Status {
            SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> out,
                                    FilterBatch(b, latest, horizon, &stats));
            const uint8_t* data = b.data();
            size_t n = b.size_bytes();
            if (out.has_value()) {
              data = reinterpret_cast<const uint8_t*>(out->data());
              n = out->size();
            }
            if (n == 0) return Status::Ok();
            stats.bytes_written += static_cast<int64_t>(n);
            throttle.Add(static_cast<int64_t>(n));
            return seg->Append(data, n, now_ms);
          }));
    }
    SLUICE_RETURN_IF_ERROR(seg->PersistIndexes());
    SLUICE_RETURN_IF_ERROR(seg->Flush());
  }
  return SyncDir(scratch_dir);
}

Status RecoverCleanerScratch(const std::string& dir) {
  std::string scratch = dir + kCleanerScratchSuffix;
  if (!Exists(scratch)) return Status::Ok();
  Result<std::string> manifest = ReadWholeFile(scratch + "/" + kCleanerSwapManifest);
  if (!manifest.ok()) {
    if (manifest.status().code() != Errc::kNotFound) return manifest.status();
    LOG(INFO) << "log_clean_discarded dir=" << dir << " reason=no_swap_manifest";
    return RemoveTree(scratch);
  }
  std::vector<std::pair<int64_t, int64_t>> ranges;
  std::istringstream in(manifest.value());
  long long base = 0, end = 0;
  while (in >> base >> end) ranges.emplace_back(base, end);
  if (ranges.empty()) return Status::Corruption("empty cleaner swap manifest in " + scratch);
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(dir));
  for (const std::string& name : names) {
    int64_t b = 0;
    std::string suffix;
    if (!ParseSegmentFile(name, &b, &suffix)) continue;
    for (const auto& [rb, re] : ranges) {
      if (b > rb && b < re) {
        std::string path = dir + "/" + name;
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("unlink", path);
      }
    }
  }
  for (const auto& [rb, re] : ranges) {
    for (const char* suffix : {".log", ".index", ".timeindex"}) {
      std::string from = Segment::FileName(scratch, rb, suffix);
      if (!Exists(from)) continue;  // already moved before the crash
      std::string to = Segment::FileName(dir, rb, suffix);
      if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("rename", from);
    }
  }
  SLUICE_RETURN_IF_ERROR(SyncDir(dir));
  LOG(WARNING) << "log_clean_swap_recovered dir=" << dir << " segments=" << ranges.size();
  return RemoveTree(scratch);
}

}  // namespace sluice::storage
