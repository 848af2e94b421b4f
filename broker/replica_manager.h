#pragma once
// ReplicaManager: every partition replica on this broker. Applies the controller's LeaderAndIsr
// and StopReplica (become leader: open or create the log; become follower: record the role),
// appends as leader and tells listeners when data arrived or a high watermark moved (the
// purgatories). Owned by the Broker; loop thread only.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/config.h"
#include "broker/partition.h"
#include "common/ids.h"
#include "common/status.h"
#include "storage/log.h"

namespace sluice::broker {

// Where partition logs come from: storage::LogManager in the daemon, a temp dir in tests.
class LogStore {
 public:
  virtual ~LogStore() = default;
  // Opens the log of `tp`, creating it if needed. The Log stays owned by the store.
  virtual Result<storage::Log*> GetOrCreateLog(const TopicPartition& tp,
                                               const storage::LogConfig& config) = 0;
  // Closes and removes the log of `tp` (no-op if absent).
  virtual Status DeleteLog(const TopicPartition& tp) = 0;
};

// One partition's state from a LeaderAndIsr request (controller → broker).
struct LeaderAndIsrState {
  std::string topic;
  int32_t partition = 0;
  int32_t controller_epoch = 0;
  int32_t leader = -1;
  int32_t leader_epoch = 0;
  std::vector<int32_t> isr;
  std::vector<int32_t> replicas;
};

// storage::LogConfig from the broker's log.* defaults.
storage::LogConfig LogConfigFrom(const Config& config);

class ReplicaManager {
 public:
  ReplicaManager(int32_t broker_id, const Config* config, LogStore* logs);

  // Listeners (purgatories): data appended to a leader log / a leader's HW moved.
  void set_on_append(std::function<void(const TopicPartition&)> fn) { on_append_ = std::move(fn); }
  void set_on_high_watermark(std::function<void(const TopicPartition&)> fn) {
    on_hw_ = std::move(fn);
  }

  Partition* Find(const std::string& topic, int32_t partition);
  const std::map<TopicPartition, std::unique_ptr<Partition>>& partitions() const {
    return partitions_;
  }

  // LeaderAndIsr for one partition this broker replicates. Stale epochs (leader epoch below the
  // one we have) are ignored with kInvalidArgument; log open failures are kIoError.
  Status ApplyLeaderAndIsr(const LeaderAndIsrState& state);
  // StopReplica: forget the partition, deleting its log when `delete_log`.
  Status StopReplica(const TopicPartition& tp, bool delete_log);

  // Leader append + notifications. kNotLeader / storage errors.
  Result<storage::AppendInfo> AppendAsLeader(Partition* p, uint8_t* data, size_t size,
                                             int64_t now_ms);
  // Leader: a follower fetched; advances HW and notifies when it moved.
  void RecordFollowerFetch(Partition* p, int32_t replica, int64_t fetch_offset, int64_t now_ms);

  // The topic's min.insync.replicas override (/config/topics/<t>), nullopt = the broker default.
  // Applied to the topic's partitions now and kept for every later LeaderAndIsr, so a leadership
  // change never falls back to the default (which would let acks=all succeed on too few replicas).
  void SetTopicMinInsyncReplicas(const std::string& topic, std::optional<int32_t> value);
  int32_t MinInsyncReplicasFor(const std::string& topic) const;

  // Follower connections (leader side). A follower's fetches arrive on `connection`; when the last
  // such connection of a follower closes (its process died: the kernel closed the socket), the
  // follower is "gone" from then until it fetches again. The ISR manager then drops it from the ISR of partitions with new data after a short grace instead of
  // replica.lag.time.max.ms, so acks=all stalls for about half a second, not the whole lag time.
  void NoteFollowerConnection(int32_t replica, uint64_t connection);
  void ConnectionClosed(uint64_t connection, int64_t now_ms);
  // Followers gone since (ms), by replica id.
  const std::map<int32_t, int64_t>& gone_followers() const { return gone_followers_; }

 private:
  int32_t broker_id_;
  const Config* config_;
  LogStore* logs_;
  std::map<TopicPartition, std::unique_ptr<Partition>> partitions_;
  std::map<std::string, int32_t> topic_min_isr_;  // min.insync.replicas overrides by topic
  std::function<void(const TopicPartition&)> on_append_;
  std::function<void(const TopicPartition&)> on_hw_;
  std::map<uint64_t, int32_t> follower_connections_;  // connection id → replica id
  std::map<int32_t, int64_t> gone_followers_;
};

}  // namespace sluice::broker
