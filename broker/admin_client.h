#pragma once
// AdminClient: how handlers reach cluster-level admin operations (topic create/delete through
// ZooKeeper, coordinator::Admin) and learn whether this broker is the controller. An interface so
// handlers are testable without ZooKeeper; Broker adapts the coordinator to it. Loop thread only;
// completion callbacks run on the loop thread.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "protocol/error_codes.h"

namespace sluice::broker {

struct TopicSpec {
  std::string name;
  int32_t num_partitions = 1;
  int16_t replication_factor = 1;
  std::map<std::string, std::string> configs;
  // Explicit replica assignment (partition -> broker ids); empty = let the controller place them.
  std::map<int32_t, std::vector<int32_t>> assignment;
};

// The outcome of an admin operation, already as the Kafka error a client should see
// (TOPIC_ALREADY_EXISTS, INVALID_REPLICATION_FACTOR, ...; kNone on success).
struct AdminResult {
  protocol::ErrorCode code = protocol::ErrorCode::kNone;
  std::string message;
  bool ok() const { return code == protocol::ErrorCode::kNone; }
};
using AdminDone = std::function<void(AdminResult)>;
using TopicConfigMap = std::map<std::string, std::string>;
// The topic's config overrides (empty when it has none) or the error (UNKNOWN_TOPIC_OR_PARTITION).
using TopicConfigDone = std::function<void(AdminResult, TopicConfigMap)>;

// CreatePartitions for one topic: grow to `total`; `assignment` holds the replicas of each new
// partition in order (empty = let the broker place them).
struct PartitionsSpec {
  std::string topic;
  int32_t total = 0;
  std::vector<std::vector<int32_t>> assignment;
};

class AdminClient {
 public:
  virtual ~AdminClient() = default;
  virtual bool IsController() const = 0;
  virtual void CreateTopic(const TopicSpec& spec, bool validate_only, AdminDone done) = 0;
  virtual void DeleteTopic(const std::string& name, AdminDone done) = 0;
  // Config and partition admin (DescribeConfigs/AlterConfigs/IncrementalAlterConfigs/
  // CreatePartitions). Defaults answer UNKNOWN_SERVER_ERROR so fakes need not implement them.
  virtual void ReadTopicConfig(const std::string& topic, TopicConfigDone done) {
    done({protocol::ErrorCode::kUnknownServerError, "not supported"}, {});
  }
  // Replaces the topic's overrides with `configs` (validated: INVALID_CONFIG).
  virtual void AlterTopicConfig(const std::string& topic, const TopicConfigMap& configs,
                                bool validate_only, AdminDone done) {
    (void)topic, (void)configs, (void)validate_only;
    done({protocol::ErrorCode::kUnknownServerError, "not supported"});
  }
  virtual void CreatePartitions(const PartitionsSpec& spec, bool validate_only, AdminDone done) {
    (void)spec, (void)validate_only;
    done({protocol::ErrorCode::kUnknownServerError, "not supported"});
  }
};

}  // namespace sluice::broker
