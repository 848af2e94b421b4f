// GroupCoordinator: leadership of __consumer_offsets partitions, loading groups and offsets from
// the log (Kafka's GroupMetadataManager.loadGroupsAndOffsets), dropping them, and the periodic
// Tick.
#include <glog/logging.h>

#include <variant>

#include "broker/group/group_coordinator.h"
#include "broker/group/offsets_records.h"
#include "protocol/record_batch.h"

namespace sluice::broker {

using protocol::ErrorCode;

// What the loader has seen so far: the latest value per key (tombstones erase).
struct GroupCoordinator::LoadStaging {
  std::map<std::string, protocol::GroupMetadataValue> groups;
  std::map<std::string, std::map<TopicPartition, CommittedOffset>> offsets;
  int64_t records = 0;
  int64_t skipped = 0;
};

bool GroupCoordinator::IsLoading(int32_t partition) const {
  auto it = owned_.find(partition);
  return it != owned_.end() && it->second.loading;
}

bool GroupCoordinator::Owns(int32_t partition) const { return owned_.count(partition) != 0; }

ErrorCode GroupCoordinator::CheckCoordinator(const std::string& group_id) {
  int32_t p = PartitionFor(group_id);
  SyncOwnership(p);
  auto it = owned_.find(p);
  if (it == owned_.end()) return ErrorCode::kNotCoordinator;
  if (it->second.loading) return ErrorCode::kCoordinatorLoadInProgress;
  return ErrorCode::kNone;
}

void GroupCoordinator::SyncOwnership(int32_t p) {
  int32_t epoch = log_->LeaderEpoch(p);
  auto it = owned_.find(p);
  if (epoch < 0) {
    if (it != owned_.end()) DropPartition(p);
    return;
  }
  if (it != owned_.end() && it->second.epoch == epoch) return;
  if (it != owned_.end()) DropPartition(p);
  StartLoad(p, epoch);
}

void GroupCoordinator::StartLoad(int32_t p, int32_t epoch) {
  PartitionState& st = owned_[p];
  st.epoch = epoch;
  st.loading = true;
  st.next_offset = log_->LogStartOffset(p);
  LOG(INFO) << "group_partition_loading partition=" << p << " leader_epoch=" << epoch
            << " from=" << st.next_offset << " to=" << log_->LogEndOffset(p);
  auto staging = std::make_shared<LoadStaging>();
  post_([this, p, epoch, staging, alive = alive_] {
    if (*alive) LoadStep(p, epoch, staging);
  });
}

void GroupCoordinator::LoadStep(int32_t p, int32_t epoch, std::shared_ptr<LoadStaging> staging) {
  auto it = owned_.find(p);
  if (it == owned_.end() || it->second.epoch != epoch || !it->second.loading) return;
  PartitionState& st = it->second;
  const int64_t end = log_->LogEndOffset(p);
  if (st.next_offset >= end) {
    FinishLoad(p, *staging);
    return;
  }
  auto bytes = log_->Read(p, st.next_offset, config_.load_chunk_bytes);
  if (!bytes.ok() || bytes->empty()) {
    LOG(ERROR) << "group_partition_load_failed partition=" << p << " offset=" << st.next_offset
               << " error=" << (bytes.ok() ? Status::IoError("empty read") : bytes.status());
    // Retry on the next tick's ownership check: forget the partition.
    owned_.erase(it);
    return;
  }
  protocol::BatchIterator batches(*bytes);
  int64_t next = st.next_offset;
  while (std::optional<protocol::RecordBatchView> batch = batches.Next()) {
    next = batch->next_offset();
    if (batch->is_control()) continue;
    Status s = protocol::ForEachRecord(*batch, [&](const protocol::Record& rec) {
      if (rec.offset < st.next_offset) return;
      auto decoded = DecodeOffsetsTopicRecord(rec.key, rec.value);
      if (!decoded.ok()) {
        ++staging->skipped;
        LOG_EVERY_T(WARNING, 10) << "group_record_skipped partition=" << p
                                 << " offset=" << rec.offset << " error=" << decoded.status();
        return;
      }
      ++staging->records;
      if (auto* o = std::get_if<OffsetRecord>(&*decoded)) {
        TopicPartition tp{o->key.topic, o->key.partition};
        if (!o->value.has_value()) {
          staging->offsets[o->key.group].erase(tp);
          return;
        }
        CommittedOffset c;
        c.offset = o->value->offset;
        c.leader_epoch = o->value->leader_epoch;
        c.metadata = o->value->metadata;
        c.commit_timestamp = o->value->commit_timestamp;
        c.expire_timestamp = o->value->expire_timestamp;
        staging->offsets[o->key.group][tp] = std::move(c);
      } else if (auto* gr = std::get_if<GroupRecord>(&*decoded)) {
        if (!gr->value.has_value()) {
          staging->groups.erase(gr->key.group);
        } else {
          staging->groups[gr->key.group] = *gr->value;
        }
      }
    });
    if (!s.ok()) {
      LOG(WARNING) << "group_batch_skipped partition=" << p << " offset=" << batch->base_offset()
                   << " error=" << s;
    }
  }
  if (next <= st.next_offset) next = st.next_offset + 1;  // never stall on a bad chunk
  st.next_offset = next;
  post_([this, p, epoch, staging, alive = alive_] {
    if (*alive) LoadStep(p, epoch, staging);
  });
}

void GroupCoordinator::FinishLoad(int32_t p, LoadStaging& staging) {
  const int64_t now = now_ms_();
  int loaded = 0;
  for (auto& [id, v] : staging.groups) {
    if (PartitionFor(id) != p) continue;
    Group& g = GetOrCreate(id);
    g.generation = v.generation;
    g.protocol_type = v.protocol_type.empty() ? std::nullopt
                                              : std::optional<std::string>(v.protocol_type);
    g.protocol_name = v.protocol;
    g.leader_id = v.leader.value_or("");
    g.state_timestamp_ms = v.current_state_timestamp >= 0 ? v.current_state_timestamp : now;
    for (const auto& mm : v.members) {
      Member& m = g.members[mm.member_id];
      m.member_id = mm.member_id;
      m.group_instance_id = mm.group_instance_id;
      m.client_id = mm.client_id;
      m.client_host = mm.client_host;
      m.rebalance_timeout_ms = mm.rebalance_timeout;
      m.session_timeout_ms = mm.session_timeout;
      m.protocol_type = v.protocol_type;
      if (v.protocol.has_value()) m.protocols = {{*v.protocol, mm.subscription}};
      m.assignment = mm.assignment;
      m.last_heartbeat_ms = now;  // members get a full session to find us
      if (mm.group_instance_id.has_value()) g.static_members[*mm.group_instance_id] = mm.member_id;
    }
    g.state = g.members.empty() ? GroupState::kEmpty : GroupState::kStable;
    ++loaded;
  }
  for (auto& [id, offs] : staging.offsets) {
    if (offs.empty() || PartitionFor(id) != p) continue;
    Group& g = GetOrCreate(id);
    g.offsets = std::move(offs);
    if (staging.groups.count(id) == 0) ++loaded;
  }
  owned_[p].loading = false;
  LOG(INFO) << "group_partition_loaded partition=" << p << " groups=" << loaded
            << " records=" << staging.records << " skipped=" << staging.skipped;
}

void GroupCoordinator::DropPartition(int32_t p) {
  owned_.erase(p);
  std::vector<std::string> ids;
  for (const auto& [id, g] : groups_) {
    if (g->partition == p) ids.push_back(id);
  }
  std::vector<JoinCallback> joins;
  std::vector<SyncCallback> syncs;
  for (const auto& id : ids) {
    auto node = groups_.extract(id);
    for (auto& [mid, m] : node.mapped()->members) {
      if (m.awaiting_join) joins.push_back(std::exchange(m.awaiting_join, nullptr));
      if (m.awaiting_sync) syncs.push_back(std::exchange(m.awaiting_sync, nullptr));
    }
  }
  LOG(INFO) << "group_partition_dropped partition=" << p << " groups=" << ids.size();
  for (auto& cb : joins) {
    JoinResult r;
    r.error = ErrorCode::kNotCoordinator;
    cb(std::move(r));
  }
  for (auto& cb : syncs) {
    SyncResult r;
    r.error = ErrorCode::kNotCoordinator;
    cb(std::move(r));
  }
}

void GroupCoordinator::Tick() {
  for (int32_t p = 0; p < config_.offsets_topic_num_partitions; ++p) SyncOwnership(p);
  const int64_t now = now_ms_();
  std::vector<std::string> ids;
  for (const auto& [id, g] : groups_) ids.push_back(id);
  for (const auto& id : ids) {
    Group* g = Find(id);
    if (g == nullptr || IsLoading(g->partition)) continue;
    for (auto it = g->pending_members.begin(); it != g->pending_members.end();) {
      it = it->second <= now ? g->pending_members.erase(it) : std::next(it);
    }
    std::vector<std::string> expired;
    for (const auto& [mid, m] : g->members) {
      if (m.awaiting_join || m.awaiting_sync) continue;
      if (now - m.last_heartbeat_ms > m.session_timeout_ms) expired.push_back(mid);
    }
    for (const auto& mid : expired) {
      g = Find(id);
      if (g != nullptr) RemoveMember(*g, mid, "session_timeout");
    }
    g = Find(id);
    if (g == nullptr) continue;
    if (g->state == GroupState::kPreparingRebalance) {
      MaybeCompleteJoin(*g);
    } else if (g->state == GroupState::kCompletingRebalance && now >= g->rebalance_deadline_ms) {
      std::vector<std::string> unsynced;
      for (const auto& [mid, m] : g->members) {
        if (!m.awaiting_sync) unsynced.push_back(mid);
      }
      LOG(INFO) << "group_sync_timeout group=" << id << " generation=" << g->generation
                << " unsynced=" << unsynced.size();
      for (auto& [mid, m] : g->members) m.assignment.clear();
      CompleteSync(*g, ErrorCode::kRebalanceInProgress);
      for (const auto& mid : unsynced) {
        auto& m = g->members[mid];
        if (m.group_instance_id.has_value()) g->static_members.erase(*m.group_instance_id);
        g->members.erase(mid);
      }
      PrepareRebalance(*g, "sync timeout");
    }
  }
  if (now >= next_retention_check_ms_) {
    next_retention_check_ms_ = now + config_.offsets_retention_check_interval_ms;
    ExpireOffsets();
  }
}

}  // namespace sluice::broker
