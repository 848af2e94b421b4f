#include "broker/replica_fetcher.h"

#include <glog/logging.h>

#include <algorithm>
#include <set>

#include "broker/controller_wire.h"
#include "common/clock.h"
#include "protocol/error_codes.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;

namespace {
constexpr int kMaxTruncationRounds = 16;
}  // namespace

TruncationStep DecideTruncation(int32_t leader_epoch, int64_t leader_end, int32_t own_epoch,
                                int64_t own_end, int32_t own_latest, int64_t own_leo) {
  TruncationStep step;
  if (leader_epoch < 0 || leader_end < 0) return step;  // leader has no epoch data: keep
  if (own_latest < 0 || own_end < 0) {
    // We have no epochs (legacy or empty log): keep at most what the leader has.
    step.truncate_to = std::min(leader_end, own_leo);
    return step;
  }
  if (own_epoch == leader_epoch) {
    step.truncate_to = std::min({leader_end, own_end, own_leo});
    return step;
  }
  // We do not have the leader's epoch: cut back to the end of our largest epoch below it and ask
  // again with that epoch.
  step.truncate_to = std::min(own_end, own_leo);
  step.done = false;
  return step;
}

ReplicaFetcherManager::ReplicaFetcherManager(int32_t self, EventLoop* loop,
                                             ReplicaManager* replicas, BrokerClientPool* pool,
                                             ReplicaFetcherOptions opts)
    : self_(self), loop_(loop), replicas_(replicas), pool_(pool), opts_(opts) {
  reconcile_timer_ = loop_->RunEvery(opts_.reconcile_interval_ms, [this] { Reconcile(); });
}

ReplicaFetcherManager::~ReplicaFetcherManager() { *alive_ = false; }

void ReplicaFetcherManager::Stop() {
  stopped_ = true;
  reconcile_timer_.reset();
  fetchers_.clear();
  parts_.clear();
}

void ReplicaFetcherManager::Reconcile() {
  if (stopped_) return;
  std::map<TopicPartition, PartState> next;
  for (const auto& [tp, p] : replicas_->partitions()) {
    if (p->log() == nullptr || p->is_leader() || p->leader_id() < 0 || p->leader_id() == self_) {
      continue;
    }
    PartState st;
    auto it = parts_.find(tp);
    if (it != parts_.end() && it->second.leader == p->leader_id() &&
        it->second.epoch == p->leader_epoch().value()) {
      st = it->second;
    } else {
      st.leader = p->leader_id();
      st.epoch = p->leader_epoch().value();
      st.needs_truncation = true;
      VLOG(1) << "replica_fetch_assigned partition=" << tp.ToString() << " leader=" << st.leader
              << " leader_epoch=" << st.epoch;
    }
    next.emplace(tp, st);
  }
  parts_.swap(next);
  std::set<int32_t> leaders;
  for (const auto& [tp, st] : parts_) leaders.insert(st.leader);
  for (int32_t l : leaders) Pump(l);
}

Partition* ReplicaFetcherManager::Current(const TopicPartition& tp, int32_t leader,
                                          int32_t epoch) {
  auto it = parts_.find(tp);
  if (it == parts_.end() || it->second.leader != leader || it->second.epoch != epoch) {
    return nullptr;
  }
  Partition* p = replicas_->Find(tp.topic, tp.partition);
  if (p == nullptr || p->log() == nullptr || p->is_leader() || p->leader_id() != leader ||
      p->leader_epoch().value() != epoch) {
    return nullptr;
  }
  return p;
}

void ReplicaFetcherManager::Finish(int32_t leader, bool backoff) {
  auto it = fetchers_.find(leader);
  if (it == fetchers_.end()) return;
  it->second.in_flight = false;
  if (backoff) {
    it->second.retry = loop_->RunAfter(opts_.backoff_ms, [this, leader] {
      fetchers_[leader].retry.reset();
      Pump(leader);
    });
  } else {
    Pump(leader);
  }
}

