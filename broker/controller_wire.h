#pragma once
// Controller requests between the coordinator's batches and their wire messages (README §3
// "Inter-broker versions are ours": LeaderAndIsr v4, UpdateMetadata v6, StopReplica v3). Pure.

#include "coordinator/controller.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

inline constexpr int16_t kLeaderAndIsrVersion = 4;
inline constexpr int16_t kUpdateMetadataVersion = 6;
inline constexpr int16_t kStopReplicaVersion = 3;
inline constexpr int16_t kControlledShutdownVersion = 3;
inline constexpr int16_t kOffsetForLeaderEpochVersion = 4;
inline constexpr int16_t kReplicaFetchVersion = 11;

protocol::LeaderAndIsrRequest ToWire(const coordinator::LeaderAndIsrBatch& batch);
protocol::UpdateMetadataRequest ToWire(const coordinator::UpdateMetadataBatch& batch);
protocol::StopReplicaRequest ToWire(const coordinator::StopReplicaBatch& batch);

coordinator::LeaderAndIsrBatch FromWire(const protocol::LeaderAndIsrRequest& req);
coordinator::UpdateMetadataBatch FromWire(const protocol::UpdateMetadataRequest& req);
coordinator::StopReplicaBatch FromWire(const protocol::StopReplicaRequest& req);

}  // namespace sluice::broker
