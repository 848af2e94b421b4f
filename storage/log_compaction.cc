// Log's side of compaction (clean_job.h): choosing what to clean and swapping cleaned segments
// in. Loop thread, like the rest of Log.
#include <glog/logging.h>

#include <cerrno>
#include <cstdio>
#include <limits>

#include "storage/file_util.h"
#include "storage/log.h"

namespace sluice::storage {

std::vector<const Segment*> Log::CleanableSegments(int64_t now_ms) const {
  std::vector<const Segment*> out;
  if (!config_.cleanup_compact || closed_) return out;
  for (auto it = segments_.begin(); std::next(it) != segments_.end(); ++it) {
    int64_t next_base = std::next(it)->first;
    if (next_base > high_watermark_.value()) break;  // not yet replicated everywhere
    if (config_.min_compaction_lag_ms > 0 &&
        it->second->largest_timestamp() > now_ms - config_.min_compaction_lag_ms) {
      break;
    }
    out.push_back(it->second.get());
  }
  return out;
}

double Log::DirtyRatio(int64_t now_ms) const {
  int64_t total = 0, dirty = 0;
  for (const Segment* seg : CleanableSegments(now_ms)) {
    total += seg->size();
    if (seg->base_offset() >= clean_offset_.value()) dirty += seg->size();
  }
  return total == 0 ? 0.0 : static_cast<double>(dirty) / static_cast<double>(total);
}

std::optional<CleanJob> Log::PrepareClean(int64_t now_ms) {
  std::vector<const Segment*> segs = CleanableSegments(now_ms);
  if (segs.empty()) return std::nullopt;
  CleanJob job;
  job.dir = dir_;
  job.scratch_dir = dir_ + kCleanerScratchSuffix;
  job.config = config_;
  job.now_ms = now_ms;
  job.log_id = instance_id_;
  job.generation = generation_;
  int64_t group_bytes = 0;
  for (const Segment* seg : segs) {
    int64_t end = segments_.upper_bound(seg->base_offset())->first;
    bool fits = !job.groups.empty() && group_bytes + seg->size() <= config_.segment_bytes &&
                end - 1 - job.groups.back().base_offset <= std::numeric_limits<int32_t>::max();
    if (!fits) {
      job.groups.push_back(CleanGroup{seg->base_offset(), end, {}});
      group_bytes = 0;
    }
    job.groups.back().end_offset = end;
    job.groups.back().sources.push_back(
        CleanSource{seg->base_offset(), end, seg->Region(0, seg->size())});
    group_bytes += seg->size();
  }
  job.end_offset = job.groups.back().end_offset;
  return job;
}

void Log::DiscardClean(const CleanJob& job) {
  Status s = RemoveTree(job.scratch_dir);
  if (!s.ok()) LOG(WARNING) << "log_clean_scratch_remove_failed dir=" << job.dir << " error=" << s;
}

Status Log::CompleteClean(const CleanJob& job) {
  auto abort = [&](const std::string& why) {
    DiscardClean(job);
    LOG(INFO) << "log_clean_aborted dir=" << dir_ << " reason=" << why;
    return Status::Unavailable("cleaning of " + dir_ + " aborted: " + why);
  };
  if (closed_ || job.log_id != instance_id_) return abort("log_closed");
  if (job.generation != generation_) return abort("truncated");
  for (const CleanGroup& g : job.groups) {
    for (const CleanSource& src : g.sources) {
      auto it = segments_.find(src.base_offset);
      if (it == segments_.end() || std::next(it) == segments_.end() ||
          it->second->size() != src.file.length) {
        return abort("segment_changed");
      }
    }
    if (segments_.count(g.end_offset) == 0) return abort("segment_changed");
  }
  std::string manifest;
  for (const CleanGroup& g : job.groups) {
    manifest += std::to_string(g.base_offset) + " " + std::to_string(g.end_offset) + "\n";
  }
  // Commit point: from here a crash rolls the swap forward (RecoverCleanerScratch).
  SLUICE_RETURN_IF_ERROR(
      WriteFileAtomically(job.scratch_dir + "/" + kCleanerSwapManifest, manifest));
  int64_t size_before = 0, size_after = 0;
  for (const CleanGroup& g : job.groups) {
    for (const CleanSource& src : g.sources) {
      size_before += src.file.length;
      SLUICE_RETURN_IF_ERROR(DeleteSegment(src.base_offset));
    }
    for (const char* suffix : {".log", ".index", ".timeindex"}) {  // .log first
      std::string from = Segment::FileName(job.scratch_dir, g.base_offset, suffix);
      std::string to = Segment::FileName(dir_, g.base_offset, suffix);
      if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
        return ErrnoStatus("rename", from);
      }
    }
    int64_t cut = 0;
    SLUICE_ASSIGN_OR_RETURN(
        std::unique_ptr<Segment> seg,
        Segment::Open(dir_, g.base_offset, config_, Segment::OpenMode::kClean, &cut));
    size_after += seg->size();
    if (seg->empty() && !segments_.empty() && segments_.begin()->first < g.base_offset) {
      // Nothing survived: no segment needed (the first one stays, anchoring the log start).
      SLUICE_RETURN_IF_ERROR(seg->RenameForDeletion(&files_to_delete_));
      continue;
    }
    segments_.emplace(g.base_offset, std::move(seg));
  }
  SLUICE_RETURN_IF_ERROR(SyncDir(dir_));
  SLUICE_RETURN_IF_ERROR(RemoveTree(job.scratch_dir));
  clean_offset_ = std::max(clean_offset_, Offset(job.end_offset));
  LOG(INFO) << "log_cleaned dir=" << dir_ << " end_offset=" << job.end_offset
            << " segments_in=" << [&] {
                 size_t n = 0;
                 for (const CleanGroup& g : job.groups) n += g.sources.size();
                 return n;
               }()
            << " segments_out=" << job.groups.size() << " bytes_before=" << size_before
            << " bytes_after=" << size_after << " records_read=" << job.stats.records_read
            << " records_kept=" << job.stats.records_kept
            << " tombstones_dropped=" << job.stats.tombstones_dropped;
  return Status::Ok();
}

}  // namespace sluice::storage
