#pragma once
// Partition: this broker's replica of one topic partition: its role (leader or follower), leader
// epoch, ISR and assigned replicas as the controller last said (LeaderAndIsr), the local Log, and
// as leader the followers' fetch positions that drive the high watermark (README §6).
// Owned by the ReplicaManager; loop thread only.

#include <cstdint>
#include <map>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "storage/log.h"

namespace sluice::broker {

class Partition {
 public:
  Partition(TopicPartition tp, int32_t local_broker_id)
      : tp_(std::move(tp)), local_id_(local_broker_id) {}

  const TopicPartition& tp() const { return tp_; }
  bool is_leader() const { return leader_id_ == local_id_ && log_ != nullptr; }
  int32_t leader_id() const { return leader_id_; }
  LeaderEpoch leader_epoch() const { return leader_epoch_; }
  const std::vector<int32_t>& isr() const { return isr_; }
  const std::vector<int32_t>& replicas() const { return replicas_; }
  storage::Log* log() const { return log_; }
  int32_t min_insync_replicas() const { return min_insync_replicas_; }
  void set_min_insync_replicas(int32_t n) { min_insync_replicas_ = n; }

  // Controller: become leader. `log` stays owned by the log manager and outlives this partition's
  // use of it (StopReplica detaches first). Follower positions restart unknown.
  void MakeLeader(storage::Log* log, LeaderEpoch epoch, std::vector<int32_t> isr,
                  std::vector<int32_t> replicas);
  // Controller: become follower of `leader`. Replica fetching is a later issue: for now this
  // only records the role (the seam: a fetcher would start from log()->log_end_offset()).
  void MakeFollower(storage::Log* log, int32_t leader, LeaderEpoch epoch, std::vector<int32_t> isr,
                    std::vector<int32_t> replicas);
  // Detaches the log (StopReplica); the partition is then neither leader nor follower.
  void Detach();

  // Leader append of one or more validated batches; stamps the epoch, advances HW when the ISR
  // allows. kNotLeader when not leader.
  Result<storage::AppendInfo> AppendAsLeader(uint8_t* data, size_t size, int64_t now_ms);

  // Leader: follower `replica` fetched at `fetch_offset` (= its LEO). Returns true if HW moved.
  bool UpdateFollowerFetch(int32_t replica, int64_t fetch_offset, int64_t now_ms);
  // HW = min LEO over the ISR (our own LEO for ourselves; unknown followers hold it back). Only
  // moves forward. Returns true if it moved.
  bool MaybeAdvanceHighWatermark();
  // Leader: the ISR after a successful ISR write (IsrManager). Returns true if HW moved.
  bool SetIsr(std::vector<int32_t> isr);

  struct FollowerState {  // leader's view of one follower; reset on leadership change
    int64_t log_end = -1;            // last fetch offset; never decreases within an epoch
    int64_t last_caught_up_ms = 0;   // README §6 lastCaughtUpTimeMs (drives ISR shrink)
    int64_t last_fetch_ms = 0;
    int64_t leader_leo_at_last_fetch = -1;
  };
  const std::map<int32_t, FollowerState>& followers() const { return followers_; }

 private:

  TopicPartition tp_;
  int32_t local_id_;
  int32_t leader_id_ = -1;
  LeaderEpoch leader_epoch_{-1};
  std::vector<int32_t> isr_;
  std::vector<int32_t> replicas_;
  storage::Log* log_ = nullptr;
  int32_t min_insync_replicas_ = 1;
  std::map<int32_t, FollowerState> followers_;
};

}  // namespace sluice::broker
