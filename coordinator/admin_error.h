#pragma once
// AdminError: the Kafka error a failed admin operation should be reported as, decided where the
// knowledge is (coordinator/) without depending on protocol/ (the broker maps it to its wire
// ErrorCode in one switch). Pure; any thread.

#include <cstdint>

namespace sluice::coordinator {

enum class AdminError : uint8_t {
  kNone,
  kTopicAlreadyExists,         // TOPIC_ALREADY_EXISTS (36)
  kInvalidPartitions,          // INVALID_PARTITIONS (37)
  kInvalidReplicationFactor,   // INVALID_REPLICATION_FACTOR (38)
  kInvalidReplicaAssignment,   // INVALID_REPLICA_ASSIGNMENT (39)
  kInvalidTopic,               // INVALID_TOPIC_EXCEPTION (17)
  kInvalidConfig,              // INVALID_CONFIG (40)
  kUnknownTopic,               // UNKNOWN_TOPIC_OR_PARTITION (3)
  kTopicDeletionInProgress,    // deletion already queued: Kafka answers success for DeleteTopics
  kInvalidRequest,             // INVALID_REQUEST (42)
  kElectionNotNeeded,          // ELECTION_NOT_NEEDED (84)
  kPreferredLeaderNotAvailable,  // PREFERRED_LEADER_NOT_AVAILABLE (80)
  kNotController,              // NOT_CONTROLLER (41)
  kUnavailable,                // ZooKeeper unreachable: REQUEST_TIMED_OUT (7) / retriable
  kUnknown,                    // UNKNOWN_SERVER_ERROR (-1)
};

const char* AdminErrorName(AdminError e);

}  // namespace sluice::coordinator
