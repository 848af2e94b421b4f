#pragma once
// LogManager: every partition log of this broker across its log dirs (`log.dirs`). Partition
// directories are `<log dir>/<topic>-<partition>`. Each log dir holds the offset checkpoints
// (recovery point, HW, log start) of its partitions and, after a clean Close(), the
// `.kafka_cleanshutdown` marker that lets the next Open() skip the recovery scan.
//
// Thread: loop thread only, like the Logs it owns. Lifecycle: construct -> Open() -> use ->
// Close() (clean shutdown). Destroying without Close() is a crash (next Open() recovers).

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "storage/log.h"
#include "storage/log_config.h"

namespace sluice::storage {

// Flush-and-checkpoint work for a helper thread: syncs the logs, then writes the checkpoint
// files (contents fixed when prepared; the recovery points are the flush targets). Owns only
// what it holds; Run() on any thread.
struct CheckpointJob {
  std::vector<std::pair<TopicPartition, FlushJob>> flushes;
  std::vector<std::pair<std::string, std::string>> files;  // path, content
  Status Run() const;
};

class LogManager {
 public:
  static constexpr const char* kCleanShutdownFile = ".kafka_cleanshutdown";

  // `default_config` is used for logs loaded by Open() until SetLogConfig() says otherwise.
  LogManager(std::vector<std::string> log_dirs, LogConfig default_config);
  ~LogManager();
  LogManager(const LogManager&) = delete;
  LogManager& operator=(const LogManager&) = delete;

  // Creates missing log dirs, removes directories of half-deleted logs, loads every partition
  // with its checkpoints (HW, log start, recovery point; no recovery scan after a clean
  // shutdown), then removes the clean-shutdown markers.
  Status Open();

  // nullptr when this broker has no log for `tp`.
  Log* GetLog(const TopicPartition& tp) const;
  // Existing log, or a new empty one in the log dir holding the fewest partitions.
  Result<Log*> GetOrCreateLog(const TopicPartition& tp, const LogConfig& config);
  // Existing log, or a new one configured with TopicConfig(tp.topic).
  Result<Log*> GetOrCreateLog(const TopicPartition& tp);
  // Applies a changed topic config to a loaded log (no-op if absent).
  void SetLogConfig(const TopicPartition& tp, const LogConfig& config);
  // A topic's overrides (/config/topics/<t>, read at partition creation and on every change):
  // kept for logs created later and applied at once to every loaded log of the topic. Bad
  // values keep the default for their key (WARNING). Forgotten when the topic's last log goes.
  void SetTopicOverrides(const std::string& topic, std::map<std::string, std::string> overrides);
  // Broker defaults overridden by the topic's overrides (if any).
  LogConfig TopicConfig(const std::string& topic) const;
  const LogConfig& default_config() const { return default_config_; }
  // Closes and removes the partition directory; kNotFound if absent.
  Status DeleteLog(const TopicPartition& tp);
  std::vector<std::pair<TopicPartition, Log*>> AllLogs() const;

  // Flushes every log and writes the three checkpoints of every log dir (periodic + shutdown).
  // Blocks; PrepareCheckpoint() + CheckpointJob::Run() elsewhere + CompleteCheckpoint() on the
  // loop do the same without blocking it.
  Status CheckpointAll();
  Result<CheckpointJob> PrepareCheckpoint();
  void CompleteCheckpoint(const CheckpointJob& job);
  // Retention on every log; returns the number of segments deleted.
  Result<int> RunRetention(int64_t now_ms);
  // Files of deleted segments from every log (see Log::TakeFilesToDelete), for a helper thread.
  std::vector<std::string> TakeFilesToDelete();
  // Clean shutdown: flush and close every log, write checkpoints and the markers.
  Status Close();

  const std::vector<std::string>& log_dirs() const { return log_dirs_; }

 private:
  struct Entry {
    std::string log_dir;
    std::unique_ptr<Log> log;
  };
  Status LoadDir(const std::string& log_dir);
  // Adds the three checkpoint files of `log_dir` to `job` (recovery points from its flushes).
  void AddCheckpointFiles(const std::string& log_dir, CheckpointJob* job) const;

  std::vector<std::string> log_dirs_;
  LogConfig default_config_;
  std::map<std::string, std::map<std::string, std::string>> topic_overrides_;
  std::map<TopicPartition, Entry> logs_;
  bool open_ = false;
};

}  // namespace sluice::storage
