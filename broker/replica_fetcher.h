#pragma once
// Replica fetchers (README §6): for every partition this broker follows, pull the leader's log.
// One fetcher per source (leader) broker batches all partitions followed from it into one Fetch
// v11 (replica_id = our id) at a time, long-polling. A partition whose (leader, leader epoch)
// changed first asks the leader OffsetForLeaderEpoch v4 and truncates (repeating until epochs
// agree, TruncationStep below); OFFSET_OUT_OF_RANGE below the leader's log start truncates fully
// to it. Appended data moves the follower's HW to min(leader HW, own LEO).
// The set of followed partitions is re-read from the ReplicaManager on Reconcile() (after each
// LeaderAndIsr, and periodically). Loop thread only.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

#include "broker/event_loop.h"
#include "broker/remote_controller_channel.h"
#include "broker/replica_manager.h"

namespace sluice::broker {

// One round of epoch-based truncation (README §6 "Leader epochs and truncation").
// `leader_epoch`/`leader_end`: the leader's answer; `own_epoch`/`own_end`: this replica's
// EndOffsetForEpoch(leader_epoch); `own_latest`: own latest epoch (-1 = none).
struct TruncationStep {
  std::optional<int64_t> truncate_to;  // nullopt: keep the log
  bool done = true;                    // false: truncate, then ask again
};
TruncationStep DecideTruncation(int32_t leader_epoch, int64_t leader_end, int32_t own_epoch,
                                int64_t own_end, int32_t own_latest, int64_t own_leo);

struct ReplicaFetcherOptions {
  int32_t max_wait_ms = 500;
  int32_t max_bytes = 10 * 1024 * 1024;
  int32_t partition_max_bytes = 1024 * 1024;
  int64_t backoff_ms = 200;
  int64_t reconcile_interval_ms = 200;
};

class ReplicaFetcherManager {
 public:
  ReplicaFetcherManager(int32_t self, EventLoop* loop, ReplicaManager* replicas,
                        BrokerClientPool* pool, ReplicaFetcherOptions opts = {});
  ~ReplicaFetcherManager();
  ReplicaFetcherManager(const ReplicaFetcherManager&) = delete;
  ReplicaFetcherManager& operator=(const ReplicaFetcherManager&) = delete;

  // Re-reads follower partitions from the ReplicaManager and (re)starts fetchers.
  void Reconcile();
  // Stops every fetcher (shutdown).
  void Stop();

 private:
  struct PartState {
    int32_t leader = -1;
    int32_t epoch = -1;
    bool needs_truncation = true;
    int truncation_rounds = 0;
    int64_t backoff_until = 0;
  };
  struct Fetcher {
    bool in_flight = false;
    std::unique_ptr<Timer> retry;
  };

  void Pump(int32_t leader);
  void SendOffsetsForLeaderEpoch(int32_t leader, InterBrokerClient* client,
                                 const std::vector<TopicPartition>& parts);
  void SendFetch(int32_t leader, InterBrokerClient* client,
                 const std::vector<TopicPartition>& parts);
  void Finish(int32_t leader, bool backoff);
  // The follower partition if it is still followed from `leader` at `epoch`.
  Partition* Current(const TopicPartition& tp, int32_t leader, int32_t epoch);

  int32_t self_;
  EventLoop* loop_;
  ReplicaManager* replicas_;
  BrokerClientPool* pool_;
  ReplicaFetcherOptions opts_;
  bool stopped_ = false;
  std::map<TopicPartition, PartState> parts_;
  std::map<int32_t, Fetcher> fetchers_;
  std::unique_ptr<Timer> reconcile_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sluice::broker