void ReplicaFetcherManager::Pump(int32_t leader) {
  if (stopped_) return;
  Fetcher& f = fetchers_[leader];
  if (f.in_flight || f.retry != nullptr) return;
  const int64_t now = SteadyMillis();
  std::vector<TopicPartition> truncate, fetch;
  bool any_waiting = false;
  for (const auto& [tp, st] : parts_) {
    if (st.leader != leader) continue;
    if (st.backoff_until > now) {
      any_waiting = true;
      continue;
    }
    (st.needs_truncation ? truncate : fetch).push_back(tp);
  }
  if (truncate.empty() && fetch.empty()) {
    if (any_waiting) {
      f.retry = loop_->RunAfter(opts_.backoff_ms, [this, leader] {
        fetchers_[leader].retry.reset();
        Pump(leader);
      });
    }
    return;
  }
  InterBrokerClient* client = pool_->Get(leader);
  if (client == nullptr) {
    f.in_flight = true;
    Finish(leader, /*backoff=*/true);
    return;
  }
  f.in_flight = true;
  if (!truncate.empty()) {
    SendOffsetsForLeaderEpoch(leader, client, truncate);
  } else {
    SendFetch(leader, client, fetch);
  }
}

void ReplicaFetcherManager::SendOffsetsForLeaderEpoch(int32_t leader, InterBrokerClient* client,
                                                      const std::vector<TopicPartition>& parts) {
  protocol::OffsetForLeaderEpochRequest req;
  req.replica_id = self_;
  std::map<std::string, size_t> index;
  std::map<TopicPartition, int32_t> epochs;
  for (const auto& tp : parts) {
    Partition* p = replicas_->Find(tp.topic, tp.partition);
    if (p == nullptr || p->log() == nullptr) continue;
    auto [it, added] = index.emplace(tp.topic, req.topics.size());
    if (added) req.topics.emplace_back().topic = tp.topic;
    auto& out = req.topics[it->second].partitions.emplace_back();
    out.partition = tp.partition;
    out.current_leader_epoch = p->leader_epoch().value();
    out.leader_epoch = p->log()->latest_epoch().value();
    epochs[tp] = p->leader_epoch().value();
  }
  std::weak_ptr<bool> alive = alive_;
  client->Send<protocol::OffsetForLeaderEpochRequest, protocol::OffsetForLeaderEpochResponse>(
      req, kOffsetForLeaderEpochVersion, 30000,
      [this, alive, leader, epochs](Result<protocol::OffsetForLeaderEpochResponse*> r) {
        if (alive.expired() || stopped_) return;
        if (!r.ok()) {
          LOG_EVERY_T(WARNING, 5) << "offset_for_leader_epoch_failed leader=" << leader
                                  << " error=" << r.status();
          return Finish(leader, /*backoff=*/true);
        }
        const int64_t now = SteadyMillis();
        for (const auto& t : (*r)->topics) {
          for (const auto& pr : t.partitions) {
            TopicPartition tp{t.topic, pr.partition};
            auto e = epochs.find(tp);
            if (e == epochs.end()) continue;
            Partition* p = Current(tp, leader, e->second);
            if (p == nullptr) continue;
            PartState& st = parts_[tp];
            if (pr.error_code != 0) {
              VLOG(1) << "offset_for_leader_epoch_error partition=" << tp.ToString() << " error="
                      << protocol::ErrorName(static_cast<ErrorCode>(pr.error_code));
              st.backoff_until = now + opts_.backoff_ms;
              continue;
            }
            storage::Log* log = p->log();
            auto [own_epoch, own_end] = log->EndOffsetForEpoch(LeaderEpoch(pr.leader_epoch));
            TruncationStep step = DecideTruncation(
                pr.leader_epoch, pr.end_offset, own_epoch.value(), own_end.value(),
                log->latest_epoch().value(), log->log_end_offset().value());
            if (++st.truncation_rounds > kMaxTruncationRounds) {
              // Cannot agree (should not happen): keep only what is committed everywhere.
              step.truncate_to = std::min(log->high_watermark().value(), pr.end_offset);
              step.done = true;
            }
            if (step.truncate_to.has_value() &&
                *step.truncate_to < log->log_end_offset().value()) {
              LOG(INFO) << "replica_truncate partition=" << tp.ToString()
                        << " from=" << log->log_end_offset() << " to=" << *step.truncate_to
                        << " leader=" << leader << " leader_epoch=" << pr.leader_epoch
                        << " leader_end=" << pr.end_offset;
              Status s = log->TruncateTo(Offset(*step.truncate_to));
              if (!s.ok()) {
                LOG(ERROR) << "replica_truncate_failed partition=" << tp.ToString()
                           << " error=" << s;
                st.backoff_until = now + opts_.backoff_ms;
                continue;
              }
            }
            if (step.done) {
              st.needs_truncation = false;
              st.truncation_rounds = 0;
            }
          }
        }
        Finish(leader, /*backoff=*/false);
      });
}

