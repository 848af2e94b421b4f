#pragma once
// Replica placement for new topics: Kafka's rack-unaware assignment
// (AdminUtils.assignReplicasToBrokersRackUnaware), so partitions and leaders spread like Kafka's.
// Pure functions; any thread.

#include <cstdint>
#include <random>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "coordinator/admin_error.h"
#include "coordinator/znodes.h"

namespace sluice::coordinator {

struct AssignmentParams {
  int32_t partitions = 1;
  int32_t replication_factor = 1;
  std::vector<BrokerId> brokers;  // live brokers; sorted by id inside
  // Kafka draws the start index and the replica shift at random in [0, n); tests fix both
  // (fixed_start_index >= 0 uses it for both, as Kafka's fixedStartIndex does) or seed `rng`.
  int32_t fixed_start_index = -1;
  int32_t start_partition_id = 0;  // > 0 when adding partitions to an existing topic
};

// Errors (Status kInvalidArgument, *error set): partitions <= 0 (kInvalidPartitions), replication
// factor <= 0 or > live brokers (kInvalidReplicationFactor).
Result<PartitionAssignment> AssignReplicasRackUnaware(const AssignmentParams& params,
                                                      std::mt19937_64* rng,
                                                      AdminError* error = nullptr);

// Checks an explicit assignment (CreateTopics with assignments): partitions numbered 0..n-1, each
// non-empty with distinct replicas that are all known brokers, one replication factor.
Status ValidateAssignment(const PartitionAssignment& assignment,
                          const std::vector<BrokerId>& brokers, AdminError* error = nullptr);

}  // namespace sluice::coordinator
