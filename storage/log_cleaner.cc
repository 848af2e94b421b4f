#include "storage/log_cleaner.h"

#include <glog/logging.h>

#include <cstdlib>

#include "common/clock.h"

namespace sluice::storage {

Result<CleanerSettings> CleanerSettingsFromBrokerProperties(
    const std::map<std::string, std::string>& props) {
  CleanerSettings out;
  auto bad = [](const std::string& key, const std::string& v) {
    return Status::InvalidArgument("config " + key + "=\"" + v + "\": invalid");
  };
  if (auto it = props.find("log.cleaner.enable"); it != props.end()) {
    if (it->second != "true" && it->second != "false") return bad(it->first, it->second);
    out.enable = it->second == "true";
  }
  if (auto it = props.find("log.cleaner.backoff.ms"); it != props.end()) {
    char* end = nullptr;
    long long v = std::strtoll(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' || v < 1) return bad(it->first, it->second);
    out.backoff_ms = v;
  }
  if (auto it = props.find("log.cleaner.io.max.bytes.per.second"); it != props.end()) {
    char* end = nullptr;
    double v = std::strtod(it->second.c_str(), &end);  // Kafka's type is double
    if (it->second.empty() || *end != '\0' || !(v > 0)) return bad(it->first, it->second);
    out.io_max_bytes_per_second =
        v >= 9.2e18 ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(v);
  }
  return out;
}

LogCleaner::LogCleaner(LogManager* logs, Executor* loop, CleanerOptions options)
    : logs_(logs), loop_(loop), options_(std::move(options)) {
  if (!options_.now_ms) options_.now_ms = [] { return WallMillis(); };
  worker_ = std::thread([this] { WorkerLoop(); });
}

LogCleaner::~LogCleaner() { Stop(); }

void LogCleaner::Stop() {
  stopped_ = true;
  *alive_ = false;  // results already posted are dropped
  cancel_.store(true);
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  in_flight_.reset();
}

bool LogCleaner::MaybeClean() {
  if (stopped_ || in_flight_.has_value()) return false;
  int64_t now = options_.now_ms();
  Log* best = nullptr;
  TopicPartition best_tp;
  double best_ratio = 0;
  for (const auto& [tp, log] : logs_->AllLogs()) {
    if (!log->config().cleanup_compact) continue;
    double ratio = log->DirtyRatio(now);
    if (ratio <= 0 || ratio < log->config().min_cleanable_dirty_ratio) continue;
    if (best == nullptr || ratio > best_ratio) {
      best = log;
      best_tp = tp;
      best_ratio = ratio;
    }
  }
  if (best == nullptr) return false;
  std::optional<CleanJob> job = best->PrepareClean(now);
  if (!job.has_value()) return false;
  job->io_max_bytes_per_second = options_.io_max_bytes_per_second;
  in_flight_ = InFlight{best_tp, job->log_id};
  VLOG(1) << "log_clean_started topic=" << best_tp.topic << " partition=" << best_tp.partition
          << " dirty_ratio=" << best_ratio << " end_offset=" << job->end_offset;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.emplace(best_tp, std::make_shared<CleanJob>(std::move(*job)));
  }
  cv_.notify_one();
  return true;
}

void LogCleaner::WorkerLoop() {  // worker thread
  for (;;) {
    std::pair<TopicPartition, std::shared_ptr<CleanJob>> work;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return quit_ || pending_.has_value(); });
      if (quit_) return;
      work = std::move(*pending_);
      pending_.reset();
    }
    Status s = work.second->Run(&cancel_);
    if (!s.ok()) Log::DiscardClean(*work.second);  // owns nothing else the loop could touch
    loop_->Post([this, alive = alive_, tp = std::move(work.first), job = std::move(work.second),
                 s]() mutable {
      if (!*alive) return;
      OnPassDone(std::move(tp), std::move(job), s);
    });
  }
}

void LogCleaner::OnPassDone(TopicPartition tp, std::shared_ptr<CleanJob> job, Status status) {
  in_flight_.reset();
  Log* log = logs_->GetLog(tp);
  if (status.ok()) {
    if (log != nullptr && log->instance_id() == job->log_id) {
      int64_t before = log->size_bytes();
      status = log->CompleteClean(*job);
      if (status.ok()) {
        counters_.bytes_reclaimed += before - log->size_bytes();
        counters_.records_removed += job->stats.records_read - job->stats.records_kept;
      }
    } else {
      Log::DiscardClean(*job);
      status = Status::Unavailable("log of " + tp.ToString() + " gone");
    }
  }
  if (status.ok()) {
    ++counters_.passes_completed;
  } else {
    ++counters_.passes_aborted;
    LOG(WARNING) << "log_clean_failed topic=" << tp.topic << " partition=" << tp.partition
                 << " error=" << status;
  }
  if (on_pass_done_) on_pass_done_(tp, status);
  // Next log, if any is dirty enough; after a failure wait for the next MaybeClean() tick
  // rather than retrying the same log at once.
  if (status.ok()) MaybeClean();
}

}  // namespace sluice::storage