void ReplicaFetcherManager::SendFetch(int32_t leader, InterBrokerClient* client,
                                      const std::vector<TopicPartition>& parts) {
  protocol::FetchRequest req;
  req.replica_id = self_;
  req.max_wait_ms = opts_.max_wait_ms;
  req.min_bytes = 1;
  req.max_bytes = opts_.max_bytes;
  req.isolation_level = 0;
  req.session_id = 0;
  req.session_epoch = -1;
  std::map<std::string, size_t> index;
  // What each partition looked like when asked: a response is applied only if unchanged.
  struct Asked {
    int32_t epoch;
    int64_t offset;
  };
  std::map<TopicPartition, Asked> asked;
  for (const auto& tp : parts) {
    Partition* p = replicas_->Find(tp.topic, tp.partition);
    if (p == nullptr || p->log() == nullptr) continue;
    auto [it, added] = index.emplace(tp.topic, req.topics.size());
    if (added) req.topics.emplace_back().topic = tp.topic;
    auto& out = req.topics[it->second].partitions.emplace_back();
    out.partition = tp.partition;
    out.current_leader_epoch = p->leader_epoch().value();
    out.fetch_offset = p->log()->log_end_offset().value();
    out.log_start_offset = p->log()->log_start_offset().value();
    out.partition_max_bytes = opts_.partition_max_bytes;
    asked[tp] = {p->leader_epoch().value(), out.fetch_offset};
  }
  std::weak_ptr<bool> alive = alive_;
  client->Send<protocol::FetchRequest, protocol::FetchResponse>(
      req, kReplicaFetchVersion, opts_.max_wait_ms + 30000,
      [this, alive, leader, asked](Result<protocol::FetchResponse*> r) {
        if (alive.expired() || stopped_) return;
        if (!r.ok() || (*r)->error_code != 0) {
          LOG_EVERY_T(WARNING, 5) << "replica_fetch_failed leader=" << leader << " error="
                                  << (r.ok() ? protocol::ErrorName(
                                                   static_cast<ErrorCode>((*r)->error_code))
                                             : r.status().ToString());
          return Finish(leader, /*backoff=*/true);
        }
        const int64_t now = SteadyMillis();
        for (const auto& t : (*r)->responses) {
          for (const auto& pr : t.partitions) {
            TopicPartition tp{t.topic, pr.partition_index};
            auto a = asked.find(tp);
            if (a == asked.end()) continue;
            Partition* p = Current(tp, leader, a->second.epoch);
            if (p == nullptr) continue;
            storage::Log* log = p->log();
            if (log->log_end_offset().value() != a->second.offset) continue;  // truncated since
            PartState& st = parts_[tp];
            auto code = static_cast<ErrorCode>(pr.error_code);
            if (code == ErrorCode::kOffsetOutOfRange) {
              if (a->second.offset < pr.log_start_offset || pr.high_watermark < 0) {
                int64_t start = std::max<int64_t>(pr.log_start_offset, 0);
                LOG(INFO) << "replica_reset partition=" << tp.ToString()
                          << " fetch_offset=" << a->second.offset << " leader_log_start=" << start;
                Status s = log->TruncateFullyAndStartAt(Offset(start));
                if (!s.ok()) LOG(ERROR) << "replica_reset_failed error=" << s;
              } else {
                st.needs_truncation = true;  // ahead of the leader: ask its epoch end again
              }
              continue;
            }
            if (code != ErrorCode::kNone) {
              VLOG(1) << "replica_fetch_partition_error partition=" << tp.ToString()
                      << " error=" << protocol::ErrorName(code);
              st.backoff_until = now + opts_.backoff_ms;
              continue;
            }
            std::string_view bytes = pr.records.bytes();
            if (!bytes.empty()) {
              auto info = log->AppendAsFollower(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                bytes.size(), WallMillis());
              if (!info.ok()) {
                LOG_EVERY_T(ERROR, 5) << "replica_append_failed partition=" << tp.ToString()
                                      << " error=" << info.status();
                st.needs_truncation = true;
                st.backoff_until = now + opts_.backoff_ms;
                continue;
              }
            }
            int64_t hw = std::min(pr.high_watermark, log->log_end_offset().value());
            if (hw > log->high_watermark().value()) log->SetHighWatermark(Offset(hw));
          }
        }
        Finish(leader, /*backoff=*/false);
      });
}

}  // namespace sluice::broker
