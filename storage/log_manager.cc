#include "storage/log_manager.h"

#include <glog/logging.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "common/clock.h"
#include "storage/checkpoint_file.h"
#include "storage/file_util.h"

namespace sluice::storage {
namespace {

constexpr const char* kDeleteSuffix = "-delete";

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

LogManager::LogManager(std::vector<std::string> log_dirs, LogConfig default_config)
    : log_dirs_(std::move(log_dirs)), default_config_(default_config) {}

LogManager::~LogManager() = default;

Status LogManager::Open() {
  if (log_dirs_.empty()) return Status::InvalidArgument("no log dirs");
  for (const std::string& dir : log_dirs_) SLUICE_RETURN_IF_ERROR(LoadDir(dir));
  open_ = true;
  return Status::Ok();
}

Status LogManager::LoadDir(const std::string& log_dir) {
  SLUICE_RETURN_IF_ERROR(MakeDirs(log_dir));
  std::string marker = log_dir + "/" + kCleanShutdownFile;
  bool clean = ::access(marker.c_str(), F_OK) == 0;
  SLUICE_ASSIGN_OR_RETURN(OffsetMap recovery,
                          ReadOffsetCheckpoint(log_dir + "/" + kRecoveryPointCheckpoint));
  SLUICE_ASSIGN_OR_RETURN(OffsetMap hws,
                          ReadOffsetCheckpoint(log_dir + "/" + kReplicationCheckpoint));
  SLUICE_ASSIGN_OR_RETURN(OffsetMap starts,
                          ReadOffsetCheckpoint(log_dir + "/" + kLogStartCheckpoint));
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(log_dir));
  int loaded = 0;
  for (const std::string& name : names) {
    std::string path = log_dir + "/" + name;
    if (!IsDirectory(path)) continue;
    if (name.size() > std::string(kDeleteSuffix).size() &&
        name.compare(name.size() - 7, 7, kDeleteSuffix) == 0) {
      LOG(INFO) << "log_dir_removed path=" << path << " reason=pending_delete";
      SLUICE_RETURN_IF_ERROR(RemoveTree(path));
      continue;
    }
    TopicPartition tp;
    if (!ParsePartitionDirName(name, &tp)) continue;
    if (logs_.count(tp) > 0) {
      return Status::Corruption("partition " + tp.ToString() +
                                " in two log dirs: " + logs_[tp].log_dir + ", " + log_dir);
    }
    Offset recovery_point(0);
    if (clean) {
      recovery_point = Offset(INT64_MAX);
    } else if (auto it = recovery.find(tp); it != recovery.end()) {
      recovery_point = it->second;
    }
    Offset log_start(0);
    if (auto it = starts.find(tp); it != starts.end()) log_start = it->second;
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<Log> log,
                            Log::Open(path, TopicConfig(tp.topic), recovery_point, log_start));
    if (auto it = hws.find(tp); it != hws.end()) log->SetHighWatermark(it->second);
    logs_[tp] = Entry{log_dir, std::move(log)};
    ++loaded;
  }
  if (clean && ::unlink(marker.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus("unlink", marker);
  }
  LOG(INFO) << "log_dir_loaded path=" << log_dir << " partitions=" << loaded
            << " clean_shutdown=" << (clean ? "true" : "false");
  return Status::Ok();
}

Log* LogManager::GetLog(const TopicPartition& tp) const {
  auto it = logs_.find(tp);
  return it == logs_.end() ? nullptr : it->second.log.get();
}

Result<Log*> LogManager::GetOrCreateLog(const TopicPartition& tp, const LogConfig& config) {
  if (Log* log = GetLog(tp)) return log;
  if (tp.topic.empty() || tp.partition < 0) {
    return Status::InvalidArgument("bad partition " + tp.ToString());
  }
  std::map<std::string, int> counts;
  for (const std::string& dir : log_dirs_) counts[dir] = 0;
  for (const auto& [key, entry] : logs_) ++counts[entry.log_dir];
  std::string best = log_dirs_.front();
  for (const std::string& dir : log_dirs_) {
    if (counts[dir] < counts[best]) best = dir;
  }
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<Log> log,
                          Log::Open(best + "/" + tp.ToString(), config, Offset(0)));
  Log* raw = log.get();
  logs_[tp] = Entry{best, std::move(log)};
  LOG(INFO) << "log_created topic=" << tp.topic << " partition=" << tp.partition
            << " log_dir=" << best;
  return raw;
}

void LogManager::SetLogConfig(const TopicPartition& tp, const LogConfig& config) {
  if (Log* log = GetLog(tp)) log->SetConfig(config);
}

Result<Log*> LogManager::GetOrCreateLog(const TopicPartition& tp) {
  return GetOrCreateLog(tp, TopicConfig(tp.topic));
}

LogConfig LogManager::TopicConfig(const std::string& topic) const {
  auto it = topic_overrides_.find(topic);
  if (it == topic_overrides_.end()) return default_config_;
  return MergeTopicOverrides(default_config_, it->second, nullptr);
}

void LogManager::SetTopicOverrides(const std::string& topic,
                                   std::map<std::string, std::string> overrides) {
  std::vector<std::string> errors;
  LogConfig config = MergeTopicOverrides(default_config_, overrides, &errors);
  for (const std::string& e : errors) {
    LOG(WARNING) << "topic_config_invalid topic=" << topic << " error=\"" << e << "\"";
  }
  auto known = topic_overrides_.find(topic);
  bool changed = known == topic_overrides_.end() || known->second != overrides;
  topic_overrides_[topic] = std::move(overrides);
  int applied = 0;
  for (auto& [tp, entry] : logs_) {
    if (tp.topic != topic) continue;
    entry.log->SetConfig(config);
    ++applied;
  }
  if (!changed) return;  // re-read on every partition open: log only what changed
  LOG(INFO) << "topic_config_applied topic=" << topic << " logs=" << applied
            << " cleanup_policy=" << config.cleanup_policy()
            << " segment_bytes=" << config.segment_bytes << " retention_ms=" << config.retention_ms
            << " retention_bytes=" << config.retention_bytes;
}

