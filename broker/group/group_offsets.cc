// GroupCoordinator: committed offsets (OffsetCommit, OffsetFetch), DescribeGroups, ListGroups,
// DeleteGroups, offsets retention and the lag hook (README §7).
#include <glog/logging.h>

#include <algorithm>
#include <memory>

#include "broker/group/group_coordinator.h"
#include "broker/group/offsets_records.h"
#include "protocol/record_builder.h"

namespace sluice::broker {

using protocol::ErrorCode;

void GroupCoordinator::CommitOffsets(const CommitRequest& req, CommitCallback done) {
  const size_t n = req.partitions.size();
  auto all = [&](ErrorCode e) { done(std::vector<ErrorCode>(n, e)); };
  ErrorCode e = CheckCoordinator(req.group_id);
  if (e != ErrorCode::kNone) return all(e);
  Group* g = Find(req.group_id);
  if (g == nullptr) {
    if (req.generation_id >= 0) return all(ErrorCode::kUnknownMemberId);
    g = &GetOrCreate(req.group_id);  // a standalone (admin / assign()) commit
  } else if (g->state == GroupState::kDead) {
    return all(ErrorCode::kCoordinatorNotAvailable);
  } else if (req.generation_id < 0 && g->state == GroupState::kEmpty) {
    // Offsets-only use of the group.
  } else if (req.group_instance_id.has_value() &&
             (g->static_members.count(*req.group_instance_id) == 0 ||
              g->static_members[*req.group_instance_id] != req.member_id)) {
    return all(ErrorCode::kFencedInstanceId);
  } else if (g->state == GroupState::kCompletingRebalance) {
    return all(ErrorCode::kRebalanceInProgress);
  } else if (!g->Has(req.member_id)) {
    return all(ErrorCode::kUnknownMemberId);
  } else if (req.generation_id != g->generation) {
    return all(ErrorCode::kIllegalGeneration);
  } else {
    g->members[req.member_id].last_heartbeat_ms = now_ms_();
  }

  const int64_t now = now_ms_();
  std::vector<ErrorCode> results(n, ErrorCode::kNone);
  std::vector<std::pair<size_t, CommittedOffset>> accepted;
  protocol::RecordBatchBuilder b;
  for (size_t i = 0; i < n; ++i) {
    const CommitPartition& cp = req.partitions[i];
    std::string metadata = cp.metadata.value_or("");
    if (static_cast<int32_t>(metadata.size()) > config_.offset_metadata_max_bytes) {
      results[i] = ErrorCode::kOffsetMetadataTooLarge;
      continue;
    }
    CommittedOffset c;
    c.offset = cp.offset;
    c.leader_epoch = cp.leader_epoch;
    c.metadata = std::move(metadata);
    c.commit_timestamp = now;
    c.expire_timestamp = req.retention_time_ms >= 0 ? now + req.retention_time_ms : -1;
    protocol::OffsetCommitValue v;
    v.offset = c.offset;
    v.leader_epoch = c.leader_epoch;
    v.metadata = c.metadata;
    v.commit_timestamp = c.commit_timestamp;
    v.expire_timestamp = c.expire_timestamp;
    b.Add(now, EncodeOffsetKey({req.group_id, cp.topic, cp.partition}), EncodeOffsetValue(v));
    accepted.emplace_back(i, std::move(c));
  }
  if (accepted.empty()) return done(std::move(results));
  const int32_t partition = g->partition;
  const int32_t epoch = owned_[partition].epoch;
  auto shared_results = std::make_shared<std::vector<ErrorCode>>(std::move(results));
  auto topics = std::make_shared<std::vector<TopicPartition>>();
  for (const auto& cp : req.partitions) topics->push_back({cp.topic, cp.partition});
  log_->Append(
      partition, b.Build(), config_.offsets_commit_timeout_ms,
      [this, alive = alive_, group_id = req.group_id, partition, epoch, shared_results, topics,
       accepted = std::move(accepted), done = std::move(done)](ErrorCode append_error) mutable {
        ErrorCode mapped = CommitErrorFromAppend(append_error);
        if (*alive && mapped == ErrorCode::kNone) {
          auto it = owned_.find(partition);
          Group* grp = Find(group_id);
          if (it == owned_.end() || it->second.epoch != epoch || grp == nullptr) {
            mapped = ErrorCode::kNotCoordinator;  // acknowledged in the log, but not by us
          } else {
            for (auto& [i, c] : accepted) grp->offsets[(*topics)[i]] = c;
          }
        }
        if (mapped != ErrorCode::kNone) {
          LOG_EVERY_T(WARNING, 10) << "offset_commit_failed group=" << group_id
                                   << " error=" << protocol::ErrorName(mapped);
          for (auto& [i, c] : accepted) (*shared_results)[i] = mapped;
        }
        done(std::move(*shared_results));
      });
}

FetchResult GroupCoordinator::FetchOffsets(
    const std::string& group_id,
    const std::optional<std::vector<std::pair<std::string, std::vector<int32_t>>>>& topics) {
  FetchResult out;
  out.error = CheckCoordinator(group_id);
  const Group* g = out.error == ErrorCode::kNone ? Find(group_id) : nullptr;
  if (!topics.has_value()) {
    if (g != nullptr) {
      for (const auto& [tp, c] : g->offsets) {
        out.offsets.push_back({tp, c.offset, c.leader_epoch, c.metadata, ErrorCode::kNone});
      }
    }
    return out;
  }
  for (const auto& [topic, parts] : *topics) {
    for (int32_t p : parts) {
      FetchedOffset f;
      f.tp = {topic, p};
      f.error = out.error;
      if (g != nullptr) {
        auto it = g->offsets.find(f.tp);
        if (it != g->offsets.end()) {
          f.offset = it->second.offset;
          f.leader_epoch = it->second.leader_epoch;
          f.metadata = it->second.metadata;
        }
      }
      out.offsets.push_back(std::move(f));
    }
  }
  return out;
}

GroupDescription GroupCoordinator::Describe(const std::string& group_id) {
  GroupDescription d;
  d.group_id = group_id;
  d.error = CheckCoordinator(group_id);
  if (d.error != ErrorCode::kNone) return d;
  const Group* g = Find(group_id);
  if (g == nullptr) {
    d.state = GroupStateName(GroupState::kDead);
    return d;
  }
  d.state = GroupStateName(g->state);
  d.protocol_type = g->protocol_type.value_or("");
  const bool stable = g->state == GroupState::kStable;
  if (stable) d.protocol_name = g->protocol_name.value_or("");
  for (const auto& [id, m] : g->members) {
    DescribedMember dm;
    dm.member_id = id;
    dm.group_instance_id = m.group_instance_id;
    dm.client_id = m.client_id;
    dm.client_host = m.client_host;
    if (stable) {
      dm.metadata = m.MetadataFor(d.protocol_name);
      dm.assignment = m.assignment;
    }
    d.members.push_back(std::move(dm));
  }
  return d;
}

ErrorCode GroupCoordinator::List(const std::vector<std::string>& states,
                                 std::vector<ListedGroup>* out) {
  for (int32_t p = 0; p < config_.offsets_topic_num_partitions; ++p) SyncOwnership(p);
  bool loading = std::any_of(owned_.begin(), owned_.end(),
                             [](const auto& kv) { return kv.second.loading; });
  for (const auto& [id, g] : groups_) {
    if (IsLoading(g->partition) || !Owns(g->partition)) continue;
    std::string state = GroupStateName(g->state);
    if (!states.empty() && std::find(states.begin(), states.end(), state) == states.end()) {
      continue;
    }
    out->push_back({id, g->protocol_type.value_or(""), state});
  }
  return loading ? ErrorCode::kCoordinatorLoadInProgress : ErrorCode::kNone;
}

void GroupCoordinator::Delete(const std::string& group_id, std::function<void(ErrorCode)> done) {
  ErrorCode e = CheckCoordinator(group_id);
  if (e != ErrorCode::kNone) return done(e);
  Group* g = Find(group_id);
  if (g == nullptr || g->state == GroupState::kDead) return done(ErrorCode::kGroupIdNotFound);
  if (g->state != GroupState::kEmpty || !g->members.empty()) {
    return done(ErrorCode::kNonEmptyGroup);
  }
  const int64_t now = now_ms_();
  protocol::RecordBatchBuilder b;
  for (const auto& [tp, c] : g->offsets) {
    b.Add(now, EncodeOffsetKey({group_id, tp.topic, tp.partition}), std::nullopt);
  }
  b.Add(now, EncodeGroupKey({group_id}), std::nullopt);
  const int32_t partition = g->partition;
  SetState(*g, GroupState::kDead);
  groups_.erase(group_id);
  LOG(INFO) << "group_deleted group=" << group_id;
  log_->Append(partition, b.Build(), config_.offsets_commit_timeout_ms,
               [done = std::move(done)](ErrorCode append_error) {
                 done(CommitErrorFromAppend(append_error));
               });
}

std::vector<PartitionLag> GroupCoordinator::Lag(
    const std::string& group_id,
    const std::function<int64_t(const TopicPartition&)>& high_watermark) {
  std::vector<PartitionLag> out;
  if (CheckCoordinator(group_id) != ErrorCode::kNone) return out;
  const Group* g = Find(group_id);
  if (g == nullptr) return out;
  for (const auto& [tp, c] : g->offsets) {
    PartitionLag l;
    l.tp = tp;
    l.committed = c.offset;
    l.high_watermark = high_watermark(tp);
    if (l.high_watermark >= 0) l.lag = std::max<int64_t>(l.high_watermark - c.offset, 0);
    out.push_back(std::move(l));
  }
  return out;
}

// Kafka 2.1+ (KIP-211): offsets of a group expire offsets.retention.minutes after the group
// became Empty; offsets of a standalone group (never had a protocol type) expire that long after
// their commit; an explicit retention time (OffsetCommit v2-v4) wins.
void GroupCoordinator::ExpireOffsets() {
  const int64_t now = now_ms_();
  std::vector<std::string> ids;
  for (const auto& [id, g] : groups_) ids.push_back(id);
  for (const auto& id : ids) {
    Group* g = Find(id);
    if (g == nullptr || IsLoading(g->partition) || !Owns(g->partition)) continue;
    std::vector<TopicPartition> expired;
    const bool empty = g->state == GroupState::kEmpty;
    const bool standalone = !g->protocol_type.has_value();
    for (const auto& [tp, c] : g->offsets) {
      bool gone = false;
      if (c.expire_timestamp >= 0) {
        gone = now >= c.expire_timestamp;
      } else if (empty && standalone) {
        gone = now - c.commit_timestamp >= config_.offsets_retention_ms;
      } else if (empty) {
        gone = now - g->state_timestamp_ms >= config_.offsets_retention_ms;
      }
      if (gone) expired.push_back(tp);
    }
    if (expired.empty()) {
      MaybeForget(*g);
      continue;
    }
    protocol::RecordBatchBuilder b;
    for (const auto& tp : expired) {
      b.Add(now, EncodeOffsetKey({id, tp.topic, tp.partition}), std::nullopt);
      g->offsets.erase(tp);
    }
    LOG(INFO) << "group_offsets_expired group=" << id << " partitions=" << expired.size();
    log_->Append(g->partition, b.Build(), config_.offsets_commit_timeout_ms, [](ErrorCode) {});
    MaybeForget(*g);
  }
}

// An Empty group without offsets is gone (Dead): tombstone its metadata and forget it.
void GroupCoordinator::MaybeForget(Group& g) {
  if (g.state != GroupState::kEmpty || !g.members.empty() || !g.offsets.empty()) return;
  protocol::RecordBatchBuilder b;
  b.Add(now_ms_(), EncodeGroupKey({g.id}), std::nullopt);
  log_->Append(g.partition, b.Build(), config_.offsets_commit_timeout_ms, [](ErrorCode) {});
  std::string id = g.id;
  LOG(INFO) << "group_removed group=" << id << " reason=empty_without_offsets";
  groups_.erase(id);
}

}  // namespace sluice::broker
