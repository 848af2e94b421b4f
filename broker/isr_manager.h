#pragma once
// ISR maintenance on the leader (README §6 "ISR maintenance", classic ZkAlterPartitionManager
// path). Every replica.lag.time.max.ms / 2 each partition led here is checked: followers out of
// sync (LEO behind ours and not caught up for longer than the lag) leave the ISR, caught-up live
// followers (LEO >= HW and >= the start of our epoch) join it. A change is a conditional write of
// the partition state znode (same leader and leader_epoch, new isr, controller_epoch kept; version
// = the zkVersion read with it): the local ISR changes only after ZooKeeper accepted it, so a
// leader cut off from ZooKeeper (a zombie) can never shrink the ISR to itself and acknowledge
// acks=all writes alone. A znode whose leader/epoch is no longer ours means the controller moved on:
// no write, wait for its LeaderAndIsr. Accepted changes are announced in batches through
// /isr_change_notification/isr_change_ sequential znodes. Also applies the topic override of
// min.insync.replicas (/config/topics/<t>) to led partitions. Loop thread only.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/event_loop.h"
#include "broker/metadata_cache.h"
#include "broker/replica_manager.h"
#include "coordinator/zk_session.h"

namespace sluice::broker {

// Inputs of one ISR decision (pure; unit-tested).
struct IsrInputs {
  int32_t self = -1;
  std::vector<int32_t> isr;
  std::vector<int32_t> replicas;
  int64_t leader_leo = 0;
  int64_t high_watermark = 0;
  int64_t epoch_start_offset = 0;  // first offset of the leader's current epoch
  int64_t leader_since_ms = 0;     // when we became leader at this epoch
  int64_t now_ms = 0;
  int64_t lag_time_max_ms = 30000;
  std::map<int32_t, Partition::FollowerState> followers;
  std::set<int32_t> alive;  // live brokers
  // Followers whose fetch connection closed (past the grace) and that have not fetched since:
  // out of sync as soon as we have data they lack, and never added back while gone.
  std::set<int32_t> gone;
  int32_t min_insync = 1;  // the partition's min.insync.replicas (bounds the early removal)
};
// The new ISR (ascending order of the old one, additions appended), or nullopt if unchanged.
// Shrinks first: when any follower is out of sync, the result only removes.
std::optional<std::vector<int32_t>> DecideIsr(const IsrInputs& in);

class IsrManager {
 public:
  IsrManager(int32_t self, EventLoop* loop, ReplicaManager* replicas, MetadataCache* metadata,
             coordinator::ZkSession* zk, int64_t lag_time_max_ms,
             std::function<void(const TopicPartition&)> on_isr_changed);
  ~IsrManager();
  IsrManager(const IsrManager&) = delete;
  IsrManager& operator=(const IsrManager&) = delete;

  // One round over the partitions led here (also run by the timer).
  void Check();
  // Re-reads topic configs (min.insync.replicas) for topics replicated here (`only_new`: those
  // not read yet).
  void RefreshTopicConfigs(bool only_new = false);
  // ISR writes of this broker as leader that removed / added members (metrics).
  int64_t isr_shrinks() const { return isr_shrinks_; }
  int64_t isr_expands() const { return isr_expands_; }

 private:
  struct Led {
    int32_t epoch = -1;
    int64_t since_ms = 0;
    bool writing = false;
  };
  void Write(const TopicPartition& tp, int32_t epoch, std::vector<int32_t> isr);
  void FlushNotifications();

  int32_t self_;
  EventLoop* loop_;
  ReplicaManager* replicas_;
  MetadataCache* metadata_;
  coordinator::ZkSession* zk_;
  int64_t lag_ms_;
  std::function<void(const TopicPartition&)> on_isr_changed_;
  std::map<TopicPartition, Led> led_;
  int64_t isr_shrinks_ = 0;
  int64_t isr_expands_ = 0;
  std::vector<TopicPartition> pending_notifications_;
  std::unique_ptr<Timer> check_timer_;
  std::unique_ptr<Timer> gone_timer_;  // fast checks while a follower's connection is gone
  std::unique_ptr<Timer> notify_timer_;
  std::unique_ptr<Timer> config_timer_;
  std::unique_ptr<Timer> new_topic_timer_;
  std::set<std::string> config_requested_;  // topics whose config was asked for at least once
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sluice::broker
