#pragma once
// Admin: topic creation and deletion as Kafka's AdminZkClient does them (kafka-protocol/README.md
// §5): CreateTopic writes /config/topics/<t> and then /brokers/topics/<t> (the controller's
// watch creates partition states and tells the brokers); DeleteTopic writes
// /admin/delete_topics/<t> (the controller does the rest). Used by the broker's CreateTopics /
// DeleteTopics handlers, auto-creation and the HTTP admin API.
//
// Thread: loop thread only (the ZkSession's Executor); `done` runs on the loop. Lifecycle:
// destroy it and then the ZkSession in the same loop task (pending callbacks capture it).

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "common/status.h"
#include "coordinator/admin_error.h"
#include "coordinator/znodes.h"
#include "coordinator/zk_session.h"

namespace sluice::coordinator {

struct NewTopic {
  std::string name;
  int32_t partitions = 1;          // the broker substitutes num.partitions for -1
  int32_t replication_factor = 1;  // and default.replication.factor for -1
  ConfigMap configs;               // topic-level overrides, values as strings
  // Explicit assignment (CreateTopics "assignments"); when set, partitions and
  // replication_factor must be -1 (Kafka's rule; else kInvalidRequest).
  PartitionAssignment assignment;
};

struct AdminResult {
  AdminError error = AdminError::kNone;
  Status status;  // Errc: AlreadyExists, InvalidArgument, NotFound, Unavailable, IoError
  std::string message() const { return status.message(); }
  bool ok() const { return status.ok(); }
  static AdminResult Ok() { return {}; }
  static AdminResult Error(AdminError e, Status s) { return {e, std::move(s)}; }
};

// CreatePartitions for one topic: grow it to `total` partitions. `assignment` lists the replicas
// of each NEW partition in order (empty = placed like Kafka's AdminZkClient.createPartitions: the
// existing replication factor, rack-unaware, starting at partition 0's first replica).
struct NewPartitions {
  std::string topic;
  int32_t total = 0;
  std::vector<ReplicaList> assignment;
};

struct AddedPartitions {
  AdminResult result;
  PartitionAssignment added;  // the new partitions only (also when validate_only)
};

struct CreatedTopic {
  AdminResult result;
  std::string topic_id;            // set on success
  PartitionAssignment assignment;  // what was (or would be, validate_only) written
};

// Kafka's topic name rules: [a-zA-Z0-9._-]+, at most 249 chars, not "." or "..".
Status ValidateTopicName(const std::string& name);
// Whether `name` is a Kafka topic-level config (LogConfig).
bool IsTopicConfigName(const std::string& name);
// Kafka's topic-level config names (LogConfig) and basic value checks.
Status ValidateTopicConfigs(const ConfigMap& configs);

// Pure part of AddPartitions: the replicas of partitions existing.size() .. total-1, given the
// live brokers (Kafka's rules and messages; *error says which Kafka error).
Result<PartitionAssignment> PlanNewPartitions(const PartitionAssignment& existing, int32_t total,
                                              const std::vector<ReplicaList>& assignment,
                                              const std::vector<BrokerId>& live_brokers,
                                              std::mt19937_64* rng, AdminError* error);

class Admin {
 public:
  explicit Admin(ZkSession* session);

  void CreateTopic(const NewTopic& topic, bool validate_only,
                   std::function<void(CreatedTopic)> done);
  // kUnknownTopic if it does not exist; success if deletion is already queued.
  void DeleteTopic(const std::string& name, std::function<void(AdminResult)> done);

  // AlterConfigs for a topic: replaces /config/topics/<t> with `configs` (the full set of
  // overrides; IncrementalAlterConfigs callers merge with ReadTopicConfig first), then creates
  // /config/changes/config_change_<seq> so every broker reloads it. kUnknownTopic, kInvalidConfig.
  void AlterTopicConfig(const std::string& name, const ConfigMap& configs, bool validate_only,
                        std::function<void(AdminResult)> done);
  // Adds partitions by rewriting /brokers/topics/<t> with the existing partitions unchanged plus
  // the new ones (a conditional write on the znode version read; topic id and in-flight
  // reassignment fields kept); the controller's watch on that znode creates their state and
  // leaders. kUnknownTopic; kInvalidPartitions when total <= current; kInvalidReplicaAssignment
  // for a bad explicit assignment; kInvalidReplicationFactor when fewer live brokers than the
  // replication factor; kInvalidTopic when the topic is queued for deletion.
  void AddPartitions(const NewPartitions& request, bool validate_only,
                     std::function<void(AddedPartitions)> done);
  // The topic's overrides (empty map if it has none). NotFound if the topic does not exist.
  void ReadTopicConfig(const std::string& name, std::function<void(Result<ConfigMap>)> done);

 private:
  void WriteTopic(const NewTopic& topic, PartitionAssignment assignment,
                  std::function<void(CreatedTopic)> done);

  ZkSession* session_;
  std::mt19937_64 rng_;
};

}  // namespace sluice::coordinator
