#pragma once
// The JSON documents of the read-only endpoints: /api/health, /api/cluster (what the dashboard
// draws), /api/topics and /api/topics/<name>. Built from the broker's state at request time
// (broker/metrics/broker_gauges.h). Loop thread only.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>

#include "broker/metadata_cache.h"
#include "broker/metrics/broker_gauges.h"

namespace sluice::broker {

class BrokerMetrics;

// Every broker this one has seen registered (with its last endpoint) or named in a replica
// assignment: the brokers the cluster is expected to have. A broker that disappears stays
// expected, so health reports it missing until it comes back (or this broker restarts).
class BrokerRoster {
 public:
  void Update(const MetadataCache& metadata);
  const std::map<int32_t, BrokerEndpoint>& expected() const { return expected_; }

 private:
  std::map<int32_t, BrokerEndpoint> expected_;  // id -> last endpoint (host "" if never seen)
};

struct Health {
  bool healthy = false;
  std::string status;  // "healthy", "degraded" (missing brokers, URP) or "unhealthy"
  nlohmann::json doc;  // the /api/health body
};
Health EvaluateHealth(const GaugeSources& s, const BrokerRoster& roster);

// One partition as the APIs show it, with local log figures when this broker hosts a replica.
nlohmann::json PartitionJson(const GaugeSources& s, const std::string& topic, int32_t partition,
                             const PartitionInfo& info);
nlohmann::json TopicJson(const GaugeSources& s, const std::string& name, const TopicInfo& topic);
nlohmann::json TopicListJson(const GaugeSources& s);
nlohmann::json ClusterJson(const GaugeSources& s, const BrokerRoster& roster,
                           const BrokerMetrics* metrics, const std::string& zk_connect);

}  // namespace sluice::broker
