#include "coordinator/assignment.h"

#include <algorithm>
#include <set>

namespace sluice::coordinator {

const char* AdminErrorName(AdminError e) {
  switch (e) {
    case AdminError::kNone: return "none";
    case AdminError::kTopicAlreadyExists: return "topic_already_exists";
    case AdminError::kInvalidPartitions: return "invalid_partitions";
    case AdminError::kInvalidReplicationFactor: return "invalid_replication_factor";
    case AdminError::kInvalidReplicaAssignment: return "invalid_replica_assignment";
    case AdminError::kInvalidTopic: return "invalid_topic";
    case AdminError::kInvalidConfig: return "invalid_config";
    case AdminError::kUnknownTopic: return "unknown_topic";
    case AdminError::kTopicDeletionInProgress: return "topic_deletion_in_progress";
    case AdminError::kInvalidRequest: return "invalid_request";
    case AdminError::kElectionNotNeeded: return "election_not_needed";
    case AdminError::kPreferredLeaderNotAvailable: return "preferred_leader_not_available";
    case AdminError::kNotController: return "not_controller";
    case AdminError::kUnavailable: return "unavailable";
    case AdminError::kUnknown: return "unknown";
  }
  return "unknown";
}

namespace {

int32_t ReplicaIndex(int32_t first, int32_t shift, int32_t j, int32_t n) {
  int32_t s = 1 + (shift + j) % (n - 1);
  return (first + s) % n;
}

Status Fail(AdminError* error, AdminError e, std::string message) {
  if (error != nullptr) *error = e;
  return Status::InvalidArgument(std::move(message));
}

}  // namespace

Result<PartitionAssignment> AssignReplicasRackUnaware(const AssignmentParams& params,
                                                      std::mt19937_64* rng, AdminError* error) {
  if (error != nullptr) *error = AdminError::kNone;
  if (params.partitions <= 0) {
    return Fail(error, AdminError::kInvalidPartitions, "Number of partitions must be larger than 0.");
  }
  if (params.replication_factor <= 0) {
    return Fail(error, AdminError::kInvalidReplicationFactor,
                "Replication factor must be larger than 0.");
  }
  std::vector<BrokerId> brokers = params.brokers;
  std::sort(brokers.begin(), brokers.end());
  brokers.erase(std::unique(brokers.begin(), brokers.end()), brokers.end());
  const int32_t n = static_cast<int32_t>(brokers.size());
  if (params.replication_factor > n) {
    return Fail(error, AdminError::kInvalidReplicationFactor,
                "Replication factor: " + std::to_string(params.replication_factor) +
                    " larger than available brokers: " + std::to_string(n) + ".");
  }
  auto draw = [&] {
    if (params.fixed_start_index >= 0) return params.fixed_start_index;
    std::uniform_int_distribution<int32_t> d(0, n - 1);
    return rng != nullptr ? d(*rng) : 0;
  };
  const int32_t start_index = draw();
  int32_t shift = draw();
  int32_t partition = std::max(0, params.start_partition_id);
  PartitionAssignment out;
  for (int32_t i = 0; i < params.partitions; ++i, ++partition) {
    if (partition > 0 && partition % n == 0) ++shift;
    const int32_t first = (partition + start_index) % n;
    ReplicaList replicas{brokers[first]};
    for (int32_t j = 0; j < params.replication_factor - 1; ++j) {
      replicas.push_back(brokers[ReplicaIndex(first, shift, j, n)]);
    }
    out[partition] = std::move(replicas);
  }
  return out;
}

Status ValidateAssignment(const PartitionAssignment& assignment,
                          const std::vector<BrokerId>& brokers, AdminError* error) {
  if (error != nullptr) *error = AdminError::kNone;
  if (assignment.empty()) {
    return Fail(error, AdminError::kInvalidReplicaAssignment, "Replica assignment is empty.");
  }
  std::set<BrokerId> known(brokers.begin(), brokers.end());
  size_t rf = assignment.begin()->second.size();
  int32_t expected = 0;
  for (const auto& [p, replicas] : assignment) {
    if (p != expected++) {
      return Fail(error, AdminError::kInvalidReplicaAssignment,
                  "Partitions should be a consecutive 0-based integer sequence.");
    }
    if (replicas.empty() || replicas.size() != rf) {
      return Fail(error, AdminError::kInvalidReplicaAssignment,
                  "All partitions should have the same number of replicas.");
    }
    std::set<BrokerId> distinct(replicas.begin(), replicas.end());
    if (distinct.size() != replicas.size()) {
      return Fail(error, AdminError::kInvalidReplicaAssignment,
                  "Duplicate brokers not allowed in replica assignment of partition " +
                      std::to_string(p) + ".");
    }
    for (BrokerId b : replicas) {
      if (!known.contains(b)) {
        return Fail(error, AdminError::kInvalidReplicaAssignment,
                    "Unknown broker " + std::to_string(b.value()) + " in replica assignment.");
      }
    }
  }
  return Status::Ok();
}

}  // namespace sluice::coordinator
