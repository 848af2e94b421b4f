#include "broker/group/replica_offsets_log.h"

#include <memory>

#include "broker/group/offsets_records.h"
#include "common/clock.h"
#include "protocol/errors_map.h"

namespace sluice::broker {

using protocol::ErrorCode;

GroupConfig GroupConfigFrom(const Config& config) {
  GroupConfig g;
  g.offsets_topic_num_partitions = config.offsets_topic_num_partitions;
  g.offsets_retention_ms = config.offsets_retention_minutes * 60 * 1000;
  g.offsets_retention_check_interval_ms = config.offsets_retention_check_interval_ms;
  g.offsets_commit_timeout_ms = config.offsets_commit_timeout_ms;
  g.offset_metadata_max_bytes = config.offset_metadata_max_bytes;
  g.group_min_session_timeout_ms = config.group_min_session_timeout_ms;
  g.group_max_session_timeout_ms = config.group_max_session_timeout_ms;
  g.group_initial_rebalance_delay_ms = config.group_initial_rebalance_delay_ms;
  return g;
}

Partition* ReplicaOffsetsLog::Leader(int32_t p) {
  Partition* part = replicas_->Find(kOffsetsTopic, p);
  return part != nullptr && part->is_leader() ? part : nullptr;
}

int32_t ReplicaOffsetsLog::LeaderEpoch(int32_t p) {
  Partition* part = Leader(p);
  return part == nullptr ? -1 : part->leader_epoch().value();
}

int64_t ReplicaOffsetsLog::LogStartOffset(int32_t p) {
  Partition* part = Leader(p);
  return part == nullptr ? 0 : part->log()->log_start_offset().value();
}

int64_t ReplicaOffsetsLog::LogEndOffset(int32_t p) {
  Partition* part = Leader(p);
  return part == nullptr ? 0 : part->log()->log_end_offset().value();
}

Result<std::string> ReplicaOffsetsLog::Read(int32_t p, int64_t from, int32_t max_bytes) {
  Partition* part = Leader(p);
  if (part == nullptr) return Status::NotLeader("not leader of __consumer_offsets");
  return part->log()->ReadToString(Offset(from), max_bytes, part->log()->log_end_offset(),
                                   /*min_one_batch=*/true);
}

void ReplicaOffsetsLog::Append(int32_t p, std::string batch, int64_t timeout_ms,
                               std::function<void(ErrorCode)> done) {
  Partition* part = Leader(p);
  if (part == nullptr) return done(ErrorCode::kNotLeaderOrFollower);
  if (static_cast<int32_t>(part->isr().size()) < part->min_insync_replicas()) {
    return done(ErrorCode::kNotEnoughReplicas);
  }
  auto* data = reinterpret_cast<uint8_t*>(batch.data());
  auto info = replicas_->AppendAsLeader(part, data, batch.size(), WallMillis());
  if (!info.ok()) return done(protocol::ToKafkaError(info.status()));
  const TopicPartition tp = part->tp();
  const int64_t required = info->last_offset.value() + 1;
  ReplicaManager* replicas = replicas_;
  // Settles the append: kNone once HW >= required; an error if leadership moved. nullopt = wait.
  auto check = [replicas, tp, required]() -> std::optional<ErrorCode> {
    Partition* now = replicas->Find(tp.topic, tp.partition);
    if (now == nullptr || !now->is_leader()) return ErrorCode::kNotLeaderOrFollower;
    if (now->log()->high_watermark().value() >= required) return ErrorCode::kNone;
    return std::nullopt;
  };
  if (auto settled = check()) return done(*settled);
  auto cb = std::make_shared<std::function<void(ErrorCode)>>(std::move(done));
  purgatory_->Watch(
      {tp}, timeout_ms,
      [check, cb] {
        auto settled = check();
        if (!settled) return false;
        (*cb)(*settled);
        return true;
      },
      [check, cb] {
        auto settled = check();
        (*cb)(settled.value_or(ErrorCode::kRequestTimedOut));
      });
}

}  // namespace sluice::broker
