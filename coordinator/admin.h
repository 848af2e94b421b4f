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

struct CreatedTopic {
  AdminResult result;
  std::string topic_id;            // set on success
  PartitionAssignment assignment;  // what was (or would be, validate_only) written
};

// Kafka's topic name rules: [a-zA-Z0-9._-]+, at most 249 chars, not "." or "..".
Status ValidateTopicName(const std::string& name);
// Kafka's topic-level config names (LogConfig) and basic value checks.
Status ValidateTopicConfigs(const ConfigMap& configs);

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
  // The topic's overrides (empty map if it has none). NotFound if the topic does not exist.
  void ReadTopicConfig(const std::string& name, std::function<void(Result<ConfigMap>)> done);

 private:
  void WriteTopic(const NewTopic& topic, PartitionAssignment assignment,
                  std::function<void(CreatedTopic)> done);

  ZkSession* session_;
  std::mt19937_64 rng_;
};

}  // namespace sluice::coordinator
