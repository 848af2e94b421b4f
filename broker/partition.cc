#include "broker/partition.h"

#include <glog/logging.h>

#include <algorithm>
#include <limits>

namespace sluice::broker {

void Partition::MakeLeader(storage::Log* log, LeaderEpoch epoch, std::vector<int32_t> isr,
                           std::vector<int32_t> replicas) {
  log_ = log;
  leader_id_ = local_id_;
  leader_epoch_ = epoch;
  isr_ = std::move(isr);
  replicas_ = std::move(replicas);
  followers_.clear();
  MaybeAdvanceHighWatermark();
}

void Partition::MakeFollower(storage::Log* log, int32_t leader, LeaderEpoch epoch,
                             std::vector<int32_t> isr, std::vector<int32_t> replicas) {
  log_ = log;
  leader_id_ = leader;
  leader_epoch_ = epoch;
  isr_ = std::move(isr);
  replicas_ = std::move(replicas);
  followers_.clear();
}

void Partition::Detach() {
  log_ = nullptr;
  leader_id_ = -1;
  followers_.clear();
}

Result<storage::AppendInfo> Partition::AppendAsLeader(uint8_t* data, size_t size,
                                                      int64_t now_ms) {
  if (!is_leader()) return Status::NotLeader("not leader for " + tp_.ToString());
  auto info = log_->AppendBatchesAsLeader(data, size, leader_epoch_, now_ms);
  if (info.ok()) MaybeAdvanceHighWatermark();
  return info;
}

bool Partition::UpdateFollowerFetch(int32_t replica, int64_t fetch_offset, int64_t now_ms) {
  if (!is_leader()) return false;
  FollowerState& f = followers_[replica];
  if (fetch_offset > f.log_end) f.log_end = fetch_offset;
  const int64_t leo = log_->log_end_offset().value();
  if (fetch_offset >= leo) {
    f.last_caught_up_ms = now_ms;
  } else if (f.leader_leo_at_last_fetch >= 0 && fetch_offset >= f.leader_leo_at_last_fetch) {
    f.last_caught_up_ms = std::max(f.last_caught_up_ms, f.last_fetch_ms);
  }
  f.leader_leo_at_last_fetch = leo;
  f.last_fetch_ms = now_ms;
  return MaybeAdvanceHighWatermark();
}

bool Partition::SetIsr(std::vector<int32_t> isr) {
  isr_ = std::move(isr);
  return MaybeAdvanceHighWatermark();
}

bool Partition::MaybeAdvanceHighWatermark() {
  if (!is_leader()) return false;
  int64_t hw = log_->log_end_offset().value();
  for (int32_t member : isr_) {
    if (member == local_id_) continue;
    auto it = followers_.find(member);
    int64_t leo = it == followers_.end() ? -1 : it->second.log_end;
    hw = std::min(hw, leo);
  }
  if (hw <= log_->high_watermark().value()) return false;
  log_->SetHighWatermark(Offset(hw));
  return true;
}

}  // namespace sluice::broker
