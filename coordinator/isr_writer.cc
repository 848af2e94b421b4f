#include "coordinator/isr_writer.h"

#include <glog/logging.h>

#include <vector>

#include "common/clock.h"

namespace sluice::coordinator {

IsrWriter::IsrWriter(ZkSession* session, IsrWriterOptions options)
    : session_(session), options_(options) {}

IsrWriter::~IsrWriter() { *alive_ = false; }

void IsrWriter::Start() {
  if (started_) return;
  started_ = true;
  last_propagation_ms_ = SteadyMillis();
  session_->RunAfter(options_.check_interval, [this, alive = alive_] {
    if (*alive) Check();
  });
}

void IsrWriter::Check() {
  const int64_t now = SteadyMillis();
  if (!pending_.empty() && (now - last_change_ms_ >= options_.quiet_period.count() ||
                            now - last_propagation_ms_ >= options_.max_delay.count())) {
    FlushNotifications();
  }
  session_->RunAfter(options_.check_interval, [this, alive = alive_] {
    if (*alive) Check();
  });
}

void IsrWriter::WriteIsr(const TopicPartition& tp, const LeaderAndIsr& state,
                         int32_t expected_zk_version, std::function<void(Result<int32_t>)> done) {
  const std::string path = PartitionStatePath(tp.topic, tp.partition);
  session_->Set(path, TopicPartitionStateZNode::Encode(state), expected_zk_version,
                [this, tp, path, alive = alive_, done = std::move(done)](ZkWritten w) {
                  if (w.err != ZkErrc::kOk) {
                    LOG(WARNING) << "isr_write_failed topic=" << tp.topic
                                 << " partition=" << tp.partition
                                 << " error=" << ZkErrcName(w.err);
                    return done(ZkStatus(w.err, "set " + path));
                  }
                  if (*alive) {
                    pending_.insert(tp);
                    last_change_ms_ = SteadyMillis();
                  }
                  done(w.stat.version);
                });
}

void IsrWriter::FlushNotifications() {
  if (pending_.empty()) return;
  std::vector<TopicPartition> list(pending_.begin(), pending_.end());
  pending_.clear();
  last_propagation_ms_ = SteadyMillis();
  session_->Create(kIsrChangePrefix, IsrChangeNotification::Encode(list),
                   CreateMode::kPersistentSequential,
                   [this, list, alive = alive_](ZkCreated c) {
                     if (c.err == ZkErrc::kOk) return;
                     LOG(WARNING) << "isr_change_notification_failed error="
                                  << ZkErrcName(c.err) << " partitions=" << list.size();
                     if (*alive) pending_.insert(list.begin(), list.end());  // next check
                   });
}

}  // namespace sluice::coordinator
