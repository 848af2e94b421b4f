#pragma once
// ReplicaOffsetsLog: the daemon's OffsetsLog over the ReplicaManager (leadership and logs of
// __consumer_offsets partitions) and the produce purgatory (acks=all: an append is acknowledged
// once the high watermark passed it, like a Produce with acks=-1). Owned by the Broker next to the
// GroupCoordinator; loop thread only.

#include "broker/config.h"
#include "broker/group/group_coordinator.h"
#include "broker/group/offsets_log.h"
#include "broker/purgatory.h"
#include "broker/replica_manager.h"

namespace sluice::broker {

// The coordinator's settings from server.properties.
GroupConfig GroupConfigFrom(const Config& config);

class ReplicaOffsetsLog : public OffsetsLog {
 public:
  ReplicaOffsetsLog(ReplicaManager* replicas, Purgatory* produce_purgatory)
      : replicas_(replicas), purgatory_(produce_purgatory) {}

  int32_t LeaderEpoch(int32_t p) override;
  int64_t LogStartOffset(int32_t p) override;
  int64_t LogEndOffset(int32_t p) override;
  Result<std::string> Read(int32_t p, int64_t from, int32_t max_bytes) override;
  void Append(int32_t p, std::string batch, int64_t timeout_ms,
              std::function<void(protocol::ErrorCode)> done) override;

 private:
  Partition* Leader(int32_t p);
  ReplicaManager* replicas_;
  Purgatory* purgatory_;
};

}  // namespace sluice::broker
