#pragma once
// LogCleaner: compacts the logs with cleanup.policy=compact, one log at a time, on its own helper
// thread (Kafka's LogCleaner with one cleaner thread). MaybeClean() on the loop thread picks the
// log whose dirty ratio is highest and at least its min.cleanable.dirty.ratio, prepares its
// CleanJob and hands it to the worker; the worker runs it (rate-limited by
// io_max_bytes_per_second) and Posts the result back; the loop installs it (Log::CompleteClean)
// and looks for the next log. Logs deleted or truncated meanwhile make the pass abort harmlessly.
//
// Thread: construct, MaybeClean(), Stop() and destroy on the loop thread that owns the
// LogManager; the worker touches only its CleanJob. Lifecycle: construct -> MaybeClean() (timer)
// -> Stop() (cancels the pass in flight, joins; call before LogManager::Close()) -> destroy.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/executor.h"
#include "common/ids.h"
#include "common/status.h"
#include "storage/clean_job.h"
#include "storage/log_manager.h"

namespace sluice::storage {

struct CleanerOptions {
  // log.cleaner.io.max.bytes.per.second (read + written bytes of a pass).
  int64_t io_max_bytes_per_second = std::numeric_limits<int64_t>::max();
  // Wall clock for tombstone horizons and min.compaction.lag.ms (tests inject their own).
  std::function<int64_t()> now_ms;
};

// The broker's log.cleaner.* keys: log.cleaner.enable (true), log.cleaner.backoff.ms (15000:
// how often the broker calls MaybeClean()), log.cleaner.io.max.bytes.per.second (unlimited).
struct CleanerSettings {
  bool enable = true;
  int64_t backoff_ms = 15000;
  int64_t io_max_bytes_per_second = std::numeric_limits<int64_t>::max();
};
Result<CleanerSettings> CleanerSettingsFromBrokerProperties(
    const std::map<std::string, std::string>& props);

struct CleanerCounters {
  int64_t passes_completed = 0;
  int64_t passes_aborted = 0;  // failed, cancelled, or the log changed meanwhile
  int64_t records_removed = 0;
  int64_t bytes_reclaimed = 0;
};

class LogCleaner {
 public:
  LogCleaner(LogManager* logs, Executor* loop, CleanerOptions options);
  ~LogCleaner();
  LogCleaner(const LogCleaner&) = delete;
  LogCleaner& operator=(const LogCleaner&) = delete;

  // Starts a pass on the dirtiest eligible log unless one is in flight; true if one started.
  bool MaybeClean();
  // Cancels the pass in flight and joins the worker; later MaybeClean() calls do nothing.
  void Stop();
  bool busy() const { return in_flight_.has_value(); }
  const CleanerCounters& counters() const { return counters_; }
  // Called on the loop thread after each pass (tests, metrics).
  void set_on_pass_done(std::function<void(const TopicPartition&, const Status&)> fn) {
    on_pass_done_ = std::move(fn);
  }

 private:
  struct InFlight {
    TopicPartition tp;
    uint64_t log_id = 0;
  };
  void WorkerLoop();
  void OnPassDone(TopicPartition tp, std::shared_ptr<CleanJob> job, Status status);

  LogManager* logs_;
  Executor* loop_;
  CleanerOptions options_;
  std::optional<InFlight> in_flight_;  // loop thread
  CleanerCounters counters_;           // loop thread
  std::function<void(const TopicPartition&, const Status&)> on_pass_done_;
  bool stopped_ = false;  // loop thread
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // loop thread

  // Shared with the worker thread.
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::pair<TopicPartition, std::shared_ptr<CleanJob>>> pending_;  // guarded by mu_
  bool quit_ = false;                                                            // guarded by mu_
  std::atomic<bool> cancel_{false};
  std::thread worker_;
};

}  // namespace sluice::storage
