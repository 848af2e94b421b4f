#pragma once
// How the controller's requests (LeaderAndIsr, UpdateMetadata, StopReplica) reach brokers.
// BrokerChannel routes by destination: this broker → LocalControllerChannel (posted onto our own
// loop, applied to the ReplicaManager and MetadataCache); other brokers → a RemoteSender.
// Network delivery to other brokers is a later issue: the seam is RemoteSender (today a
// LoggingRemoteSender that drops with a VLOG line). Loop thread only.

#include <cstdint>
#include <functional>
#include <memory>

#include "broker/event_loop.h"
#include "broker/metadata_cache.h"
#include "broker/replica_manager.h"
#include "coordinator/controller.h"

namespace sluice::broker {

// Applies controller requests addressed to this broker. Requests carrying a controller epoch
// older than one already seen are ignored (STALE_CONTROLLER_EPOCH in Kafka).
class ControllerRequestApplier {
 public:
  ControllerRequestApplier(int32_t broker_id, ReplicaManager* replicas, MetadataCache* metadata)
      : broker_id_(broker_id), replicas_(replicas), metadata_(metadata) {}

  void ApplyLeaderAndIsr(const coordinator::LeaderAndIsrBatch& batch);
  void ApplyUpdateMetadata(const coordinator::UpdateMetadataBatch& batch);
  void ApplyStopReplica(const coordinator::StopReplicaBatch& batch);
  // Called after UpdateMetadata was applied (CreateTopics/DeleteTopics waiters poll the cache).
  void set_on_metadata(std::function<void()> fn) { on_metadata_ = std::move(fn); }
  // The highest controller epoch seen (-1 before any request).
  int32_t controller_epoch() const { return controller_epoch_; }

 private:
  bool CheckEpoch(int32_t controller_epoch, const char* what);

  int32_t broker_id_;
  ReplicaManager* replicas_;
  MetadataCache* metadata_;
  int32_t controller_epoch_ = -1;  // highest seen; only moves forward
  std::function<void()> on_metadata_;
};

// Delivery to another broker (network, a later issue).
class RemoteSender {
 public:
  virtual ~RemoteSender() = default;
  virtual void SendLeaderAndIsr(BrokerId to, coordinator::LeaderAndIsrBatch batch) = 0;
  virtual void SendUpdateMetadata(BrokerId to, coordinator::UpdateMetadataBatch batch) = 0;
  virtual void SendStopReplica(BrokerId to, coordinator::StopReplicaBatch batch) = 0;
};

class LoggingRemoteSender : public RemoteSender {
 public:
  void SendLeaderAndIsr(BrokerId to, coordinator::LeaderAndIsrBatch batch) override;
  void SendUpdateMetadata(BrokerId to, coordinator::UpdateMetadataBatch batch) override;
  void SendStopReplica(BrokerId to, coordinator::StopReplicaBatch batch) override;
};

// The ControllerChannel the Controller is given.
class BrokerChannel : public coordinator::ControllerChannel {
 public:
  BrokerChannel(BrokerId self, EventLoop* loop, ControllerRequestApplier* local,
                RemoteSender* remote)
      : self_(self), loop_(loop), local_(local), remote_(remote) {}

  void SendLeaderAndIsr(BrokerId to, coordinator::LeaderAndIsrBatch batch) override;
  void SendUpdateMetadata(BrokerId to, coordinator::UpdateMetadataBatch batch) override;
  void SendStopReplica(BrokerId to, coordinator::StopReplicaBatch batch) override;

 private:
  BrokerId self_;
  EventLoop* loop_;
  ControllerRequestApplier* local_;
  RemoteSender* remote_;
};

}  // namespace sluice::broker