Status LogManager::DeleteLog(const TopicPartition& tp) {
  auto it = logs_.find(tp);
  if (it == logs_.end()) return Status::NotFound("no log for " + tp.ToString());
  std::string dir = it->second.log->dir();
  // Rename first so a crash mid-delete leaves a "-delete" dir that Open() removes, not a log.
  std::string doomed = dir + "." + std::to_string(WallMillis()) + kDeleteSuffix;
  it->second.log.reset();
  std::string log_dir = it->second.log_dir;
  logs_.erase(it);
  bool topic_gone = true;
  for (const auto& [other, entry] : logs_) topic_gone = topic_gone && other.topic != tp.topic;
  if (topic_gone) topic_overrides_.erase(tp.topic);
  if (::rename(dir.c_str(), doomed.c_str()) != 0) return ErrnoStatus("rename", dir);
  // A cleaning pass in flight may still write here; its completion finds the log gone.
  (void)RemoveTree(dir + kCleanerScratchSuffix);
  SLUICE_RETURN_IF_ERROR(SyncDir(log_dir));
  LOG(INFO) << "log_deleted topic=" << tp.topic << " partition=" << tp.partition;
  return RemoveTree(doomed);
}

std::vector<std::pair<TopicPartition, Log*>> LogManager::AllLogs() const {
  std::vector<std::pair<TopicPartition, Log*>> out;
  out.reserve(logs_.size());
  for (const auto& [tp, entry] : logs_) out.emplace_back(tp, entry.log.get());
  return out;
}

Status CheckpointJob::Run() const {
  for (const auto& [tp, flush] : flushes) {
    Status s = flush.Run();
    if (!s.ok()) {
      LOG(ERROR) << "log_flush_failed topic=" << tp.topic << " partition=" << tp.partition
                 << " status=" << s;
      return s;
    }
  }
  for (const auto& [path, content] : files) {
    Status s = WriteFileAtomically(path, content);
    if (!s.ok()) {
      LOG(ERROR) << "checkpoint_write_failed path=" << path << " status=" << s;
      return s;
    }
  }
  return Status::Ok();
}

void LogManager::AddCheckpointFiles(const std::string& log_dir, CheckpointJob* job) const {
  OffsetMap recovery, hws, starts;
  for (const auto& [tp, entry] : logs_) {
    if (entry.log_dir != log_dir) continue;
    recovery[tp] = entry.log->recovery_point();
    hws[tp] = entry.log->high_watermark();
    starts[tp] = entry.log->log_start_offset();
  }
  for (const auto& [tp, flush] : job->flushes) {
    if (auto it = recovery.find(tp); it != recovery.end()) it->second = flush.up_to;
  }
  job->files.emplace_back(log_dir + "/" + kRecoveryPointCheckpoint,
                          EncodeOffsetCheckpoint(recovery));
  job->files.emplace_back(log_dir + "/" + kReplicationCheckpoint, EncodeOffsetCheckpoint(hws));
  job->files.emplace_back(log_dir + "/" + kLogStartCheckpoint, EncodeOffsetCheckpoint(starts));
}

Result<CheckpointJob> LogManager::PrepareCheckpoint() {
  CheckpointJob job;
  for (auto& [tp, entry] : logs_) {
    SLUICE_ASSIGN_OR_RETURN(FlushJob flush, entry.log->PrepareFlush());
    job.flushes.emplace_back(tp, std::move(flush));
  }
  for (const std::string& dir : log_dirs_) AddCheckpointFiles(dir, &job);
  return job;
}

void LogManager::CompleteCheckpoint(const CheckpointJob& job) {
  for (const auto& [tp, flush] : job.flushes) {
    if (Log* log = GetLog(tp)) log->CompleteFlush(flush);
  }
}

Status LogManager::CheckpointAll() {
  SLUICE_ASSIGN_OR_RETURN(CheckpointJob job, PrepareCheckpoint());
  SLUICE_RETURN_IF_ERROR(job.Run());
  CompleteCheckpoint(job);
  return Status::Ok();
}

Result<int> LogManager::RunRetention(int64_t now_ms) {
  int total = 0;
  for (auto& [tp, entry] : logs_) {
    Result<int> n = entry.log->DeleteRetainedSegments(now_ms);
    if (!n.ok()) {
      LOG(ERROR) << "retention_failed topic=" << tp.topic << " partition=" << tp.partition
                 << " status=" << n.status();
      return n.status();
    }
    total += n.value();
  }
  return total;
}

std::vector<std::string> LogManager::TakeFilesToDelete() {
  std::vector<std::string> out;
  for (auto& [tp, entry] : logs_) {
    std::vector<std::string> files = entry.log->TakeFilesToDelete();
    out.insert(out.end(), files.begin(), files.end());
  }
  return out;
}

Status LogManager::Close() {
  if (!open_) return Status::Ok();
  SLUICE_RETURN_IF_ERROR(CheckpointAll());
  for (auto& [tp, entry] : logs_) SLUICE_RETURN_IF_ERROR(entry.log->Close());
  for (const std::string& dir : log_dirs_) {
    SLUICE_RETURN_IF_ERROR(WriteFileAtomically(dir + "/" + kCleanShutdownFile, ""));
  }
  logs_.clear();
  open_ = false;
  LOG(INFO) << "log_manager_closed log_dirs=" << log_dirs_.size();
  return Status::Ok();
}

}  // namespace sluice::storage
