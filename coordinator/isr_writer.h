#pragma once
// IsrWriter: the partition leader's side of ISR changes in ZooKeeper mode (Kafka's
// ZkAlterPartitionManager, kafka-protocol/README.md §6 "classic write path"): writes the
// partition state znode itself -- same leader and leader_epoch, new ISR, the controller_epoch of
// the LeaderAndIsr that made it leader -- conditional on the partition's zkVersion, and then
// batches /isr_change_notification/isr_change_<seq> nodes for the controller: every
// `check_interval` (2.5 s), if changes are pending and either none came for `quiet_period` (5 s)
// or nothing was propagated for `max_delay` (60 s).
//
// Thread: loop thread only (the ZkSession's Executor). Lifecycle: construct with a ZkSession,
// Start(), destroy it and the ZkSession in the same loop task.

#include <chrono>
#include <functional>
#include <memory>
#include <set>

#include "common/ids.h"
#include "common/status.h"
#include "coordinator/znodes.h"
#include "coordinator/zk_session.h"

namespace sluice::coordinator {

struct IsrWriterOptions {
  std::chrono::milliseconds check_interval{2500};
  std::chrono::milliseconds quiet_period{5000};
  std::chrono::milliseconds max_delay{60000};
};

class IsrWriter {
 public:
  IsrWriter(ZkSession* session, IsrWriterOptions options = {});
  ~IsrWriter();
  IsrWriter(const IsrWriter&) = delete;
  IsrWriter& operator=(const IsrWriter&) = delete;

  void Start();  // begins the periodic notification check

  // Writes `state` (the leader's new ISR) if the znode still has `expected_zk_version`. On
  // success `done` gets the new zkVersion and the change is queued for notification. Errors:
  // InvalidArgument "bad_version" (the controller changed the state: stop and wait for its
  // LeaderAndIsr), NotFound (partition deleted), Unavailable (ZooKeeper; retry later).
  void WriteIsr(const TopicPartition& tp, const LeaderAndIsr& state, int32_t expected_zk_version,
                std::function<void(Result<int32_t>)> done);

  // Creates one notification for everything pending now (also used by tests and shutdown).
  void FlushNotifications();
  size_t pending() const { return pending_.size(); }

 private:
  void Check();

  ZkSession* session_;
  IsrWriterOptions options_;
  std::set<TopicPartition> pending_;
  int64_t last_change_ms_ = 0;
  int64_t last_propagation_ms_ = 0;
  bool started_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sluice::coordinator
