#pragma once
// Kafka API keys: every API whose schema is in protocol/schemas/ (apache/kafka 3.5 numbering).

#include <cstdint>

namespace sluice::protocol {

enum class ApiKey : int16_t {
  kProduce = 0,
  kFetch = 1,
  kListOffsets = 2,
  kMetadata = 3,
  kLeaderAndIsr = 4,
  kStopReplica = 5,
  kUpdateMetadata = 6,
  kControlledShutdown = 7,
  kOffsetCommit = 8,
  kOffsetFetch = 9,
  kFindCoordinator = 10,
  kJoinGroup = 11,
  kHeartbeat = 12,
  kLeaveGroup = 13,
  kSyncGroup = 14,
  kDescribeGroups = 15,
  kListGroups = 16,
  kSaslHandshake = 17,
  kApiVersions = 18,
  kCreateTopics = 19,
  kDeleteTopics = 20,
  kDeleteRecords = 21,
  kInitProducerId = 22,
  kOffsetForLeaderEpoch = 23,
  kDescribeConfigs = 32,
  kAlterConfigs = 33,
  kSaslAuthenticate = 36,
  kCreatePartitions = 37,
  kDeleteGroups = 42,
  kElectLeaders = 43,
  kIncrementalAlterConfigs = 44,
  kAlterPartitionReassignments = 45,
  kListPartitionReassignments = 46,
  kAlterPartition = 56,
  kDescribeCluster = 60,
};

// Kafka's name ("Produce"), or nullptr for a key not listed above.
constexpr const char* ApiKeyName(ApiKey key) {
  switch (key) {
    case ApiKey::kProduce: return "Produce";
    case ApiKey::kFetch: return "Fetch";
    case ApiKey::kListOffsets: return "ListOffsets";
    case ApiKey::kMetadata: return "Metadata";
    case ApiKey::kLeaderAndIsr: return "LeaderAndIsr";
    case ApiKey::kStopReplica: return "StopReplica";
    case ApiKey::kUpdateMetadata: return "UpdateMetadata";
    case ApiKey::kControlledShutdown: return "ControlledShutdown";
    case ApiKey::kOffsetCommit: return "OffsetCommit";
    case ApiKey::kOffsetFetch: return "OffsetFetch";
    case ApiKey::kFindCoordinator: return "FindCoordinator";
    case ApiKey::kJoinGroup: return "JoinGroup";
    case ApiKey::kHeartbeat: return "Heartbeat";
    case ApiKey::kLeaveGroup: return "LeaveGroup";
    case ApiKey::kSyncGroup: return "SyncGroup";
    case ApiKey::kDescribeGroups: return "DescribeGroups";
    case ApiKey::kListGroups: return "ListGroups";
    case ApiKey::kSaslHandshake: return "SaslHandshake";
    case ApiKey::kApiVersions: return "ApiVersions";
    case ApiKey::kCreateTopics: return "CreateTopics";
    case ApiKey::kDeleteTopics: return "DeleteTopics";
    case ApiKey::kDeleteRecords: return "DeleteRecords";
    case ApiKey::kInitProducerId: return "InitProducerId";
    case ApiKey::kOffsetForLeaderEpoch: return "OffsetForLeaderEpoch";
    case ApiKey::kDescribeConfigs: return "DescribeConfigs";
    case ApiKey::kAlterConfigs: return "AlterConfigs";
    case ApiKey::kSaslAuthenticate: return "SaslAuthenticate";
    case ApiKey::kCreatePartitions: return "CreatePartitions";
    case ApiKey::kDeleteGroups: return "DeleteGroups";
    case ApiKey::kElectLeaders: return "ElectLeaders";
    case ApiKey::kIncrementalAlterConfigs: return "IncrementalAlterConfigs";
    case ApiKey::kAlterPartitionReassignments: return "AlterPartitionReassignments";
    case ApiKey::kListPartitionReassignments: return "ListPartitionReassignments";
    case ApiKey::kAlterPartition: return "AlterPartition";
    case ApiKey::kDescribeCluster: return "DescribeCluster";
  }
  return nullptr;
}

constexpr const char* ApiKeyName(int16_t key) { return ApiKeyName(static_cast<ApiKey>(key)); }

}  // namespace sluice::protocol
