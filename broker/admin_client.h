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

class AdminClient {
 public:
  virtual ~AdminClient() = default;
  virtual bool IsController() const = 0;
  virtual void CreateTopic(const TopicSpec& spec, bool validate_only, AdminDone done) = 0;
  virtual void DeleteTopic(const std::string& name, AdminDone done) = 0;
};

}  // namespace sluice::broker
