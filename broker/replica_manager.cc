#include "broker/replica_manager.h"

#include <glog/logging.h>

namespace sluice::broker {

storage::LogConfig LogConfigFrom(const Config& config) {
  storage::LogConfig lc;
  lc.segment_bytes = config.log_segment_bytes;
  lc.segment_ms = config.log_roll_ms;
  lc.retention_ms = config.log_retention_ms;
  lc.retention_bytes = config.log_retention_bytes;
  // The log.* keys Config does not model (log.cleanup.policy, log.cleaner.*,
  // log.message.timestamp.type, ...); a bad value keeps these defaults.
  Result<storage::LogConfig> full = storage::LogConfigFromBrokerProperties(config.raw, lc);
  if (full.ok()) return full.value();
  LOG(WARNING) << "log_config_invalid error=" << full.status();
  return lc;
}

ReplicaManager::ReplicaManager(int32_t broker_id, const Config* config, LogStore* logs)
    : broker_id_(broker_id), config_(config), logs_(logs) {}

Partition* ReplicaManager::Find(const std::string& topic, int32_t partition) {
  auto it = partitions_.find(TopicPartition{topic, partition});
  return it == partitions_.end() ? nullptr : it->second.get();
}

Status ReplicaManager::ApplyLeaderAndIsr(const LeaderAndIsrState& st) {
  TopicPartition tp{st.topic, st.partition};
  auto& slot = partitions_[tp];
  if (slot == nullptr) slot = std::make_unique<Partition>(tp, broker_id_);
  Partition* p = slot.get();
  if (p->log() != nullptr && st.leader_epoch < p->leader_epoch().value()) {
    LOG(WARNING) << "leader_and_isr_stale topic=" << st.topic << " partition=" << st.partition
                 << " leader_epoch=" << st.leader_epoch
                 << " current_epoch=" << p->leader_epoch();
    return Status::InvalidArgument("stale leader epoch");
  }
  storage::Log* log = p->log();
  if (log == nullptr) {
    auto opened = logs_->GetOrCreateLog(tp, LogConfigFrom(*config_));
    if (!opened.ok()) {
      LOG(ERROR) << "log_open_failed topic=" << st.topic << " partition=" << st.partition
                 << " error=" << opened.status();
      return opened.status();
    }
    log = opened.value();
  }
  p->set_min_insync_replicas(MinInsyncReplicasFor(st.topic));
  bool was_leader = p->is_leader();
  if (st.leader == broker_id_) {
    // The new epoch starts at our log end now, not at our first append in it (Kafka's
    // maybeAssignEpochStartOffset): OffsetForLeaderEpoch must answer a follower that was ahead
    // in an older epoch with where that epoch ended here, even before anything new is written.
    if (st.leader_epoch > log->latest_epoch().value()) {
      Status assigned = log->epoch_cache().Assign(LeaderEpoch(st.leader_epoch),
                                                  log->log_end_offset());
      if (!assigned.ok()) {
        LOG(ERROR) << "leader_epoch_assign_failed topic=" << st.topic
                   << " partition=" << st.partition << " error=" << assigned;
        return assigned;
      }
    }
    p->MakeLeader(log, LeaderEpoch(st.leader_epoch), st.isr, st.replicas);
    LOG(INFO) << "state_change topic=" << st.topic << " partition=" << st.partition
              << " to=leader leader_epoch=" << st.leader_epoch
              << " log_end_offset=" << log->log_end_offset()
              << " high_watermark=" << log->high_watermark();
    if (on_hw_) on_hw_(tp);
  } else {
    p->MakeFollower(log, st.leader, LeaderEpoch(st.leader_epoch), st.isr, st.replicas);
    LOG(INFO) << "state_change topic=" << st.topic << " partition=" << st.partition
              << " to=follower leader=" << st.leader << " leader_epoch=" << st.leader_epoch;
    // Parked produce/fetch on a former leader must now fail with NOT_LEADER_OR_FOLLOWER.
    if (was_leader) {
      if (on_hw_) on_hw_(tp);
      if (on_append_) on_append_(tp);
    }
  }
  return Status::Ok();
}

Status ReplicaManager::StopReplica(const TopicPartition& tp, bool delete_log) {
  auto it = partitions_.find(tp);
  if (it != partitions_.end()) {
    it->second->Detach();
    if (on_hw_) on_hw_(tp);
    if (on_append_) on_append_(tp);
    partitions_.erase(it);
  }
  LOG(INFO) << "state_change topic=" << tp.topic << " partition=" << tp.partition
            << " to=stopped delete=" << delete_log;
  if (delete_log) return logs_->DeleteLog(tp);
  return Status::Ok();
}

Result<storage::AppendInfo> ReplicaManager::AppendAsLeader(Partition* p, uint8_t* data,
                                                           size_t size, int64_t now_ms) {
  Offset hw_before = p->is_leader() ? p->log()->high_watermark() : Offset(-1);
  auto info = p->AppendAsLeader(data, size, now_ms);
  if (!info.ok()) return info;
  if (on_append_) on_append_(p->tp());
  if (on_hw_ && p->log()->high_watermark() != hw_before) on_hw_(p->tp());
  return info;
}

void ReplicaManager::RecordFollowerFetch(Partition* p, int32_t replica, int64_t fetch_offset,
                                         int64_t now_ms) {
  if (p->UpdateFollowerFetch(replica, fetch_offset, now_ms) && on_hw_) on_hw_(p->tp());
}

void ReplicaManager::NoteFollowerConnection(int32_t replica, uint64_t connection) {
  if (connection == 0) return;
  gone_followers_.erase(replica);
  follower_connections_[connection] = replica;
}

void ReplicaManager::ConnectionClosed(uint64_t connection, int64_t now_ms) {
  auto it = follower_connections_.find(connection);
  if (it == follower_connections_.end()) return;
  const int32_t replica = it->second;
  follower_connections_.erase(it);
  for (const auto& [conn, r] : follower_connections_) {
    if (r == replica) return;  // another connection of the same follower is still open
  }
  gone_followers_[replica] = now_ms;
  LOG(INFO) << "follower_disconnected replica=" << replica;
}

void ReplicaManager::SetTopicMinInsyncReplicas(const std::string& topic,
                                               std::optional<int32_t> value) {
  if (value.has_value()) {
    topic_min_isr_[topic] = *value;
  } else {
    topic_min_isr_.erase(topic);
  }
  const int32_t n = MinInsyncReplicasFor(topic);
  for (auto it = partitions_.lower_bound(TopicPartition{topic, 0});
       it != partitions_.end() && it->first.topic == topic; ++it) {
    it->second->set_min_insync_replicas(n);
  }
}

int32_t ReplicaManager::MinInsyncReplicasFor(const std::string& topic) const {
  auto it = topic_min_isr_.find(topic);
  return it == topic_min_isr_.end() ? config_->min_insync_replicas : it->second;
}

}  // namespace sluice::broker
